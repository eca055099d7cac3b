"""What DuckDB may hold in memory during a build: above the limit it spills to disk.

DuckDB's own default is 80 % of RAM per database, and a build opens several (each parse, the build
database, dbt, linkage): bounded, a scale-10 build leaves the machine to analysts and other jobs
(benchmarks/README.md has the peak memory by stage). One setting for all of them, here at the bottom
of the flow so parsers can use it; warehouse/settings.py re-exports it.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import duckdb

DUCKDB_MEMORY_LIMIT_ENV = "WAREHOUSE_DUCKDB_MEMORY_LIMIT"
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
SPILL_FOLDER = "warehouse-duckdb-spill"


def duckdb_memory_limit() -> str:
    return os.environ.get(DUCKDB_MEMORY_LIMIT_ENV) or DEFAULT_DUCKDB_MEMORY_LIMIT


def limit_duckdb_memory(con: duckdb.DuckDBPyConnection, *, in_memory: bool = False) -> duckdb.DuckDBPyConnection:
    """Apply the build's memory limit to `con` (it holds for the connection's whole database). An
    in-memory database spills to a folder of its own in the system's temp folder (DuckDB's default is
    ./.tmp in the cwd, shared); DuckDB creates it when it spills and removes it when the database closes.
    The folder is named after the process, so that what a killed process left can be told from what a
    running one uses (dead_spill_folders)."""
    con.execute("SET memory_limit = ?", [duckdb_memory_limit()])
    if in_memory:
        spill = Path(tempfile.gettempdir()) / f"{SPILL_FOLDER}-{os.getpid()}-{uuid.uuid4().hex}"
        con.execute("SET temp_directory = ?", [str(spill)])
    return con


def dead_spill_folders() -> list[Path]:
    """Spill folders whose process is gone (killed while it spilled: at scale 10, gigabytes each)."""
    dead = []
    for folder in Path(tempfile.gettempdir()).glob(f"{SPILL_FOLDER}-*-*"):
        pid = folder.name.removeprefix(f"{SPILL_FOLDER}-").split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            dead.append(folder)
    return dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def in_memory_connection() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB under the build's memory limit (parsing, linkage)."""
    return limit_duckdb_memory(duckdb.connect(), in_memory=True)
