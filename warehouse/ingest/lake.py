"""The Parquet lake: the gated raw layer written as Parquet, so any engine can read it.

Each raw table, once its load is accepted, is also written to
``$WAREHOUSE_HOME/lake/<source>/<raw table>/`` exactly as the build database's ``raw`` schema holds
it (the provenance columns ``source_file``, ``source_sha256``, ``source_row`` included). Tables
published one file per fiscal year (H-2A) get one folder per year, named after the partition column
(``file_fiscal_year=2024/``), the Hive layout Spark, DuckDB, Trino and Athena all read back as that
column. The employer links the linkage writes for the Spark engine go to ``lake/linkage/``.

A table is written whole into a hidden folder beside it, then swapped into place by renames, so a
reader sees the old table or the new one. What belongs here: the layout and the writing. Not here:
when to write (orchestration/defs/assets/raw_sources.py) and who reads it (the dbt Spark target's
`register_lake_sources` hook, warehouse/spark.py).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sources.common.casting import sql_literal
from sources.common.contract import TableContract
from sources.common.storage import clear_storage_errors
from warehouse.ingest.load import RAW_SCHEMA, connect, create_raw_table
from warehouse.settings import WarehousePaths

LINKAGE = "linkage"
DATA_FILE = "part-0.parquet"


def source_of(table_name: str) -> str:
    """`raw_h2a__disclosure` -> `h2a`: the lake folder of a raw table (the same rule as the asset names)."""
    return table_name.removeprefix("raw_").split("__", 1)[0]


def lake_table_dir(paths: WarehousePaths, table_name: str) -> Path:
    """Where a raw table (or, for `int_employer_links`, the linkage's output) lives in the lake."""
    folder = LINKAGE if not table_name.startswith("raw_") else source_of(table_name)
    return paths.lake_dir / folder / table_name


def write_raw_table(paths: WarehousePaths, contract: TableContract, partition_column: str | None = None) -> Path:
    """Write the build database's raw table to the lake (one folder per `partition_column` value).

    Returns:
        The table's lake folder.
    """
    target = lake_table_dir(paths, contract.table_name)
    table = f'{RAW_SCHEMA}."{contract.table_name}"'
    with _swapped_into(target) as tmp, connect(paths.build_db) as con:
        create_raw_table(con, contract)
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if partition_column and rows:
            # Hive layout: the partition column lives in the folder names, not in the files.
            con.execute(
                f"COPY (SELECT * FROM {table}) TO {sql_literal(tmp)} "
                f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({partition_column}), FILENAME_PATTERN 'part-{{i}}')"
            )
        else:
            # An empty table still gets one file: its schema is what a reader needs.
            tmp.mkdir(parents=True)
            con.execute(
                f"COPY (SELECT * FROM {table}) TO {sql_literal(tmp / DATA_FILE)} (FORMAT parquet, COMPRESSION zstd)"
            )
    return target


def write_table(paths: WarehousePaths, name: str, data: pa.Table) -> Path:
    """Write an Arrow table to the lake as one file (e.g. `int_employer_links`); returns its folder."""
    target = lake_table_dir(paths, name)
    with _swapped_into(target) as tmp:
        tmp.mkdir(parents=True)
        pq.write_table(data, tmp / DATA_FILE, compression="zstd")
    return target


class _swapped_into:
    """Yield a fresh hidden folder beside `target`; on success it replaces `target` (two renames)."""

    def __init__(self, target: Path):
        self.target = target
        self.tmp = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"
        self._storage = clear_storage_errors(target.parent)

    def __enter__(self) -> Path:
        self._storage.__enter__()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        return self.tmp

    def __exit__(self, kind, error, trace):
        try:
            if kind is None:
                old = self.target.parent / f".{self.target.name}.{uuid.uuid4().hex[:8]}.old"
                if self.target.exists():
                    os.replace(self.target, old)
                os.replace(self.tmp, self.target)
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self._storage.__exit__(kind, error, trace)
        return False


__all__ = ["lake_table_dir", "source_of", "write_raw_table", "write_table"]
