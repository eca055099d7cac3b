"""Parsed tables staged as Parquet between parsing and the gate-protected load.

A parsed table is written atomically to ``build/parsed/<raw table>.parquet`` (or one file per
partition); nothing in the build database changes until the gates accept it. Files that fail
parsing are reported one by one: every file of the load is tried, so one run names every bad file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sources.common.archive import ArchivedFile
from sources.common.parsing import ParseResult, unique_in_order
from sources.common.spec import RawTableSpec
from sources.common.storage import StorageError, clear_storage_errors
from warehouse.settings import TEMP_SUFFIX


@dataclass(frozen=True)
class ParsedTable:
    """A parsed, not yet accepted, table: where its Parquet is and which raw files it came from.

    `rejections` holds one validation report (as a dict) per file that could not be parsed; such a
    table has no Parquet and its last accepted load is kept. `unchanged` says why the files were not
    parsed at all (warehouse/changes.py); `reload` that they are the last accepted load, read again
    from the raw archive.
    """

    table_name: str
    parquet_path: str
    row_count: int
    files: tuple[ArchivedFile, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    partition: str | None = None
    extra_columns: tuple[str, ...] = ()
    rejections: tuple[dict, ...] = ()
    unchanged: str = ""
    reload: bool = False

    @property
    def has_input(self) -> bool:
        """False when no file was available this run: the table keeps its last accepted load."""
        return bool(self.files)

    @property
    def is_rejected(self) -> bool:
        return bool(self.rejections)

    def to_dict(self) -> dict:
        return asdict(self)


class FilesRejected(Exception):
    """Raw files failed parsing; carries each file with its error so the caller can quarantine them."""

    def __init__(self, rejected: list[tuple[ArchivedFile, Exception]]):
        super().__init__("; ".join(f"{archived.filename}: {error}" for archived, error in rejected))
        self.rejected = rejected


class ParquetSink:
    """A Parquet file written part by part (a zip's members, a table's files) and published atomically
    on a clean exit: a big file is never held in memory whole, and readers never see half a file."""

    def __init__(self, target: Path, schema: pa.Schema):
        self.target, self.schema, self.rows = target, schema, 0
        self._tmp = target.with_suffix(".parquet" + TEMP_SUFFIX)
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> ParquetSink:
        with clear_storage_errors(self.target):
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self._tmp, self.schema, compression="zstd")
        return self

    def write(self, part: pa.Table) -> None:
        with clear_storage_errors(self.target):
            self._writer.write_table(part.cast(self.schema))
        self.rows += part.num_rows

    def __exit__(self, error_type, *exc) -> None:
        try:
            with clear_storage_errors(self.target):
                self._writer.close()
                if error_type is None:
                    os.replace(self._tmp, self.target)
        finally:
            self._tmp.unlink(missing_ok=True)


def parse_into(table: RawTableSpec, files: list[ArchivedFile], sink: ParquetSink) -> tuple[list[str], tuple[str, ...]]:
    """Parse every file of a table into `sink`, one part at a time, in the contract's schema.

    Returns the parse notes and the extra (unknown) published columns met.

    Raises:
        FilesRejected: every file that does not parse (each with the parser's error); the sink's file is
            then discarded by its context.
    """
    results = _parse_many(table, files) if table.parse_many and len(files) > 1 else None
    notes: list[str] = []
    extra: list[str] = []

    def take(result: ParseResult) -> None:
        sink.write(result.table)
        notes.extend(result.notes)
        extra.extend(result.extra_columns)

    if results is not None:
        for result in results:
            take(result)
        return notes, unique_in_order(extra)
    rejected = []
    for archived in files:
        try:
            # Parsers unpack into temp folders: a full disk there is not the file's fault, never a rejection.
            with clear_storage_errors(Path(tempfile.gettempdir())):
                for part in _parts(table, archived):
                    take(part)
        except StorageError:
            raise
        except Exception as error:
            rejected.append((archived, error))
    if rejected:
        raise FilesRejected(rejected)
    return notes, unique_in_order(extra)


def _parts(table: RawTableSpec, archived: ArchivedFile) -> Iterator[ParseResult]:
    path, name, sha256 = Path(archived.path), archived.filename, archived.sha256
    if table.parse_parts is not None:
        yield from table.parse_parts(path, file=name, sha256=sha256)
    else:
        yield table.parse_file(path, file=name, sha256=sha256)


def _parse_many(table: RawTableSpec, files: list[ArchivedFile]) -> list[ParseResult] | None:
    """One pass over many small files; None when anything fails, so each file is then tried alone."""
    try:
        return table.parse_many([(Path(f.path), f.filename, f.sha256) for f in files])
    except Exception:
        return None


def write_parquet(data: pa.Table, target: Path) -> Path:
    """Write a Parquet file atomically (temp file + rename), so readers never see half a file."""
    with ParquetSink(target, data.schema) as sink:
        sink.write(data)
    return target


def stage(
    table: RawTableSpec, files: list[ArchivedFile], target: Path, *, partition: str, reload: bool = False
) -> ParsedTable:
    """Parse `files` into `target` (Parquet). With no file, nothing is written: the table keeps its last load.

    Raises:
        FilesRejected: files that do not parse.
    """
    name = table.contract.table_name
    if not files:
        return ParsedTable(name, "", 0, (), ("no input file this run: the last accepted load is kept",), partition)
    with ParquetSink(target, table.contract.arrow_schema()) as sink:
        notes, extra = parse_into(table, files, sink)
    return ParsedTable(name, str(target), sink.rows, tuple(files), tuple(notes), partition, extra, reload=reload)


def unchanged_table(table: RawTableSpec, files: list[ArchivedFile], partition: str, verdict: str) -> ParsedTable:
    """The staged description of files not parsed because they did not change (`verdict` says how)."""
    return ParsedTable(table.contract.table_name, "", 0, tuple(files), (verdict,), partition, unchanged=verdict)


def rejected_table(table: RawTableSpec, files: list[ArchivedFile], reports: list[dict], partition: str) -> ParsedTable:
    """The staged description of a load whose files failed parsing: no Parquet, one report per bad file."""
    note = f"{len(reports)} file(s) rejected at parsing: the last accepted load is kept"
    return ParsedTable(table.contract.table_name, "", 0, tuple(files), (note,), partition, (), tuple(reports))
