"""What a writer killed midway (SIGKILL, power cut, full disk) leaves behind, and its removal.

Every write of the pipeline goes to a temporary name first and is renamed into place once complete,
so a killed writer leaves only such temporary files: a half-written version folder or link of the
publish step, parsed Parquet and hand-over files under build/ (and linkage's hand-over folder), temp
files of the raw archive, and the DuckDB spill folders of dead processes in the system's temp folder. None of
them is ever read, so the next writer removes them once it holds the writer lock
(warehouse/operations/writer_lock.py). Not removed: a download's `.part` file (the next download resumes from
it) and the build database's DuckDB WAL (DuckDB replays its committed transactions on open).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sources.common.archive import RawArchive
from sources.common.duckdb_memory import dead_spill_folders
from warehouse.publish.versions import remove_unfinished
from warehouse.settings import TEMP_SUFFIX, WarehousePaths


def remove_leftovers(paths: WarehousePaths) -> list[Path]:
    """Remove every temporary file and folder a killed writer may have left; returns what was removed."""
    return [
        *RawArchive(paths.raw_archive).remove_temp_files(),
        *_remove_build_temp_files(paths),
        *_remove_lake_temp_folders(paths),
        *remove_unfinished(paths),
        *_remove_dead_spill_folders(),
    ]


def _remove_dead_spill_folders() -> list[Path]:
    """What DuckDB spilled for a process that was killed (DuckDB removes the folder only when it closes)."""
    doomed = dead_spill_folders()
    for folder in doomed:
        shutil.rmtree(folder, ignore_errors=True)
    return doomed


def _remove_lake_temp_folders(paths: WarehousePaths) -> list[Path]:
    """A lake table half written (`.<table>.<id>.tmp`) or not yet removed after its swap (`.old`)."""
    if not paths.lake_dir.is_dir():
        return []
    doomed = [p for p in paths.lake_dir.glob("*/.*") if p.is_dir() and p.suffix in (TEMP_SUFFIX, ".old")]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return doomed


def _remove_build_temp_files(paths: WarehousePaths) -> list[Path]:
    """Temporary files under build/, and temporary folders in it (what linkage hands over to be saved)."""
    if not paths.build_dir.is_dir():
        return []
    doomed = [path for path in paths.build_dir.rglob(f"*{TEMP_SUFFIX}") if path.is_file()]
    for path in doomed:
        path.unlink(missing_ok=True)
    folders = [path for path in paths.build_dir.glob(f"*{TEMP_SUFFIX}") if path.is_dir()]
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return doomed + folders
