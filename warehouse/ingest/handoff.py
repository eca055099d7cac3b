"""What the extract-load steps hand to each other, as small files under ``build/`` (not through
Dagster IO managers), so single partitions, partition ranges and unpartitioned tables all work
the same way:

    build/selected/<raw table>/<partition>.json   archived files chosen for the partition
    build/parsed/<raw table>/<partition>.parquet  the parsed table (gated before load)
    build/parsed/<raw table>/<partition>.json     its ParsedTable description

Unpartitioned tables use the partition name ``all``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sources.common.archive import ArchivedFile
from warehouse.ingest.stage import ParsedTable
from warehouse.settings import TEMP_SUFFIX, WarehousePaths

UNPARTITIONED = "all"


def _write(path: Path, payload) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + TEMP_SUFFIX)
    tmp.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def selection_path(paths: WarehousePaths, table: str, partition: str) -> Path:
    return paths.build_dir / "selected" / table / f"{partition}.json"


def parsed_path(paths: WarehousePaths, table: str, partition: str) -> Path:
    return paths.parsed_dir / table / f"{partition}.parquet"


def save_selection(paths: WarehousePaths, table: str, partition: str, files: list[ArchivedFile]) -> None:
    _write(selection_path(paths, table, partition), [f.to_dict() for f in files])


def load_selection(paths: WarehousePaths, table: str, partition: str) -> list[ArchivedFile]:
    path = selection_path(paths, table, partition)
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no file selection for {table} [{partition}]; materialize its file asset first"
        )
    return [ArchivedFile(**item) for item in json.loads(path.read_text(encoding="utf-8"))]


def save_parsed(paths: WarehousePaths, parsed: ParsedTable, partition: str) -> None:
    _write(parsed_path(paths, parsed.table_name, partition).with_suffix(".json"), parsed.to_dict())


def load_parsed(paths: WarehousePaths, table: str, partition: str) -> ParsedTable:
    path = parsed_path(paths, table, partition).with_suffix(".json")
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: {table} [{partition}] has not been parsed; materialize its parsed asset first"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    data["files"] = tuple(ArchivedFile(**f) for f in data["files"])
    for name in ("notes", "extra_columns", "rejections"):
        data[name] = tuple(data.get(name) or ())
    return ParsedTable(**data)
