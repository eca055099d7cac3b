"""Parse WHD compliance actions from any of the three publication eras into the canonical table.

Eras (see docs/data-sources.md):
1. ``whd_whisard.csv`` (in ``whd_whisard_YYYYMMDD.csv.zip``): 109 lower-case columns.
2. the same with a 110th column ``ld_dt``.
3. ``WHD_enforcement.zip``: chunk CSVs with UPPER-case headers, ``CMP_ASSD``,
   ``DBRA_VIOLTN_CNT`` and ``LOAD_DT`` renamed.
Columns are recognised one by one by their *meaning* (``sources.whd.columns``: every spelling a real
file showed), never by position nor by era: a header holding the core (case id, an employer name,
state, back wages) loads whatever else it lacks; a column no real file showed is kept in
``extra_columns`` with a warning; a header without the core fails naming what matched, what is
missing and the unrecognised columns. The era a header's spellings look like is only a note.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

from sources.common.casting import cast_to_contract
from sources.common.columns import ColumnDictionary, LayoutMatch
from sources.common.duckdb_memory import in_memory_connection
from sources.common.errors import UnknownLayoutError
from sources.common.parsing import ParseResult, concat_results
from sources.common.text_cells import csv_members, load_csv_as_text, sniff_header
from sources.whd.columns import COLUMNS
from sources.whd.contract import COMPLIANCE_ACTIONS, LOAD_COLUMN

# Rows cast and handed on at a time: a whole-history bare CSV (~2.5M cases at scale 10) is never one
# Arrow table in Python's memory; its text waits in DuckDB, under the build's memory limit.
ROWS_PER_PART = 250_000

# Columns of interest a header may lack (the core needs one name only): a warning says each is null.
_MEASURES = ("legal_name", "trade_nm", "findings_start_date", "findings_end_date", "case_violtn_cnt", "cmp_assd_cnt")


def is_whd_file(path: Path) -> bool:
    """The file's header (a CSV's, or the first CSV member's of a zip) holds the core of the table."""
    header = sniff_header(path)
    return bool(header) and COLUMNS.holds_core(header)


def parse_file(path: Path, *, file: str, sha256: str, columns: ColumnDictionary = COLUMNS) -> ParseResult:
    """Parse a WHD file (bare CSV or either zip) into `raw_whd__compliance_actions` rows, its columns
    recognised by meaning (`sources.whd.columns`).

    Raises:
        ParseError: unreadable file, a header without the core columns, malformed rows or values that
            do not parse.
    """
    return concat_results(list(parse_parts(path, file=file, sha256=sha256, columns=columns)), COMPLIANCE_ACTIONS)


def parse_parts(path: Path, *, file: str, sha256: str, columns: ColumnDictionary = COLUMNS) -> Iterator[ParseResult]:
    """`parse_file` one zip member at a time (the bulk zip holds ~50k cases a chunk), and a CSV
    `ROWS_PER_PART` rows at a time: memory stays that of one part, whatever the size of the file.
    A CSV's first part carries its notes. Same errors as `parse_file`."""
    path = Path(path)
    if path.suffix.lower() != ".zip":
        yield from _parse_csv(path, file=file, sha256=sha256, columns=columns)
        return
    with tempfile.TemporaryDirectory() as tmp:
        first_layout = None
        for member in csv_members(path, Path(tmp), file=file):
            for result in _parse_csv(member, file=f"{file}!{member.name}", sha256=sha256, columns=columns):
                layout = result.notes[0] if result.notes else first_layout
                first_layout = first_layout or layout
                if layout != first_layout:
                    raise UnknownLayoutError(
                        file, "header", f"zip members use different layouts: {sorted({first_layout, layout})}"
                    )
                yield result


def _parse_csv(path: Path, *, file: str, sha256: str, columns: ColumnDictionary) -> Iterator[ParseResult]:
    """The CSV's text loaded once, then cast `ROWS_PER_PART` rows at a time (row numbers stay the file's)."""
    with in_memory_connection() as con:
        header = load_csv_as_text(con, path, "_text", file=file)
        duplicates = sorted({h for h in header if header.count(h) > 1})
        if duplicates:
            raise UnknownLayoutError(file, "header", f"duplicated column names {duplicates}")
        match = columns.match(header, file)
        notes = [
            _spellings_note(match.mapping),
            match.layout.name,
            *_missing_measures(match.mapping),
            *_extra_warning(match),
        ]
        (rows,) = con.execute('SELECT count(*) FROM "_text"').fetchone()
        for first in range(0, max(rows, 1), ROWS_PER_PART):
            part = f"source_row > {first} AND source_row <= {first + ROWS_PER_PART}" if rows > ROWS_PER_PART else None
            cast = cast_to_contract(
                con, "_text", COMPLIANCE_ACTIONS, match.mapping, file=file, sha256=sha256, extra=match.extra, where=part
            )
            yield ParseResult.of(cast, notes if first == 0 else [], match.extra)


def _spellings_note(mapping: dict[str, str]) -> str:
    """Which era's spellings the header uses (a note only: no column changes meaning with the era)."""
    published = list(mapping.values())
    if all(p == p.upper() for p in published):
        return "era 3 spellings: WHD_enforcement.zip chunks, UPPER-case"
    if all(p == p.lower() for p in published):
        if LOAD_COLUMN in mapping:
            return "era 2 spellings: whd_whisard.csv with ld_dt"
        return "era 1 spellings: whd_whisard.csv, lower-case"
    return "mixed spellings: lower- and UPPER-case column names"


def _missing_measures(mapping: dict[str, str]) -> list[str]:
    return [
        f"warning: no column for {measure}: it is null for every row of this file"
        for measure in _MEASURES
        if measure not in mapping
    ]


def _extra_warning(match: LayoutMatch) -> list[str]:
    if not match.extra:
        return []
    return [f"warning: columns no real file of this table showed, kept in extra_columns: {list(match.extra)}"]
