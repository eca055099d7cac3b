"""Parsed tables staged as Parquet between parsing and the gate-protected load.

A parsed table is written atomically to ``build/parsed/<raw table>.parquet`` (or one file per
partition); nothing in the build database changes until the gates accept it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sources.common.archive import ArchivedFile
from sources.common.parsing import ParseResult
from sources.common.spec import RawTableSpec


@dataclass(frozen=True)
class ParsedTable:
    """A parsed, not yet accepted, table: where its Parquet is and which raw files it came from."""

    table_name: str
    parquet_path: str
    row_count: int
    files: tuple[ArchivedFile, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    partition: str | None = None

    @property
    def has_input(self) -> bool:
        """False when no file was available this run: the table keeps its last accepted load."""
        return bool(self.files)

    def to_dict(self) -> dict:
        return asdict(self)


class FileRejected(Exception):
    """A raw file failed parsing; carries the file so the caller can quarantine it."""

    def __init__(self, archived: ArchivedFile, error: Exception):
        super().__init__(str(error))
        self.archived = archived
        self.error = error


def parse_files(table: RawTableSpec, files: list[ArchivedFile]) -> tuple[pa.Table, list[str]]:
    """Parse every file of a table and stack the results in the contract's schema.

    Raises:
        FileRejected: the first file that does not parse (with the parser's error inside).
    """
    results: list[ParseResult] = []
    if table.parse_many and len(files) > 1:
        by_name = {f.filename: f for f in files}
        try:
            results = table.parse_many([(Path(f.path), f.filename, f.sha256) for f in files])
        except Exception as error:
            culprit = by_name.get(str(getattr(error, "file", "")).split("!")[0], files[0])
            raise FileRejected(culprit, error) from error
    else:
        for archived in files:
            try:
                results.append(table.parse_file(Path(archived.path), file=archived.filename, sha256=archived.sha256))
            except Exception as error:
                raise FileRejected(archived, error) from error
    schema = table.contract.arrow_schema()
    if not results:
        return schema.empty_table(), []
    stacked = pa.concat_tables([r.table.cast(schema) for r in results])
    notes = [note for r in results for note in r.notes]
    return stacked, notes


def write_parquet(data: pa.Table, target: Path) -> Path:
    """Write a Parquet file atomically (temp file + rename), so readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".parquet.tmp")
    pq.write_table(data, tmp, compression="zstd")
    os.replace(tmp, target)
    return target


def stage(table: RawTableSpec, files: list[ArchivedFile], target: Path, *, partition: str) -> ParsedTable:
    """Parse `files` into `target` (Parquet). With no file, nothing is written: the table keeps its last load."""
    name = table.contract.table_name
    if not files:
        return ParsedTable(name, "", 0, (), ("no input file this run: the last accepted load is kept",), partition)
    data, notes = parse_files(table, files)
    write_parquet(data, target)
    return ParsedTable(name, str(target), data.num_rows, tuple(files), tuple(notes), partition)
