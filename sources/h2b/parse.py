"""Parse OFLC H-2B disclosure files: the FY2000-FY2005 CSVs, the FY2008+ workbooks (an .xls in FY2013).

The same machinery as H-2A (`sources.common.oflc`): the first sheet (or the CSV) is read as text, each
column recognised by its meaning through `sources.h2b.columns`, cast to the contract in DuckDB, the
fiscal year taken from the decision dates (sheet and file names are hints) and the rows of a case
numbered. A file of another kind (an H-2A file, an H-2B appendix, ...) is refused in one line.
"""

from __future__ import annotations

from pathlib import Path

from sources.common.columns import ColumnDictionary, LayoutMatch, extra_columns_warning
from sources.common.duckdb_memory import in_memory_connection
from sources.common.errors import ParseError, UnknownLayoutError
from sources.common.file_kinds import H2A_DISCLOSURE, describe_kind, match_by_meaning
from sources.common.oflc import (
    cast_case_rows,
    completeness,
    disclosure_fiscal_year,
    fiscal_year_from_name,
    holds_core,
    load_first_sheet,
    quoted,
    select_files,
    sheet_note,
    state_names_to_codes,
)
from sources.common.parsing import ParseResult
from sources.h2b.columns import AGENT_NAME_PARTS, DISCLOSURE_COLUMNS
from sources.h2b.contract import DISCLOSURE

# H-2B_FY2000.csv, H-2B_FY2008.xlsx, H-2B_FY2013.xls, H-2B_FY14_Q4.xlsx, H-2B_Disclosure_Data_FY16_Q1.xlsx,
# H-2B_Disclosure_Data_FY2018_Q4_EOY.xlsx, H2B_Disclosure_Data_FY2021_Q1.xlsx, H-2B_Disclosure_FY2024_Q4.xlsx.
# Appendix files do not match.
DISCLOSURE_PATTERN = r"H-?2B_(?:Disclosure_(?:Data_)?)?FY(?:\d{4}|\d{2})(?:_(?:Q[1-4]|EOY|updated))*\.(?:xlsx?|csv)"

_STATES = ("employer_state", "worksite_state")
_MEASURES = ("workers_certified", "workers_requested", "decision_date", "case_status")

__all__ = ["DISCLOSURE_PATTERN", "completeness", "fiscal_year_of", "parse_disclosure", "select_files"]


def parse_disclosure(
    path: Path, *, file: str, sha256: str, columns: ColumnDictionary = DISCLOSURE_COLUMNS
) -> ParseResult:
    """Parse one fiscal year's H-2B disclosure file into `raw_h2b__disclosure` rows.

    Raises:
        ParseError: unreadable file, a header without the core columns (or a file of another kind), no
            fiscal year, or a value that does not parse as its column's type (too many rows set aside).
    """
    with in_memory_connection() as con:
        header, sheet = load_first_sheet(con, Path(path), file)
        match = _match(con, header, columns, file, sheet)
        mapping = dict(match.mapping)
        fiscal_year, year_warnings = disclosure_fiscal_year(con, mapping, sheet, file)
        _join_agent_name(con, header, mapping)
        state_notes = state_names_to_codes(con, mapping, _STATES)
        cast = cast_case_rows(
            con, header, match, DISCLOSURE, fiscal_year, "case_row", file=file, sha256=sha256, mapping=mapping
        )
    missing = [
        f"warning: no column for {m}: it is null for every row of this file" for m in _MEASURES if m not in mapping
    ]
    notes = [match.layout.name, sheet_note(sheet), f"FY{fiscal_year}", *year_warnings, *state_notes, *missing]
    return ParseResult.of(cast, [*notes, *extra_columns_warning(match)], match.extra)


def _join_agent_name(con, header: list[str], mapping: dict[str, str]) -> None:
    """Join an agent's name published in parts (first, middle, last) into agent_attorney_name."""
    if "agent_attorney_name" in mapping:
        return
    for parts in AGENT_NAME_PARTS:
        if all(p in header for p in parts):
            joined = "+".join(parts)
            values = ", ".join(f"nullif(trim({quoted(p)}), '')" for p in parts)
            con.execute(f'ALTER TABLE "_text" ADD COLUMN {quoted(joined)} VARCHAR')
            con.execute(f"UPDATE \"_text\" SET {quoted(joined)} = nullif(concat_ws(' ', {values}), '')")
            mapping["agent_attorney_name"] = joined
            return


def _match(con, header: list[str], columns: ColumnDictionary, file: str, sheet: str | None) -> LayoutMatch:
    """The header by meaning, after making sure the file is no other kind (an H-2A file is told by its
    columns, or by every visa class being H-2A)."""
    try:
        match = match_by_meaning(header, columns, file, sheet)
    except UnknownLayoutError as error:
        where = f"first sheet {sheet!r}: " if sheet and error.rule != "file_kind" else ""
        raise UnknownLayoutError(
            error.file, error.rule, where + error.message, error.problems, error.failing_count
        ) from error
    if "visa_class" in match.mapping:
        column = quoted(match.mapping["visa_class"])
        (classes,) = con.execute(
            f"SELECT list(DISTINCT upper(replace(trim({column}), '-', ''))) FROM \"_text\" "
            f"WHERE nullif(trim({column}), '') IS NOT NULL"
        ).fetchone()
        if classes and set(classes) == {"H2A"}:
            raise UnknownLayoutError(file, "file_kind", describe_kind(H2A_DISCLOSURE, columns))
    return match


def fiscal_year_of(path: Path, name: str | None = None) -> int:
    """The fiscal year of a disclosure file: most of its decision dates', else its sheet or file name's.

    A file that cannot be read or is not an H-2B disclosure file is judged by its names, so it reaches
    its fiscal year's partition and is quarantined there with the parser's own error; a path that does
    not exist (a remote file before download) is judged by its name.

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
            mapping = DISCLOSURE_COLUMNS.match(header, name).mapping
        except UnknownLayoutError:
            mapping = {}
        year, _ = disclosure_fiscal_year(con, mapping, sheet, name)
    return year


def is_disclosure_file(path: Path) -> bool:
    """The file's header holds the core of the H-2B disclosure table and it is no other kind of file."""
    return holds_core(path, DISCLOSURE_COLUMNS)
