"""Parse the MSPA farm labor contractor list (CSV or Excel export) into the canonical table.

The header must be the legacy download's 13 columns (see contract.PUBLISHED_COLUMNS); the current
Tableau view may export other names (and two newer expiry dates): such a header fails naming the
columns, to be mapped after checking a real export. Dates mix ``2/26/2020`` and ``2/24/22``: the
two-digit years are expanded here (00-68 -> 20xx, 69-99 -> 19xx) because the shared date formats try
``%m/%d/%Y`` first, which reads ``22`` as the year 22.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from sources.common.parsing import (
    Layout,
    ParseResult,
    cast_to_contract,
    load_arrow_as_text,
    load_csv_as_text,
    match_layout,
    read_excel_sheet_as_text,
)
from sources.mspa.contract import FARM_LABOR_CONTRACTORS, PUBLISHED_COLUMNS

LAYOUTS = [Layout("legacy FLC list download (13 columns)", PUBLISHED_COLUMNS, frozenset(PUBLISHED_COLUMNS))]
_DATE_COLUMNS = ("certificate_start_date", "certificate_valid_until_date")


def parse_file(path: Path, *, file: str, sha256: str) -> ParseResult:
    """Parse an FLC list CSV, XLSX or XLS into `raw_mspa__farm_labor_contractors` rows.

    Raises:
        ParseError: unreadable file, unknown layout, malformed rows or values that do not parse.
    """
    path = Path(path)
    excel = path.suffix.lower() in (".xlsx", ".xls")
    notes: list[str] = []
    with duckdb.connect() as con:
        if excel:
            data, sheet = read_excel_sheet_as_text(path, file=file)
            header = load_arrow_as_text(con, data, "_text")
            notes.append(f"sheet {sheet!r}")
        else:
            header = load_csv_as_text(con, path, "_text", file=file)
        layout, mapping = match_layout(header, LAYOUTS, file)
        notes.insert(0, layout.name)
        for column in _DATE_COLUMNS:
            _expand_two_digit_years(con, mapping[column])
        if excel:
            padded = _pad_numeric_zips(con, mapping["flc_zip"])
            if padded:
                notes.append(f"{padded} ZIP codes stored as Excel numbers zero-padded to 5 digits")
        blank = " AND ".join(f"nullif(trim({_q(c)}), '') IS NULL" for c in mapping.values())
        table = cast_to_contract(
            con,
            "_text",
            FARM_LABOR_CONTRACTORS,
            mapping,
            file=file,
            sha256=sha256,
            excel_serials=excel,
            where=f"NOT ({blank})",  # Excel exports can end with empty rows
        )
    return ParseResult(table, notes)


def _expand_two_digit_years(con: duckdb.DuckDBPyConnection, column: str) -> None:
    col = _q(column)
    year = f"CAST(regexp_extract(trim({col}), '(\\d{{2}})$', 1) AS INTEGER)"
    con.execute(
        f"""UPDATE _text
            SET {col} = regexp_extract(trim({col}), '^(\\d{{1,2}}/\\d{{1,2}}/)', 1)
                        || CAST({year} + CASE WHEN {year} < 69 THEN 2000 ELSE 1900 END AS VARCHAR)
            WHERE regexp_full_match(trim({col}), '\\d{{1,2}}/\\d{{1,2}}/\\d{{2}}')"""
    )


def _pad_numeric_zips(con: duckdb.DuckDBPyConnection, column: str) -> int:
    """A ZIP written as an Excel number loses its leading zeros ('2134'); US ZIPs have five digits."""
    col = _q(column)
    where = f"regexp_full_match(trim({col}), '\\d{{3,4}}')"
    (count,) = con.execute(f"SELECT count(*) FROM _text WHERE {where}").fetchone()
    con.execute(f"UPDATE _text SET {col} = lpad(trim({col}), 5, '0') WHERE {where}")
    return count


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
