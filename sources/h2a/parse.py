"""Parse OFLC H-2A disclosure files (FY2008+) and Addendum B Employment files (FY2020+).

Each file is one workbook (.xlsx, or the old .xls for FY2013) whose first sheet holds a header in
row 1 and the data below. Cells are read as text (fastexcel), matched by *name* against the era
layouts built from `sources.h2a.headers` (an unknown header fails naming the unmapped and missing
columns; nothing is guessed), then cast to the contract in DuckDB. Dates may be date cells or
Excel serial numbers with a time fraction; both parse. The fiscal year comes from the file name.
`case_row` / `worksite_row` number the rows of one case in file order (a window function).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from sources.common.duckdb_memory import in_memory_connection
from sources.common.errors import ParseError, UnknownLayoutError
from sources.common.parsing import (
    Layout,
    LayoutMatch,
    ParseResult,
    cast_to_contract,
    load_arrow_as_text,
    match_layout,
    read_excel_sheet_as_text,
    recognises,
    typed_expression,
)
from sources.h2a.contract import ADDENDUM_B_WORKSITES, DISCLOSURE
from sources.h2a.headers import ADDENDUM_B_CONFIRMED, ERAS, WORKER_COUNT_SPELLINGS, Era

# --- File names -----------------------------------------------------------------------------------

# Main files: H2A_FY2008.xlsx, H-2A_FY2012.xlsx, H2A_FY2013.xls, H-2A_FY14_Q4.xlsx,
# H-2A_Disclosure_Data_FY16_updated.xlsx, H2A_Disclosure_Data_FY2021_Q1.xlsx, ..._FY2018_EOY.xlsx.
# Addendum A/B, housing and record-layout files do not match (they carry more words).
DISCLOSURE_PATTERN = r"H-?2A_(?:Disclosure_Data_)?FY(?:\d{4}|\d{2})(?:_(?:Q[1-4]|EOY|updated))*\.xlsx?"
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
    """The fiscal year a workbook covers: what its contents say first (the data sheet's name, e.g.
    ``H-2A_FY2016``, else the fiscal year most of its decisions fall in), then its file name.

    A path that does not exist (a remote file before download) is judged by its name alone.

    Raises:
        ParseError: neither the contents nor the name tell one fiscal year.
    """
    path = Path(path)
    name = name or path.name
    if not path.exists():
        return fiscal_year_from_name(name)
    sheet = _first_sheet_name(path)
    year = _year_in(sheet) or _year_in(Path(name).name) or _fiscal_year_of_decisions(path, name)
    if year is None:
        raise ParseError(
            name,
            "fiscal_year",
            f"cannot tell the fiscal year: not in the sheet name ({sheet!r}), the file name, or the decision dates",
        )
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


def _fiscal_year_of_decisions(path: Path, name: str) -> int | None:
    try:
        data, _ = read_excel_sheet_as_text(path, file=name)
        with in_memory_connection() as con:
            header = load_arrow_as_text(con, data, "_text")
            mapping = match_layout(header, DISCLOSURE_LAYOUTS, name).mapping
            return _decisions_fiscal_year(con, mapping)
    except ParseError:
        return None


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


# --- Mapping tables ------------------------------------------------------------------------------

# Published column -> canonical column, for every published name that feeds the contract. Every other
# column of a known era is dropped on purpose (mapped to None in that era's layout).
MAPPED: dict[str, str] = {
    "CASE_NO": "case_number",
    "CASE_NUMBER": "case_number",
    "CASE_STATUS": "case_status",
    "DECISION_DATE": "decision_date",
    "CASE_RECEIVED_DATE": "received_date",
    "RECEIVED_DATE": "received_date",
    "VISA_CLASS": "visa_class",
    "APPLICATION_TYPE": "visa_class",
    "EMPLOYER_NAME": "employer_name",
    "TRADE_NAME_DBA": "trade_name_dba",
    "EMPLOYER_ADDRESS1": "employer_address1",
    "EMPLOYER_ADDRESS_1": "employer_address1",
    "EMPLOYER_ADDRESS2": "employer_address2",
    "EMPLOYER_ADDRESS_2": "employer_address2",
    "EMPLOYER_CITY": "employer_city",
    "EMPLOYER_STATE": "employer_state",
    "EMPLOYER_POSTAL_CODE": "employer_postal_code",
    "EMPLOYER_COUNTRY": "employer_country",
    "EMPLOYER_PHONE": "employer_phone",
    "EMPLOYER_FEIN": "employer_fein",
    "AGENT_ATTORNEY_NAME": "agent_attorney_name",
    "LAWFIRM_NAME": "lawfirm_name",
    "LAWFIRM_NAME_BUSINESS_NAME": "lawfirm_name",
    "JOB_TITLE": "job_title",
    "SOC_CODE": "soc_code",
    "SOC_CODE_ID": "soc_code",
    "SOC_TITLE": "soc_title",
    "NAIC_CODE": "naics_code",
    "NAICS_CODE": "naics_code",
    "PRIMARY_CROP": "primary_crop",
    "NBR_WORKERS_REQUESTED": "workers_requested",
    "TOTAL_WORKERS_H2A_REQUESTED": "workers_requested",
    "TOTAL_WORKERS_H-2A_REQUESTED": "workers_requested",
    "TOTAL_WORKERS_H_2A_REQUESTED": "workers_requested",
    "NBR_WORKERS_CERTIFIED": "workers_certified",
    "TOTAL_WORKERS_H2A_CERTIFIED": "workers_certified",
    "TOTAL_WORKERS_H-2A_CERTIFIED": "workers_certified",
    "TOTAL_WORKERS_H_2A_CERTIFIED": "workers_certified",
    "TOTAL_WORKERS_NEEDED": "total_workers_needed",
    "REQUESTED_START_DATE_OF_NEED": "requested_begin_date",
    "REQUESTED_BEGIN_DATE": "requested_begin_date",
    "REQUESTED_END_DATE_OF_NEED": "requested_end_date",
    "REQUESTED_END_DATE": "requested_end_date",
    "CERTIFICATION_BEGIN_DATE": "certification_begin_date",
    "CERTIFICATION_END_DATE": "certification_end_date",
    "JOB_START_DATE": "employment_begin_date",
    "EMPLOYMENT_BEGIN_DATE": "employment_begin_date",
    "JOB_END_DATE": "employment_end_date",
    "EMPLOYMENT_END_DATE": "employment_end_date",
    "BASIC_RATE_OF_PAY": "wage_rate",
    "WAGE_OFFER": "wage_rate",
    "BASIC_UNIT_OF_PAY": "wage_unit",
    "PER": "wage_unit",
    "ALIEN_WORK_CITY": "worksite_city",
    "WORKSITE_LOCATION_CITY": "worksite_city",
    "WORKSITE_CITY": "worksite_city",
    "ALIEN_WORK_STATE": "worksite_state",
    "WORKSITE_LOCATION_STATE": "worksite_state",
    "WORKSITE_STATE": "worksite_state",
    "WORKSITE_ST": "worksite_state",
    "WORKSITE_POSTAL_CODE": "worksite_postal_code",
    "WORKSITE_ZIP": "worksite_postal_code",
    "WORKSITE_COUNTY": "worksite_county",
    "ORGANIZATION_FLAG": "filer_type",
    "TYPE_OF_EMPLOYER_APPLICATION": "filer_type",
    "PRIMARY/SUB": "primary_sub",
    "PRIMARY_SUB": "primary_sub",
    "PRMARY/SUB": "primary_sub",
    "H2A_LABOR_CONTRACTOR": "is_labor_contractor",
    "AG_ASSN_OR_AGENCY_STATUS": "ag_association_status",
    "NATURE_OF_TEMPORARY_NEED": "nature_of_temporary_need",
    "NATURE-OF_TEMPORARY_NEED": "nature_of_temporary_need",
}
# FY2020+ split the agent's name; the canonical name joins the parts (blank parts skipped).
AGENT_NAME_PARTS = ("ATTORNEY_AGENT_FIRST_NAME", "ATTORNEY_AGENT_MIDDLE_NAME", "ATTORNEY_AGENT_LAST_NAME")
_JOINED_AGENT_NAME = "ATTORNEY_AGENT_FIRST_NAME+MIDDLE_NAME+LAST_NAME"
# A file that maps none of these is not a disclosure file, whatever else it holds.
ESSENTIAL = ("case_number", "case_status", "employer_name", "workers_certified")


def era_layout(era: Era) -> Layout:
    """The mapping table of one era: every published column -> canonical column or None (dropped)."""
    columns: dict[str, str | None] = {c: MAPPED.get(c) for c in era.header}
    # Only the columns we load are required: a re-issue that drops a column we ignore still loads.
    required = {c for c in era.header if c in MAPPED}
    for verified, alternatives in WORKER_COUNT_SPELLINGS.items():
        if verified in columns:  # FY2020+: accept H2A, H-2A and H_2A spellings (exactly one, see ESSENTIAL)
            columns.update({alt: MAPPED[alt] for alt in alternatives})
            required.discard(verified)
    return Layout(era.name, columns, frozenset(required))


DISCLOSURE_LAYOUTS: list[Layout] = [era_layout(era) for era in ERAS]

ADDENDUM_B_LAYOUTS: list[Layout] = [
    Layout(
        "Addendum B Employment (FY2020+)",
        {
            "CASE_NUMBER": "case_number",
            "NAME_OF_AGRICULTURAL_BUSINESS": "business_name",
            "PLACE_OF_EMPLOYMENT_ADDRESS1": "address1",
            "PLACE_OF_EMPLOYMENT_ADDRESS2": "address2",
            "PLACE_OF_EMPLOYMENT_CITY": "city",
            "PLACE_OF_EMPLOYMENT_STATE": "state",
            "PLACE_OF_EMPLOYMENT_POSTAL_CODE": "postal_code",
            "PLACE_OF_EMPLOYMENT_COUNTY": "county",
            "TOTAL_WORKERS": "total_workers",
            "ADDITONAL_PLACE_OF_EMPLOYMENT_INFO": "additional_info",  # sic, as published
            "ADDITIONAL_PLACE_OF_EMPLOYMENT_INFO": "additional_info",
        },
        frozenset(ADDENDUM_B_CONFIRMED),
    )
]


# --- Parsers ---------------------------------------------------------------------------------------


def parse_disclosure(path: Path, *, file: str, sha256: str) -> ParseResult:
    """Parse one fiscal year's main disclosure workbook into `raw_h2a__disclosure` rows.

    Raises:
        ParseError: no FY in the name, unreadable workbook, empty first sheet, unknown header, a row
            without a case number, or a value that does not parse as its column's type.
    """
    data, sheet = read_excel_sheet_as_text(Path(path), file=file)
    with in_memory_connection() as con:
        header = _drop_blank_unnamed(con, load_arrow_as_text(con, data, "_text"))
        match = _match(header, DISCLOSURE_LAYOUTS, file, sheet)
        mapping = dict(match.mapping)
        fiscal_year = _year_in(sheet) or _year_in(Path(file).name) or _decisions_fiscal_year(con, mapping)
        if fiscal_year is None:
            raise ParseError(
                file, "fiscal_year", f"no fiscal year in the sheet name {sheet!r}, the file name or the decision dates"
            )
        missing = [c for c in ESSENTIAL if c not in mapping]
        if missing:
            raise UnknownLayoutError(
                file, "header", f"sheet {sheet!r} ({match.layout.name}) has no column for {missing}"
            )
        if "agent_attorney_name" not in mapping and all(p in header for p in AGENT_NAME_PARTS):
            parts = ", ".join(f"nullif(trim({_q(p)}), '')" for p in AGENT_NAME_PARTS)
            con.execute(f'ALTER TABLE "_text" ADD COLUMN {_q(_JOINED_AGENT_NAME)} VARCHAR')
            con.execute(f"UPDATE \"_text\" SET {_q(_JOINED_AGENT_NAME)} = nullif(concat_ws(' ', {parts}), '')")
            mapping["agent_attorney_name"] = _JOINED_AGENT_NAME
        cast = _cast(con, header, match, DISCLOSURE, fiscal_year, "case_row", file=file, sha256=sha256, mapping=mapping)
    return ParseResult.of(cast, [*match.notes, f"sheet {sheet!r}", f"FY{fiscal_year}"], match.extra)


def parse_addendum_b(path: Path, *, file: str, sha256: str) -> ParseResult:
    """Parse one fiscal year's Addendum B Employment workbook into `raw_h2a__addendum_b_worksites` rows.

    Raises:
        ParseError: as `parse_disclosure`.
    """
    data, sheet = read_excel_sheet_as_text(Path(path), file=file)
    fiscal_year = _year_in(sheet) or fiscal_year_from_name(file)
    with in_memory_connection() as con:
        header = _drop_blank_unnamed(con, load_arrow_as_text(con, data, "_text"))
        match = _match(header, ADDENDUM_B_LAYOUTS, file, sheet)
        cast = _cast(con, header, match, ADDENDUM_B_WORKSITES, fiscal_year, "worksite_row", file=file, sha256=sha256)
    return ParseResult.of(cast, [*match.notes, f"sheet {sheet!r}", f"FY{fiscal_year}"], match.extra)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _drop_blank_unnamed(con: duckdb.DuckDBPyConnection, header: list[str]) -> list[str]:
    """Drop columns with a blank header cell *and* no value (Excel formatting residue); keep all others.

    A header-less column that holds values stays, so the layout match fails naming it.
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


def _match(header: list[str], layouts: list[Layout], file: str, sheet: str) -> LayoutMatch:
    try:
        return match_layout(header, layouts, file)
    except UnknownLayoutError as error:
        raise UnknownLayoutError(
            error.file, error.rule, f"first sheet {sheet!r}: {error.message}", error.problems, error.failing_count
        ) from error


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
    """The workbook's first sheet has the header of one of the disclosure eras."""
    return recognises(path, DISCLOSURE_LAYOUTS)


def is_addendum_b_file(path: Path) -> bool:
    """The workbook's first sheet has the Addendum B Employment header."""
    return recognises(path, ADDENDUM_B_LAYOUTS)
