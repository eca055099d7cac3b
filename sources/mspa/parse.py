"""Parse the MSPA farm labor contractor list (CSV or Excel export) into the canonical table.

WHD's CSV export (``FLCWksht.csv``) ends with a record-count trailer row (``8962,,,,,...``) and a
blank row, with CRLF line endings. A trailer whose count matches the rows read is checked and
dropped (said in the notes); one that does not match is an error naming its row: rows were lost.

Columns are recognised by meaning (``sources.mspa.columns``: every spelling a real export showed,
so far the legacy download's 13 columns), in any order and case. A header without the core
(certificate number, name, state, start and valid-until dates) fails naming what matched, what is
missing and the unrecognised columns; a file of another kind is refused saying what it is; other
columns no real export showed are kept in ``extra_columns`` with a warning. The current Tableau view
may export other names (and two newer expiry dates): they are to be added after checking a real export.

Dates mix ``2/26/2020`` and ``2/24/22``: the two-digit years are expanded here (00-68 -> 20xx,
69-99 -> 19xx) because the shared date formats try ``%m/%d/%Y`` first, which reads ``22`` as the year 22.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sources.common.casting import cast_to_contract
from sources.common.columns import ColumnDictionary, extra_columns_warning
from sources.common.duckdb_memory import in_memory_connection
from sources.common.errors import ParseError, Problem
from sources.common.file_kinds import is_file_of, match_by_meaning
from sources.common.parsing import ParseResult
from sources.common.text_cells import load_arrow_as_text, load_csv_as_text, read_excel_sheet_as_text, sniff_header
from sources.mspa.columns import FLC_COLUMNS
from sources.mspa.contract import FARM_LABOR_CONTRACTORS

_DATE_COLUMNS = ("certificate_start_date", "certificate_valid_until_date")


def is_flc_file(path: Path) -> bool:
    """The file's header (a workbook's first sheet's) holds the core of the registry and it is no other kind of file."""
    return is_file_of(sniff_header(path), FLC_COLUMNS, Path(path).name)


def parse_file(path: Path, *, file: str, sha256: str, columns: ColumnDictionary = FLC_COLUMNS) -> ParseResult:
    """Parse an FLC list CSV, XLSX or XLS into `raw_mspa__farm_labor_contractors` rows, its columns
    recognised by meaning (`sources.mspa.columns`).

    Raises:
        ParseError: unreadable file, a header without the core columns (or a file of another kind),
            malformed rows or values that do not parse.
    """
    path = Path(path)
    excel = path.suffix.lower() in (".xlsx", ".xls")
    notes: list[str] = []
    sheet = None
    with in_memory_connection() as con, tempfile.TemporaryDirectory() as tmp:
        if excel:
            data, sheet = read_excel_sheet_as_text(path, file=file)
            header = load_arrow_as_text(con, data, "_text")
            notes.append(f"sheet {sheet!r}")
            trailer = _excel_trailer(con, header)
        else:
            path, trailer = _without_csv_trailer(path, Path(tmp))
            header = load_csv_as_text(con, path, "_text", file=file)
        match = match_by_meaning(header, columns, file, sheet)
        if trailer:
            notes.append(_check_trailer(con, match.mapping.values(), trailer, file=file))
        mapping = match.mapping
        notes[:0] = [match.layout.name]
        notes += extra_columns_warning(match)
        for column in _DATE_COLUMNS:
            if column in mapping:
                _expand_two_digit_years(con, mapping[column])
        if excel and "flc_zip" in mapping:
            padded = _pad_numeric_zips(con, mapping["flc_zip"])
            if padded:
                notes.append(f"{padded} ZIP codes stored as Excel numbers zero-padded to 5 digits")
        blank = " AND ".join(f"nullif(trim({_q(c)}), '') IS NULL" for c in mapping.values())
        cast = cast_to_contract(
            con,
            "_text",
            FARM_LABOR_CONTRACTORS,
            mapping,
            file=file,
            sha256=sha256,
            excel_serials=excel,
            where=f"NOT ({blank})",  # Excel exports can end with empty rows
            extra=match.extra,
        )
    return ParseResult.of(cast, notes, match.extra)


# A record-count trailer: a number in the first cell and nothing else (any number of empty cells).
_TRAILER = re.compile(rb'\s*"?(\d+)"?\s*(?:,\s*(?:"")?\s*)*')


@dataclass(frozen=True)
class Trailer:
    """The record count a trailer row declares, and the row it sits on (1-based, header excluded)."""

    count: int
    row: int


def _without_csv_trailer(path: Path, tmp: Path) -> tuple[Path, Trailer | None]:
    """The CSV without its trailing blank lines and record-count trailer (a cleaned copy), and the trailer."""
    lines = path.read_bytes().splitlines(keepends=True)
    end = len(lines)
    while end > 1 and not lines[end - 1].strip(b' ,"\t\r\n'):
        end -= 1
    trailer = _TRAILER.fullmatch(lines[end - 1].rstrip(b"\r\n")) if end > 1 else None
    if trailer is None and end == len(lines):
        return path, None
    cleaned = tmp / path.name
    cleaned.write_bytes(b"".join(lines[: end - 1] if trailer else lines[:end]))
    return cleaned, Trailer(int(trailer.group(1)), end - 1) if trailer else None


def _excel_trailer(con: duckdb.DuckDBPyConnection, header: list[str]) -> Trailer | None:
    """A last non-blank sheet row holding only a number in its first cell is a trailer; it is removed."""
    first, rest = _q(header[0]), [_q(c) for c in header[1:]]
    blank_rest = " AND ".join(f"nullif(trim({c}), '') IS NULL" for c in rest) or "true"
    last = con.execute(
        f"""SELECT source_row, trim({first}) FROM _text
            WHERE coalesce(nullif(trim({first}), ''), {", ".join(f"nullif(trim({c}), '')" for c in rest) or "NULL"})
                  IS NOT NULL
            ORDER BY source_row DESC LIMIT 1"""
    ).fetchone()
    if not last or not re.fullmatch(r"\d+(\.0)?", last[1] or ""):
        return None
    (is_trailer,) = con.execute(f"SELECT {blank_rest} FROM _text WHERE source_row = ?", [last[0]]).fetchone()
    if not is_trailer:
        return None
    con.execute("DELETE FROM _text WHERE source_row = ?", [last[0]])
    return Trailer(int(float(last[1])), int(last[0]))


def _check_trailer(con: duckdb.DuckDBPyConnection, columns, trailer: Trailer, *, file: str) -> str:
    """The trailer's count must equal the (non-blank) rows read; else rows were lost or added."""
    any_value = " OR ".join(f"nullif(trim({_q(c)}), '') IS NOT NULL" for c in columns)
    (rows,) = con.execute(f"SELECT count(*) FROM _text WHERE {any_value}").fetchone()
    if rows != trailer.count:
        raise ParseError(
            file,
            "trailer_count",
            f"the record-count trailer row says {trailer.count:,} records but the file has {rows:,}",
            [
                Problem(
                    "trailer_count",
                    "record count does not match the rows read",
                    row=trailer.row,
                    value=str(trailer.count),
                )
            ],
        )
    return f"record-count trailer row {trailer.row} ({trailer.count:,} records) matches the rows read: dropped"


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
