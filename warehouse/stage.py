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

    def to_metadata(self) -> dict:
        return {
            "row_count": self.row_count,
            "parquet_path": self.parquet_path,
            "files": [f.filename for f in self.files],
            "sha256": [f.sha256 for f in self.files],
            "notes": list(self.notes),
        }

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
    for archived in files:
        try:
            results.append(table.parse_file(Path(archived.path), file=archived.filename, sha256=archived.sha256))
        except Exception as error:
            raise FileRejected(archived, error) from error
    schema = table.contract.arrow_schema()
    if not results:
        return schema.empty_table(), []
    stacked = pa.concat_tables([r.table.cast(schema) for r in results])
    notes = [f"{a.filename}: {note}" for a, r in zip(files, results, strict=True) for note in r.notes]
    return stacked, notes


def write_parquet(data: pa.Table, target: Path) -> Path:
    """Write a Parquet file atomically (temp file + rename), so readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".parquet.tmp")
    pq.write_table(data, tmp, compression="zstd")
    os.replace(tmp, target)
    return target


def stage(
    table: RawTableSpec, files: list[ArchivedFile], parsed_dir: Path, *, partition: str | None = None
) -> ParsedTable:
    if not files:
        return ParsedTable(
            table.contract.table_name, "", 0, (), ("no input file this run: the last accepted load is kept",), partition
        )
    data, notes = parse_files(table, files)
    name = table.contract.table_name
    target = parsed_dir / name / f"{partition}.parquet" if partition else parsed_dir / f"{name}.parquet"
    write_parquet(data, target)
    return ParsedTable(name, str(target), data.num_rows, tuple(files), tuple(notes), partition)
