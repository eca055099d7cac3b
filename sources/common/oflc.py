"""What the OFLC disclosure files of every program (H-2A, H-2B) share: fiscal years from names and
decision dates, which of a year's files is the most complete, reading the first sheet (or a CSV) as
text, and casting the rows of a case to a contract with the case's rows numbered.

The program parsers (`sources.h2a.parse`, `sources.h2b.parse`) add their column dictionaries and
their own rules; what is here must hold for both.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from sources.common.casting import cast_to_contract, spelled_out_states_to_codes, typed_expression
from sources.common.columns import ColumnDictionary, LayoutMatch
from sources.common.errors import ParseError
from sources.common.file_kinds import other_file_kind
from sources.common.text_cells import load_arrow_as_text, load_csv_as_text, read_excel_sheet_as_text, sniff_header

_UNNAMED = re.compile(r"__UNNAMED__\d+")  # how fastexcel names a column whose header cell is blank
_FISCAL_YEAR = re.compile(r"(?<![A-Z])FY[ _-]?(\d{4}|\d{2})(?!\d)", re.IGNORECASE)
_QUARTER = re.compile(r"_Q([1-4])(?![0-9])", re.IGNORECASE)


def _years_in(text: str | None) -> set[int]:
    return {int(y) + (2000 if len(y) == 2 else 0) for y in _FISCAL_YEAR.findall(text or "")}


def year_in(text: str | None) -> int | None:
    """The one fiscal year a sheet or file name states (FY08, FY2008, FY14_Q4, ...), else None."""
    years = _years_in(text)
    return years.pop() if len(years) == 1 else None


def fiscal_year_from_name(name: str) -> int:
    """The fiscal year a file covers, from its name: FY08, FY2008, FY14_Q4, FY16_updated, ...

    Raises:
        ParseError: no (or more than one different) FY in the name.
    """
    year = year_in(Path(name).name)
    if year is None:
        found = sorted(_years_in(Path(name).name)) or "none"
        raise ParseError(
            name,
            "file_name",
            f"cannot tell the fiscal year from the file name (found: {found}); expected one FY08 or FY2008 "
            "part as in the published names, e.g. H-2A_Disclosure_Data_FY2022_Q4.xlsx or H-2B_FY2010.xlsx",
        )
    return year


def first_sheet_name(path: Path) -> str | None:
    import fastexcel

    try:
        return fastexcel.read_excel(str(path)).sheet_names[0]
    except Exception:  # unreadable workbook: the name decides, the parser reports the workbook
        return None


def disclosure_fiscal_year(con: duckdb.DuckDBPyConnection, mapping: dict[str, str], sheet: str | None, file: str):
    """(fiscal year, warnings): the decisions' fiscal year; the sheet and file names are hints.

    A sheet or file name that names another year is a warning naming both (a FY2016 Q1 file was
    published with its sheet named ``H-2A_FY2015``).
    """
    decided = _decisions_fiscal_year(con, mapping)
    hints = {"sheet": year_in(sheet), "file name": year_in(Path(file).name)}
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


# --- Reading a file --------------------------------------------------------------------------------


def sheet_note(sheet: str | None) -> str:
    return f"sheet {sheet!r}" if sheet else "CSV file"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_first_sheet(con: duckdb.DuckDBPyConnection, path: Path, file: str) -> tuple[list[str], str | None]:
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
            (values,) = con.execute(f"SELECT count(nullif(trim({quoted(column)}), '')) FROM \"_text\"").fetchone()
            if values == 0:
                con.execute(f'ALTER TABLE "_text" DROP COLUMN {quoted(column)}')
                continue
        kept.append(column)
    return kept


def state_names_to_codes(con, mapping: dict[str, str], canonical: tuple[str, ...]) -> list[str]:
    """Map spelled-out state names ('FLORIDA') to their codes in place; a note per column changed."""
    notes = []
    for name in canonical:
        if name in mapping:
            changed = spelled_out_states_to_codes(con, "_text", mapping[name])
            if changed:
                notes.append(f"{changed} values of {mapping[name]} spelled out (e.g. FLORIDA) mapped to state codes")
    return notes


def cast_case_rows(
    con, header, match: LayoutMatch, contract, fiscal_year: int, ordinal: str, *, file, sha256, mapping=None
):
    """Drop blank spacer rows, cast (a row with values but no case number is set aside: its key is
    blank), and number the rows of each case."""
    mapping = mapping or match.mapping
    any_value = "coalesce(" + ", ".join(f"nullif(trim({quoted(c)}), '')" for c in header) + ")"
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


def holds_core(path: Path, columns: ColumnDictionary) -> bool:
    header = sniff_header(path)
    if not header or not columns.holds_core(header):
        return False
    return other_file_kind(header, first_sheet_name(path), Path(path).name, columns) is None
