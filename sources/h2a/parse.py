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

import re
from pathlib import Path

import duckdb

from sources.common.casting import cast_to_contract, spelled_out_states_to_codes, typed_expression
from sources.common.columns import ColumnDictionary, LayoutMatch
from sources.common.duckdb_memory import in_memory_connection
from sources.common.errors import ParseError, UnknownLayoutError
from sources.common.file_kinds import H2B_DISCLOSURE, describe_kind, other_file_kind
from sources.common.parsing import ParseResult
from sources.common.text_cells import load_arrow_as_text, load_csv_as_text, read_excel_sheet_as_text, sniff_header
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

_UNNAMED = re.compile(r"__UNNAMED__\d+")  # how fastexcel names a column whose header cell is blank
_FISCAL_YEAR = re.compile(r"(?<![A-Z])FY[ _-]?(\d{4}|\d{2})(?!\d)", re.IGNORECASE)
_QUARTER = re.compile(r"_Q([1-4])(?![0-9])", re.IGNORECASE)


def _years_in(text: str | None) -> set[int]:
    return {int(y) + (2000 if len(y) == 2 else 0) for y in _FISCAL_YEAR.findall(text or "")}


def _year_in(text: str | None) -> int | None:
    """The one fiscal year a sheet or file name states (FY08, FY2008, FY14_Q4, ...), else None."""
    years = _years_in(text)
    return years.pop() if len(years) == 1 else None


def fiscal_year_from_name(name: str) -> int:
    """The fiscal year a file covers, from its name: FY08, FY2008, FY14_Q4, FY16_updated, ...

    Raises:
        ParseError: no (or more than one different) FY in the name.
    """
    year = _year_in(Path(name).name)
    if year is None:
        found = sorted(_years_in(Path(name).name)) or "none"
        raise ParseError(
            name,
            "file_name",
            f"cannot tell the fiscal year from the file name (found: {found}); expected one FY08 or FY2008 "
            "part as in the published names, e.g. H-2A_Disclosure_Data_FY2022_Q4.xlsx",
        )
    return year


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
            header, sheet = _load_first_sheet(con, path, name)
        except ParseError:
            return fiscal_year_from_name(name)
        try:
            mapping = _match(con, header, DISCLOSURE_COLUMNS, name, sheet).mapping
        except UnknownLayoutError:
            mapping = {}
        year, _ = _fiscal_year(con, mapping, sheet, name)
    return year


def addendum_b_fiscal_year_of(path: Path) -> int:
    """The fiscal year of an Addendum B workbook: its sheet name's, else its file name's."""
    path = Path(path)
    return (_year_in(_first_sheet_name(path)) if path.exists() else None) or fiscal_year_from_name(path.name)


def _first_sheet_name(path: Path) -> str | None:
    import fastexcel

    try:
        return fastexcel.read_excel(str(path)).sheet_names[0]
    except Exception:  # unreadable workbook: the name decides, the parser reports the workbook
        return None


def _fiscal_year(con: duckdb.DuckDBPyConnection, mapping: dict[str, str], sheet: str | None, file: str):
    """(fiscal year, warnings): the decisions' fiscal year; the sheet and file names are hints.

    A sheet or file name that names another year is a warning naming both (a FY2016 Q1 file was
    published with its sheet named ``H-2A_FY2015``).
    """
    decided = _decisions_fiscal_year(con, mapping)
    hints = {"sheet": _year_in(sheet), "file name": _year_in(Path(file).name)}
    hint = hints["sheet"] or hints["file name"]
    year = decided or hint
    if year is None:
        raise ParseError(
            file, "fiscal_year", f"no decision date, and no fiscal year in the sheet name {sheet!r} or the file name"
        )
    warnings = [
        f"warning: the {where} says FY{said} but the decision dates say FY{decided}; FY{decided} is used"
        for where, said in hints.items()
        if decided and said and said != decided
    ]
    return year, warnings


def _decisions_fiscal_year(con: duckdb.DuckDBPyConnection, mapping: dict[str, str]) -> int | None:
    """The federal fiscal year (October-September) most decision dates of the loaded sheet fall in."""
    if "decision_date" not in mapping:
        return None
    decided = typed_expression(mapping["decision_date"], "date", excel_serials=True)
    row = con.execute(
        f"""SELECT year(d) + CASE WHEN month(d) >= 10 THEN 1 ELSE 0 END AS fy, count(*) AS n
            FROM (SELECT {decided} AS d FROM "_text") WHERE d IS NOT NULL GROUP BY fy ORDER BY n DESC, fy LIMIT 1"""
    ).fetchone()
    return int(row[0]) if row else None


def completeness(name: str) -> int:
    """How complete a file of its fiscal year is: updated > EOY > annual > Q4 > Q3 > Q2 > Q1.

    Quarterly files are cumulative within the fiscal year; annual/EOY/Q4 cover the whole year and
    an `_updated` file is a later re-issue of the annual one.
    """
    lower = name.lower()
    if "updated" in lower:
        return 8
    if "eoy" in lower:
        return 7
    quarter = _QUARTER.search(name)
    return 1 + int(quarter.group(1)) if quarter else 6


def select_files(paths: list[Path]) -> list[Path]:
    """Per fiscal year, keep the most complete file (ties: the last name); oldest year first."""
    best: dict[int, Path] = {}
    for path in sorted(paths, key=lambda p: p.name):
        try:
            year = fiscal_year_from_name(path.name)
        except ParseError:
            continue
        if year not in best or completeness(path.name) >= completeness(best[year].name):
            best[year] = path
    return [best[year] for year in sorted(best)]


# --- Parsers ---------------------------------------------------------------------------------------

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
        header, sheet = _load_first_sheet(con, Path(path), file)
        match = _match(con, header, columns, file, sheet)
        mapping = dict(match.mapping)
        fiscal_year, year_warnings = _fiscal_year(con, mapping, sheet, file)
        if "agent_attorney_name" not in mapping and all(p in header for p in AGENT_NAME_PARTS):
            parts = ", ".join(f"nullif(trim({_q(p)}), '')" for p in AGENT_NAME_PARTS)
            con.execute(f'ALTER TABLE "_text" ADD COLUMN {_q(_JOINED_AGENT_NAME)} VARCHAR')
            con.execute(f"UPDATE \"_text\" SET {_q(_JOINED_AGENT_NAME)} = nullif(concat_ws(' ', {parts}), '')")
            mapping["agent_attorney_name"] = _JOINED_AGENT_NAME
        state_notes = _state_names_to_codes(con, mapping, _DISCLOSURE_STATES)
        cast = _cast(con, header, match, DISCLOSURE, fiscal_year, "case_row", file=file, sha256=sha256, mapping=mapping)
    notes = [match.layout.name, _period_note(mapping), _sheet_note(sheet), f"FY{fiscal_year}"]
    notes += [*year_warnings, *state_notes, *_missing_measures(mapping), *_extra_warning(match)]
    return ParseResult.of(cast, notes, match.extra)


def parse_addendum_b(
    path: Path, *, file: str, sha256: str, columns: ColumnDictionary = ADDENDUM_B_COLUMNS
) -> ParseResult:
    """Parse one fiscal year's Addendum B Employment workbook into `raw_h2a__addendum_b_worksites` rows.

    Raises:
        ParseError: as `parse_disclosure`.
    """
    with in_memory_connection() as con:
        header, sheet = _load_first_sheet(con, Path(path), file)
        fiscal_year = _year_in(sheet) or fiscal_year_from_name(file)
        match = _match(con, header, columns, file, sheet)
        state_notes = _state_names_to_codes(con, match.mapping, _ADDENDUM_B_STATES)
        cast = _cast(con, header, match, ADDENDUM_B_WORKSITES, fiscal_year, "worksite_row", file=file, sha256=sha256)
    notes = [match.layout.name, _sheet_note(sheet), f"FY{fiscal_year}", *state_notes, *_extra_warning(match)]
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


def _sheet_note(sheet: str | None) -> str:
    return f"sheet {sheet!r}" if sheet else "CSV file"


def _extra_warning(match: LayoutMatch) -> list[str]:
    if not match.extra:
        return []
    return [f"warning: columns no real file of this table showed, kept in extra_columns: {list(match.extra)}"]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _load_first_sheet(con: duckdb.DuckDBPyConnection, path: Path, file: str) -> tuple[list[str], str | None]:
    """Load the first sheet of a workbook (or a CSV file) as text into "_text": (header, sheet name).

    Raises:
        ParseError: unreadable or empty file; a legacy .xls saved under an .xlsx name is named as such.
    """
    if path.suffix.lower() == ".csv" or Path(file).suffix.lower() == ".csv":
        return load_csv_as_text(con, path, "_text", file=file), None
    data, sheet = read_excel_sheet_as_text(path, file=file)
    return _drop_blank_unnamed(con, load_arrow_as_text(con, data, "_text")), sheet


def _drop_blank_unnamed(con: duckdb.DuckDBPyConnection, header: list[str]) -> list[str]:
    """Drop columns with a blank header cell *and* no value (Excel formatting residue); keep all others.

    A header-less column that holds values stays, so it is reported as an extra column.
    """
    kept = []
    for column in header:
        if _UNNAMED.fullmatch(column):
            (values,) = con.execute(f"SELECT count(nullif(trim({_q(column)}), '')) FROM \"_text\"").fetchone()
            if values == 0:
                con.execute(f'ALTER TABLE "_text" DROP COLUMN {_q(column)}')
                continue
        kept.append(column)
    return kept


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
        f"SELECT list(DISTINCT upper(replace(trim({_q(column)}), '-', ''))) FROM \"_text\" "
        f"WHERE nullif(trim({_q(column)}), '') IS NOT NULL"
    ).fetchone()
    if classes and set(classes) == {"H2B"}:
        return describe_kind(H2B_DISCLOSURE, columns)
    return None


def _state_names_to_codes(con, mapping: dict[str, str], canonical: tuple[str, ...]) -> list[str]:
    """Map spelled-out state names ('FLORIDA') to their codes in place; a note per column changed."""
    notes = []
    for name in canonical:
        if name in mapping:
            changed = spelled_out_states_to_codes(con, "_text", mapping[name])
            if changed:
                notes.append(f"{changed} values of {mapping[name]} spelled out (e.g. FLORIDA) mapped to state codes")
    return notes


def _cast(con, header, match: LayoutMatch, contract, fiscal_year: int, ordinal: str, *, file, sha256, mapping=None):
    """Drop blank spacer rows, cast (a row with values but no case number is set aside: its key is
    blank), and number the rows of each case."""
    mapping = mapping or match.mapping
    any_value = "coalesce(" + ", ".join(f"nullif(trim({_q(c)}), '')" for c in header) + ")"
    where = f"{any_value} IS NOT NULL"
    return cast_to_contract(
        con,
        "_text",
        contract,
        mapping,
        file=file,
        sha256=sha256,
        excel_serials=True,
        where=where,
        extra=match.extra,
        derived={
            "file_fiscal_year": str(int(fiscal_year)),
            ordinal: 'row_number() OVER (PARTITION BY "case_number" ORDER BY source_row)',
        },
    )


def is_disclosure_file(path: Path) -> bool:
    """The file's header holds the core of the disclosure table and it is no other kind of file."""
    return _holds_core(path, DISCLOSURE_COLUMNS)


def is_addendum_b_file(path: Path) -> bool:
    """The workbook's first sheet holds the core of the Addendum B Employment table."""
    return _holds_core(path, ADDENDUM_B_COLUMNS)


def _holds_core(path: Path, columns: ColumnDictionary) -> bool:
    header = sniff_header(path)
    if not header or not columns.holds_core(header):
        return False
    return other_file_kind(header, _first_sheet_name(path), Path(path).name, columns) is None
