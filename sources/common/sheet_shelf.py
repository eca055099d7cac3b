"""A shelf for workbook sheets read as text, so that a build reads each workbook once.

Working out an H-2A or H-2B file's fiscal year reads its whole first sheet (the year most decision dates
fall in: sources/h2a/parse.py fiscal_year_of) when the file is acquired, and parsing reads the same sheet
again: at scale 10, minutes of the build. Within `sheets_shelved(folder)` a sheet read is kept in `folder`
as Parquet, named by the file's sha256 (the same bytes under another path, e.g. once archived, find it);
within `sheets_shelved(folder, take=True)` (the parser) a kept sheet is read from there and removed.
Whoever sets up a shelf clears what an earlier run left (`clear_shelf`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sources.common.digests import file_sha256

_SHEET_NAME = b"sheet_name"  # the Parquet metadata key holding the sheet's name


@dataclass(frozen=True)
class _Shelf:
    folder: Path
    take: bool


_SHELF: ContextVar[_Shelf | None] = ContextVar("sheet_shelf", default=None)


@contextmanager
def sheets_shelved(folder: Path, *, take: bool = False) -> Iterator[None]:
    """Sheets read within this block are kept in `folder` (`take`: read from it and removed, never kept)."""
    token = _SHELF.set(_Shelf(Path(folder), take))
    try:
        yield
    finally:
        _SHELF.reset(token)


def clear_shelf(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def shelved_sheet(path: Path, sheet: int | str) -> tuple[pa.RecordBatch, str] | None:
    """The sheet as kept on the current shelf (taken off it when the shelf says so), else None; one record
    batch, as the workbook reader gives it (its rows numbered in this order: source_row)."""
    shelf = _SHELF.get()
    if shelf is None:
        return None
    kept = _kept_path(shelf.folder, path, sheet)
    if not kept.exists():
        return None
    table = pq.read_table(kept).combine_chunks()
    if shelf.take:
        kept.unlink(missing_ok=True)
    name = (table.schema.metadata or {}).get(_SHEET_NAME, b"").decode("utf-8")
    table = table.replace_schema_metadata(None)
    (batch,) = table.to_batches() or [pa.record_batch([pa.array([], f.type) for f in table.schema], table.schema)]
    return batch, name


def shelve_sheet(path: Path, sheet: int | str, data: pa.RecordBatch, name: str) -> None:
    """Keep the sheet just read on the current shelf, unless there is none or it only hands sheets out."""
    shelf = _SHELF.get()
    if shelf is None or shelf.take:
        return
    kept = _kept_path(shelf.folder, path, sheet)
    kept.parent.mkdir(parents=True, exist_ok=True)
    writing = kept.with_name(kept.name + ".tmp")  # renamed once whole: a reader never sees half a sheet
    table = pa.Table.from_batches([data]).replace_schema_metadata({_SHEET_NAME: name.encode("utf-8")})
    pq.write_table(table, writing, compression="zstd")
    os.replace(writing, kept)


def _kept_path(folder: Path, path: Path, sheet: int | str) -> Path:
    return folder / f"{file_sha256(path)}.{sheet}.parquet"
