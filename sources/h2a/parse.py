"""Parse OFLC H-2A disclosure files (FY2006+) and Addendum B Employment files (FY2020+).

Each file is one workbook (.xlsx, or the old .xls for FY2013; a CSV for FY2006-FY2007) whose first
sheet holds a header in row 1 and the data below. Cells are read as text, each column recognised by
its *meaning* through the table's column dictionary (`sources.h2a.columns`: every spelling a real
file showed; a header without the core columns fails naming what matched and what is missing, and a
file of another kind says what it is), then cast to the contract in DuckDB. Dates may be date cells,
text or Excel serial numbers with a time fraction. The fiscal year comes from the decision dates
(sheet and file names are hints). `case_row` / `worksite_row` number the rows of one case in file
order (a window function).
"""

from __future__ import annotations

from pathlib import Path

from sources.common.columns import ColumnDictionary, LayoutMatch, extra_columns_warning
from sources.common.duckdb_memory import in_memory_connection
from sources.common.errors import ParseError, UnknownLayoutError
from sources.common.file_kinds import H2B_DISCLOSURE, describe_kind, other_file_kind
from sources.common.oflc import (
    cast_case_rows,
    completeness,
    disclosure_fiscal_year,
    first_sheet_name,
    fiscal_year_from_name,
    holds_core,
    load_first_sheet,
    quoted,
    select_files,
    sheet_note,
    state_names_to_codes,
    year_in,
)
from sources.common.parsing import ParseResult
from sources.h2a.columns import ADDENDUM_B_COLUMNS, AGENT_NAME_PARTS, DISCLOSURE_COLUMNS
from sources.h2a.contract import ADDENDUM_B_WORKSITES, DISCLOSURE

# --- File names -----------------------------------------------------------------------------------

# Main files: H2a_FY2006.csv, H2A_FY2008.xlsx, H-2A_FY2012.xlsx, H2A_FY2013.xls, H-2A_FY14_Q4.xlsx,
# H-2A_Disclosure_Data_FY16_updated.xlsx, H2A_Disclosure_Data_FY2021_Q1.xlsx, ..._FY2018_EOY.xlsx.
# Addendum A/B, housing and record-layout files do not match (they carry more words).
DISCLOSURE_PATTERN = r"H-?2A_(?:Disclosure_Data_)?FY(?:\d{4}|\d{2})(?:_(?:Q[1-4]|EOY|updated))*\.(?:xlsx?|csv)"
# Addendum B Employment: H-2A_FY2020_AddendumB_Employment.xlsx,
# H-2A_Addendum_B_Employment_Disclosure_Data_FY2020_Q2.xlsx, H2A_Addendum_B_Employment_FY2021_Q1.xlsx,
# H-2A_Addendum_B_Employment_Record_FY2022_Q4.xlsx. Addendum B *Housing* files do not match.
ADDENDUM_B_PATTERN = (
    r"H-?2A_(?:Addendum_?B_Employment(?:_Disclosure_Data|_Record)?_FY(?:\d{4}|\d{2})"
    r"|FY(?:\d{4}|\d{2})_Addendum_?B_Employment)(?:_(?:Q[1-4]|EOY|updated))*\.xlsx?"
)

__all__ = ["completeness", "fiscal_year_from_name", "select_files"]  # re-exported for callers


def fiscal_year_of(path: Path, name: str | None = None) -> int:
    """The fiscal year a disclosure file covers: the one most of its decision dates fall in; the sheet
    name (e.g. ``H-2A_FY2016``) and the file name are hints, used when no row has a decision date.

    A file that cannot be read, or whose header is not a disclosure header, is judged by its sheet and
    file names, so it still reaches its fiscal year's partition and is quarantined there with the
    parser's own error. A path that does not exist (a remote file before download) is judged by its name.

    Raises:
        ParseError: neither the contents nor the names tell one fiscal year.
    """
    path = Path(path)
    name = name or path.name
    if not path.exists():
        return fiscal_year_from_name(name)
    with in_memory_connection() as con:
        try:
            header, sheet = load_first_sheet(con, path, name)
        except ParseError:
            return fiscal_year_from_name(name)
        try:
            mapping = _match(con, header, DISCLOSURE_COLUMNS, name, sheet).mapping
        except UnknownLayoutError:
            mapping = {}
        year, _ = disclosure_fiscal_year(con, mapping, sheet, name)
    return year


def addendum_b_fiscal_year_of(path: Path) -> int:
    """The fiscal year of an Addendum B workbook: its sheet name's, else its file name's."""
    path = Path(path)
    return (year_in(first_sheet_name(path)) if path.exists() else None) or fiscal_year_from_name(path.name)


_JOINED_AGENT_NAME = "ATTORNEY_AGENT_FIRST_NAME+MIDDLE_NAME+LAST_NAME"
# Columns holding a state: published codes mostly, spelled out in some files (FY2006 'MASSACHUSETTS',
# Addendum B 'FLORIDA'); spelled-out names are mapped to their codes.
_DISCLOSURE_STATES = ("employer_state", "worksite_state")
_ADDENDUM_B_STATES = ("state",)


def parse_disclosure(
    path: Path, *, file: str, sha256: str, columns: ColumnDictionary = DISCLOSURE_COLUMNS
) -> ParseResult:
    """Parse one fiscal year's main disclosure file (.xlsx, the old .xls, or the FY2006-FY2007 CSV)
    into `raw_h2a__disclosure` rows, its columns recognised by meaning (`sources.h2a.columns`).

    Raises:
        ParseError: unreadable file, empty first sheet, a header without the core columns (or a file
            of another kind), no fiscal year, a row without a case number, or a value that does not
            parse as its column's type.
    """
    with in_memory_connection() as con:
        header, sheet = load_first_sheet(con, Path(path), file)
        match = _match(con, header, columns, file, sheet)
        mapping = dict(match.mapping)
        fiscal_year, year_warnings = disclosure_fiscal_year(con, mapping, sheet, file)
        if "agent_attorney_name" not in mapping and all(p in header for p in AGENT_NAME_PARTS):
            parts = ", ".join(f"nullif(trim({quoted(p)}), '')" for p in AGENT_NAME_PARTS)
            con.execute(f'ALTER TABLE "_text" ADD COLUMN {quoted(_JOINED_AGENT_NAME)} VARCHAR')
            con.execute(f"UPDATE \"_text\" SET {quoted(_JOINED_AGENT_NAME)} = nullif(concat_ws(' ', {parts}), '')")
            mapping["agent_attorney_name"] = _JOINED_AGENT_NAME
        state_notes = state_names_to_codes(con, mapping, _DISCLOSURE_STATES)
        cast = cast_case_rows(
            con, header, match, DISCLOSURE, fiscal_year, "case_row", file=file, sha256=sha256, mapping=mapping
        )
    notes = [match.layout.name, _period_note(mapping), sheet_note(sheet), f"FY{fiscal_year}"]
    notes += [*year_warnings, *state_notes, *_missing_measures(mapping), *extra_columns_warning(match)]
    return ParseResult.of(cast, notes, match.extra)


def parse_addendum_b(
    path: Path, *, file: str, sha256: str, columns: ColumnDictionary = ADDENDUM_B_COLUMNS
) -> ParseResult:
    """Parse one fiscal year's Addendum B Employment workbook into `raw_h2a__addendum_b_worksites` rows.

    Raises:
        ParseError: as `parse_disclosure`.
    """
    with in_memory_connection() as con:
        header, sheet = load_first_sheet(con, Path(path), file)
        fiscal_year = year_in(sheet) or fiscal_year_from_name(file)
        match = _match(con, header, columns, file, sheet)
        state_notes = state_names_to_codes(con, match.mapping, _ADDENDUM_B_STATES)
        cast = cast_case_rows(
            con, header, match, ADDENDUM_B_WORKSITES, fiscal_year, "worksite_row", file=file, sha256=sha256
        )
    notes = [match.layout.name, sheet_note(sheet), f"FY{fiscal_year}", *state_notes, *extra_columns_warning(match)]
    return ParseResult.of(cast, notes, match.extra)


def _period_note(mapping: dict[str, str]) -> str:
    """Which period the file publishes: the certified period, the requested dates of need, or both."""
    kinds = [
        label
        for label, column in (
            ("certified period", "certification_begin_date"),
            ("dates of need", "requested_begin_date"),
        )
        if column in mapping
    ]
    return "period: " + (" and ".join(kinds) or "none published")


def _missing_measures(mapping: dict[str, str]) -> list[str]:
    """A warning for each measure the header has no column for (the core needs only one of them)."""
    return [
        f"warning: no column for {measure}: it is null for every row of this file"
        for measure in ("workers_certified", "workers_requested", "decision_date", "case_status")
        if measure not in mapping
    ]


def _match(con, header: list[str], columns: ColumnDictionary, file: str, sheet: str | None) -> LayoutMatch:
    """The header mapped by meaning, after making sure the file is not another kind of OFLC file.

    Raises:
        UnknownLayoutError: the file is of another kind (H-2B, Addendum B housing, ...), said in one
            line with what to do, or its header lacks the table's core columns.
    """
    other = other_file_kind(header, sheet, file, columns)
    if other is None and "visa_class" in (mapped := _mapped_or_none(header, columns)):
        other = _visa_class_kind(con, mapped["visa_class"], columns)
    if other is not None:
        raise UnknownLayoutError(file, "file_kind", other)
    try:
        return columns.match(header, file)
    except UnknownLayoutError as error:
        where = f"first sheet {sheet!r}: " if sheet else ""
        raise UnknownLayoutError(
            error.file, error.rule, where + error.message, error.problems, error.failing_count
        ) from error


def _mapped_or_none(header: list[str], columns: ColumnDictionary) -> dict[str, str]:
    return {c: h for h in header if (c := columns.canonical_of(h))}


def _visa_class_kind(con, column: str, columns: ColumnDictionary) -> str | None:
    """An H-2B file told by its visa class values (every row 'H-2B')."""
    (classes,) = con.execute(
        f"SELECT list(DISTINCT upper(replace(trim({quoted(column)}), '-', ''))) FROM \"_text\" "
        f"WHERE nullif(trim({quoted(column)}), '') IS NOT NULL"
    ).fetchone()
    if classes and set(classes) == {"H2B"}:
        return describe_kind(H2B_DISCLOSURE, columns)
    return None


def is_disclosure_file(path: Path) -> bool:
    """The file's header holds the core of the disclosure table and it is no other kind of file."""
    return holds_core(path, DISCLOSURE_COLUMNS)


def is_addendum_b_file(path: Path) -> bool:
    """The workbook's first sheet holds the core of the Addendum B Employment table."""
    return holds_core(path, ADDENDUM_B_COLUMNS)
