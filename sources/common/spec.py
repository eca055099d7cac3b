"""What every source module declares, so orchestration, CLI and docs can treat sources alike.

A source (``sources/<name>/``) exposes ``SOURCE: SourceSpec`` listing its raw tables. Each raw
table comes from one kind of published file (``RawTableSpec``): how to recognise its real file
names, which of several files to use, how to parse one file, and where to download it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sources.common.contract import TableContract
from sources.common.fetch import RemoteFile
from sources.common.parsing import ParseResult
from sources.common.sample_world import World

ParseFn = Callable[..., ParseResult]  # (path, *, file, sha256) -> ParseResult


@dataclass(frozen=True)
class RawTableSpec:
    """One published file kind and the canonical table parsed from it."""

    contract: TableContract
    title: str  # a few words people use for the table, e.g. "H-2A disclosure: Addendum B worksites" (the report)
    file_kind: str  # e.g. "enforcement": names the raw-file asset file_<source>__<file_kind>
    file_pattern: str  # regex (case-insensitive, full match) on real file names
    parse_file: ParseFn
    remote_files: Callable[[], list[RemoteFile]]
    select_files: Callable[[list[Path]], list[Path]] | None = None  # default: every match
    description: str = ""
    # Columns identifying the slice of the table one file carries (e.g. a fiscal year): loading a
    # single file (`warehouse ingest`) replaces only those slices. Empty: one file is the whole table.
    replace_key: tuple[str, ...] = ()
    # For tables published one file per period (H-2A: one workbook per fiscal year): the partition
    # (e.g. "2016") a file belongs to, from its contents when it exists locally, else from its name
    # (remote files before download). Such tables are partitioned assets in Dagster, so one period can
    # be reloaded on its own; replace_key must then name the partition column.
    partition_of: Callable[[Path], str] | None = None
    # Does this file's *content* belong to this table (its header matches a layout)? Lets
    # `warehouse ingest` take a file under any name.
    recognise: Callable[[Path], bool] | None = None
    # Optional: parse many files in one pass (hundreds of small QCEW slices); ((path, file, sha256), ...)
    # -> results. Must raise the same per-file errors as parse_file.
    parse_many: Callable[[list[tuple[Path, str, str]]], list[ParseResult]] | None = None
    # Optional: one file's results part by part (a zip's members), so a big file is never held in
    # memory whole; same arguments and errors as parse_file.
    parse_parts: Callable[..., Iterator[ParseResult]] | None = None
    # A whole file republished with few rows new or changed (WHD): gate the values of, and load, only the
    # rows that differ from the raw table by primary key (warehouse/ingest/difference.py).
    load_by_difference: bool = False

    @property
    def is_partitioned(self) -> bool:
        return self.partition_of is not None

    def matches(self, filename: str) -> bool:
        return re.fullmatch(self.file_pattern, filename, flags=re.IGNORECASE) is not None

    def pick(self, candidates: Sequence[Path]) -> list[Path]:
        """The files of a folder this table should load, in a stable order."""
        matching = sorted((p for p in candidates if self.matches(p.name)), key=lambda p: p.name)
        return self.select_files(matching) if self.select_files else matching


@dataclass(frozen=True)
class SourceSpec:
    """A public dataset: its raw tables, sample writer and expected publication cadence."""

    name: str
    title: str
    publisher: str
    landing_page: str
    tables: tuple[RawTableSpec, ...]
    write_sample: Callable[[World, Path], list[Path]]
    expected_update_interval: timedelta
    notes: Sequence[str] = field(default_factory=tuple)

    @property
    def is_partitioned(self) -> bool:
        """Some table of the source is partitioned by fiscal year (H-2A)."""
        return any(table.is_partitioned for table in self.tables)

    def table(self, name: str) -> RawTableSpec:
        for table in self.tables:
            if table.contract.name == name:
                return table
        raise KeyError(f"source {self.name} has no table {name!r}")
