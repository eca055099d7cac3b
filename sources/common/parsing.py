"""Shared parsing machinery: match a header to a known layout, load text cells, cast to a contract.

Every parser follows the same three steps, all inside DuckDB so no Python loop touches rows:

1. load the file's cells as text into a DuckDB table (`load_csv_as_text`, `load_excel_as_text`),
   with a 1-based ``source_row``;
2. match the header against the source's known layouts (`match_layout`) -- an unknown header is an
   error naming the unmapped and the missing columns, never a guess;
3. cast text to the contract types (`cast_to_contract`): blanks become NULL, thousands separators
   and ``$`` are dropped, dates accept the documented formats and Excel serial numbers; a row with a
   non-blank value that does not cast, or a blank key, is set aside naming its row, column and value
   (the load keeps it in audit.rejected_rows), and a file with too many such rows is refused whole
   (`too_many_set_aside`, `set_aside_error`).

Source-specific knowledge (layouts, file names, quirks) stays in the source modules.
"""

from __future__ import annotations

import codecs
import csv
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb
import pyarrow as pa

from sources.common.contract import EXTRA_COLUMNS, PROVENANCE_COLUMNS, TableContract
from sources.common.errors import MAX_EXAMPLES, ParseError, Problem, UnknownLayoutError
from sources.common.reference import STATE_BY_NAME

# Date formats seen across the DOL/BLS publications, tried in order.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    # Two-digit years first: "%m/%d/%Y" would read "2/24/22" as the year 22; "%y" rejects 4 digits.
    "%m/%d/%y",
    "%m/%d/%y %H:%M:%S",  # H-2A FY2006: "05/20/06 00:00:00"
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d-%b-%y",
)
# Excel's 1900 date system counts days from 1899-12-30 (it believes 1900 was a leap year).
EXCEL_EPOCH = "DATE '1899-12-30'"
_TRUE = ("Y", "YES", "TRUE", "T", "1")
_FALSE = ("N", "NO", "FALSE", "F", "0")


@dataclass(frozen=True)
class Layout:
    """One publication era's header: published column name -> canonical column (None = dropped).

    `required` columns must be present for a file to be of this layout; every other known column
    may be absent. A column the layout does not know is an *extra* column: kept, reported, never fatal.
    """

    name: str
    columns: Mapping[str, str | None]
    required: frozenset[str] = field(default_factory=frozenset)

    def missing(self, header: set[str]) -> set[str]:
        return set(self.required) - header

    def unmapped(self, header: set[str]) -> set[str]:
        return header - set(self.columns)


@dataclass(frozen=True)
class LayoutMatch:
    """The layout a header belongs to, with canonical -> published names and the extra columns."""

    layout: Layout
    mapping: dict[str, str]
    extra: tuple[str, ...] = ()

    @property
    def notes(self) -> list[str]:
        extra = f"; extra columns kept in extra_columns: {list(self.extra)}" if self.extra else ""
        return [self.layout.name + extra]


def normalise_header(header: Iterable[str]) -> list[str]:
    """Strip BOMs, surrounding blanks and non-breaking spaces from header cells."""
    return [str(h).replace("\ufeff", "").replace("\xa0", " ").strip() for h in header]


def candidate_layouts(header: Iterable[str], layouts: list[Layout]) -> list[Layout]:
    """The layouts whose required columns are all in the header, fewest extra columns first."""
    present = set(header)
    found = [layout for layout in layouts if not layout.missing(present)]
    return sorted(found, key=lambda layout: len(layout.unmapped(present)))


def match_layout(header: list[str], layouts: list[Layout], file: str) -> LayoutMatch:
    """Sniff the layout a header belongs to: every required column present, fewest extra columns.

    Raises:
        UnknownLayoutError: duplicated header cells, or no layout finds all its required columns (the
            error names the closest layout with its missing and extra columns).
    """
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise UnknownLayoutError(file, "header", f"duplicated column names {duplicates}")
    candidates = candidate_layouts(header, layouts)
    if candidates:
        layout = candidates[0]
        extra = tuple(h for h in header if h not in layout.columns)
        return LayoutMatch(layout, _canonical_map(layout, header, file), extra)
    present = set(header)
    closest = min(layouts, key=lambda lay: (len(lay.missing(present)), len(lay.unmapped(present))))
    extra, missing = sorted(closest.unmapped(present)), sorted(closest.missing(present))
    problems = [Problem("header", "required column is missing", column=c, row=1) for c in missing]
    problems += [Problem("header", "column is in no known layout", column=c, row=1) for c in extra]
    raise UnknownLayoutError(
        file,
        "header",
        f"unknown column layout (closest known: {closest.name}); missing columns: {missing or 'none'}; "
        f"extra columns: {extra or 'none'}. Add the layout to the source's mapping table after checking it.",
        problems,
    )


def sniff_header(path: Path) -> list[str] | None:
    """The header of a CSV, of the first CSV member of a zip, or of a workbook's first sheet.

    Used to recognise a file by its contents whatever its name; None when the file cannot be read
    that way (the parser then says why). Header cells are normalised; blank Excel header cells
    (``__UNNAMED__n``) are left out.
    """
    import zipfile

    suffix = Path(path).suffix.lower()
    try:
        if suffix in (".xlsx", ".xls", ".xlsm"):
            import fastexcel

            sheet = fastexcel.read_excel(str(path)).load_sheet(0, n_rows=0)
            names = [c.name for c in sheet.available_columns()]
            return [h for h in normalise_header(names) if not h.startswith("__UNNAMED__")]
        if suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = sorted(n for n in archive.namelist() if n.lower().endswith(".csv"))
                if not members:
                    return None
                with archive.open(members[0]) as handle:
                    first = handle.readline().decode("utf-8", errors="replace")
            return normalise_header(next(csv.reader([first]), []))
        return normalise_header(csv_header(Path(path)))
    except Exception:  # any unreadable file: not recognised here, the parser names the problem
        return None


def recognises(path: Path, layouts: list[Layout]) -> bool:
    """True when the file's header has every required column of one of the layouts."""
    header = sniff_header(path)
    return bool(header) and bool(candidate_layouts(header, layouts))


def _canonical_map(layout: Layout, header: list[str], file: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for published in header:
        canonical = layout.columns.get(published)
        if canonical is None:
            continue
        if canonical in mapping:
            raise UnknownLayoutError(
                file, "header", f"columns {mapping[canonical]!r} and {published!r} both map to {canonical!r}"
            )
        mapping[canonical] = published
    return mapping


# --------------------------------------------------------------------------------------------
# Loading cells as text
# --------------------------------------------------------------------------------------------


def load_csv_as_text(con: duckdb.DuckDBPyConnection, path: Path, table: str, *, file: str) -> list[str]:
    """Load a CSV (header row + data) into `table` as all-VARCHAR columns plus `source_row`.

    Bytes that are not UTF-8 (cp1252/latin-1 employer names) are transcoded line by line first.
    Returns the normalised header.

    Raises:
        ParseError: empty file, or a row whose shape does not match the header (e.g. truncated).
    """
    if path.stat().st_size == 0:
        raise ParseError(file, "not_empty", "the file is empty (0 bytes)")
    try:
        _read_csv_into(con, path, table)
    except duckdb.InvalidInputException as error:
        if "unicode" not in str(error).lower():
            raise _csv_error(file, error) from error
        with tempfile.TemporaryDirectory() as tmp:
            utf8 = Path(tmp) / "utf8.csv"
            transcode_to_utf8(path, utf8)
            try:
                _read_csv_into(con, utf8, table)
            except duckdb.Error as retry_error:
                raise _csv_error(file, retry_error) from retry_error
    except duckdb.Error as error:
        raise _csv_error(file, error) from error
    header = [c for c in _columns(con, table) if c != "source_row"]
    if not header:
        raise ParseError(file, "not_empty", "the file has no header row")
    unnamed = [n for n, name in enumerate(normalise_header(header), start=1) if not name]
    if unnamed:
        problems = [Problem("header", "the header cell is blank", column=f"column {n}", row=1) for n in unnamed]
        raise ParseError(file, "header", f"header cells without a name at positions {unnamed}", problems)
    return _rename_normalised(con, table, header)


def _read_csv_into(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    # Explicit dialect (the publications use RFC-4180 quoting), no sniffing, strict rows: a truncated
    # last row or an unterminated quote must fail, not be padded. One thread keeps row numbers in
    # file order.
    header = csv_header(path)
    columns = "{" + ", ".join(f"'{name.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for name in header) + "}"
    con.execute("SET threads = 1")
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE "{table}" AS
            SELECT *, row_number() OVER () AS source_row
            FROM read_csv(?, header = true, auto_detect = false, columns = {columns}, delim = ',',
                          quote = '"', escape = '"', strict_mode = true, null_padding = false,
                          encoding = 'utf-8')
            """,
            [str(path)],
        )
    finally:
        con.execute("RESET threads")


def csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        header = next(csv.reader(handle), [])
    if not header:
        raise duckdb.InvalidInputException("the file has no header row")
    return header


def _csv_error(file: str, error: Exception) -> ParseError:
    text = str(error)
    line = re.search(r"[Ll]ine:? (\d+)", text)
    row = int(line.group(1)) - 1 if line else None  # DuckDB counts the header line
    if "Expected Number of Columns" in text or "unterminated" in text.lower() or "quote" in text.lower():
        rule, message = "row_shape", "a row does not have the header's columns (truncated or malformed file)"
    else:
        rule, message = "csv_readable", "the CSV could not be read"
    detail = text.splitlines()[0][:300]
    return ParseError(file, rule, message, [Problem(rule, detail, row=row)])


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as cp1252 (latin-1 for the 5 bytes cp1252 leaves undefined)."""
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", errors="strict") if _cp1252_defined(chunk) else chunk.decode("latin-1"), error.end


def _cp1252_defined(chunk: bytes) -> bool:
    return not any(b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) for b in chunk)


codecs.register_error("utf8_else_cp1252", _cp1252_fallback)


def decode_mixed(data: bytes) -> str:
    """UTF-8 text where stray non-UTF-8 bytes (cp1252 names in a UTF-8 file) are decoded as cp1252."""
    return data.decode("utf-8", errors="utf8_else_cp1252")


def transcode_to_utf8(source: Path, target: Path) -> int:
    """Rewrite a file as UTF-8, decoding stray non-UTF-8 bytes as cp1252. Returns the lines fixed."""
    fixed = 0
    with open(source, "rb") as src, open(target, "wb") as out:
        for line in src:
            text = decode_mixed(line)
            encoded = text.encode("utf-8")
            fixed += encoded != line
            out.write(encoded)
    return fixed


def load_arrow_as_text(con: duckdb.DuckDBPyConnection, data: pa.Table, table: str) -> list[str]:
    """Register an Arrow table of text cells as `table` with a 1-based `source_row`."""
    con.register("_arrow_in", data)
    try:
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT *, row_number() OVER () AS source_row FROM _arrow_in'
        )
    finally:
        con.unregister("_arrow_in")
    return _rename_normalised(con, table, [c for c in data.column_names])


def read_excel_sheet_as_text(path: Path, *, file: str, sheet: int | str = 0) -> tuple[pa.Table, str]:
    """Read one sheet of an .xlsx/.xls as text cells (header in row 1). Returns (table, sheet name).

    Raises:
        ParseError: the workbook cannot be opened, or the sheet is missing or empty.
    """
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as error:  # fastexcel raises its own hierarchy for every kind of bad workbook
        raise ParseError(file, "workbook_readable", f"not a readable Excel workbook: {error}") from error
    names = reader.sheet_names
    if isinstance(sheet, str) and sheet not in names:
        raise ParseError(file, "sheet", f"sheet {sheet!r} not found; the workbook has {names}")
    if not names:
        raise ParseError(file, "sheet", "the workbook has no sheets")
    try:
        loaded = reader.load_sheet(sheet, dtypes="string")
    except Exception as error:
        raise ParseError(file, "sheet", f"sheet {sheet!r} could not be read: {error}") from error
    data = loaded.to_arrow()
    if data.num_columns == 0:
        raise ParseError(file, "not_empty", f"sheet {loaded.name!r} is empty")
    return data, loaded.name


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f'DESCRIBE "{table}"').fetchall()]


def _rename_normalised(con: duckdb.DuckDBPyConnection, table: str, header: list[str]) -> list[str]:
    normalised = normalise_header(header)
    for old, new in zip(header, normalised, strict=True):
        if old != new and new not in header:
            con.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{old}" TO "{new}"')
    return normalised


def spelled_out_states_to_codes(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    """Replace state names written out ('FLORIDA', 'New Mexico') by their codes in a text column.

    Some publications spell states out (H-2A FY2006, Addendum B files); codes are left as they are.
    Returns how many cells changed.
    """
    names = ", ".join(f"({_literal(name)}, {_literal(state.code)})" for name, state in STATE_BY_NAME.items())
    key = f"upper(regexp_replace(trim({_q(column)}), '\\s+', ' ', 'g'))"
    (changed,) = con.execute(
        f"""WITH names(name, code) AS (VALUES {names})
            SELECT count(*) FROM "{table}" JOIN names ON {key} = names.name"""
    ).fetchone()
    if changed:
        con.execute(
            f"""UPDATE "{table}" SET {_q(column)} = names.code
                FROM (VALUES {names}) AS names(name, code) WHERE {key} = names.name"""
        )
    return int(changed)


# --------------------------------------------------------------------------------------------
# Casting text to the contract
# --------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _blank_to_null(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def _number(expr: str) -> str:
    cleaned = f"replace(replace(replace({_blank_to_null(expr)}, ',', ''), '$', ''), ' ', '')"
    # "(123.45)" is an accounting negative in some exports.
    cleaned = f"regexp_replace({cleaned}, '^\\((.*)\\)$', '-\\1')"
    return f"try_cast({cleaned} AS DOUBLE)"


# US time zones DOL writes after a time ("2015-02-20 01:00:06 EST"), as minutes east of UTC.
ZONE_OFFSETS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
    "AKST": -540,
    "AKDT": -480,
    "HST": -600,
}
# A zone after a time of day: a numeric offset ("+00:00", "-0500") or one of the abbreviations above.
_ZONE_AFTER_TIME = (
    r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*([+-]\d{2}:?\d{2}|"
    + "|".join(sorted(ZONE_OFFSETS, key=len, reverse=True))
    + ")$"
)


def _date(expr: str, excel_serials: bool, *, to_utc: bool = False) -> str:
    """SQL parsing a text cell as a timestamp: the documented formats, Excel serials, a trailing zone.

    A zone after the time ("2019-08-24 00:00:00+00:00", "... 01:00:06 EST") is removed before parsing;
    with `to_utc` (timestamp columns) the time is shifted to UTC, otherwise (date columns) the date
    is kept as written.
    """
    text = _blank_to_null(expr)
    zone = f"regexp_extract({text}, '{_ZONE_AFTER_TIME}', 1)"
    wall = f"CASE WHEN {zone} = '' THEN {text} ELSE rtrim(left({text}, length({text}) - length({zone}))) END"
    formats = ", ".join(f"'{f}'" for f in DATE_FORMATS)
    parsed = f"try_strptime({wall}, [{formats}])"
    if to_utc:
        named = " ".join(f"WHEN '{name}' THEN {minutes}" for name, minutes in ZONE_OFFSETS.items())
        numeric = (
            f"(CASE WHEN left({zone}, 1) = '-' THEN -1 ELSE 1 END) * (CAST(substr({zone}, 2, 2) AS INTEGER) * 60 "
            f"+ CAST(right({zone}, 2) AS INTEGER))"
        )
        offset = f"CASE {zone} WHEN '' THEN 0 {named} ELSE {numeric} END"
        parsed = f"({parsed} - to_minutes(CAST({offset} AS BIGINT)))"
    if excel_serials:
        serial = f"try_cast({text} AS DOUBLE)"
        from_serial = (
            f"CAST({EXCEL_EPOCH} + to_microseconds(CAST(round({serial} * 86400000000) AS BIGINT)) AS TIMESTAMP)"
        )
        parsed = f"coalesce({parsed}, CASE WHEN {serial} BETWEEN 1 AND 2958465 THEN {from_serial} END)"
    return parsed


def typed_expression(source_col: str, contract_type: str, excel_serials: bool) -> str:
    """SQL casting a text column to a contract type (blank -> NULL; a non-blank that does not parse -> NULL)."""
    col = _q(source_col)
    if contract_type == "string":
        return _blank_to_null(col)
    if contract_type == "double":
        return _number(col)
    if contract_type == "int":
        number = _number(col)
        return f"CASE WHEN {number} = trunc({number}) AND abs({number}) < 9e15 THEN CAST({number} AS BIGINT) END"
    if contract_type == "date":
        return f"CAST({_date(col, excel_serials)} AS DATE)"
    if contract_type == "timestamp":
        return _date(col, excel_serials, to_utc=True)
    if contract_type == "bool":
        upper = f"upper({_blank_to_null(col)})"
        return f"CASE WHEN {upper} IN {_TRUE} THEN true WHEN {upper} IN {_FALSE} THEN false END"
    raise ValueError(f"unknown contract type {contract_type}")


# What a row set aside at casting carries (ParseResult.set_aside): where it is, why, and the raw text.
SET_ASIDE_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_sha256", pa.string()),
        ("source_row", pa.int64()),
        ("rule", pa.string()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("message", pa.string()),
    ]
)
TYPES_PARSE, REQUIRED_VALUE = "types_parse", "required_value"


@dataclass(frozen=True)
class Cast:
    """A text table cast to its contract: the rows that cast, and the rows set aside (SET_ASIDE_SCHEMA:
    one row per failing cell; a row can fail in several columns)."""

    table: pa.Table
    set_aside: pa.Table


def cast_to_contract(
    con: duckdb.DuckDBPyConnection,
    table: str,
    contract: TableContract,
    mapping: Mapping[str, str],
    *,
    file: str | None,
    sha256: str | None,
    derived: Mapping[str, str] | None = None,
    excel_serials: bool = False,
    where: str | None = None,
    extra: Sequence[str] = (),
) -> Cast:
    """Cast the text table to the contract's types, in contract column order, setting bad rows aside.

    A row with a non-blank cell that does not parse as its column's type ("types_parse"), or a blank
    cell in a column the contract says is never null ("required_value"), is not in the result: it is
    set aside, cell by cell, with its file, row, column and raw text (`Cast.set_aside`). Whether a
    file with so many rows set aside is refused whole is the caller's decision (`check_set_aside`).

    Args:
        mapping: canonical column -> published column; contract columns absent from it are NULL
            unless `derived` gives them a SQL expression over the typed columns.
        extra: published columns no layout knows; their non-blank values go into `extra_columns`.
        derived: canonical column -> SQL expression evaluated after casting (e.g. fiscal year).
        where: optional SQL filter over the text table (e.g. skip blank spacer rows).
        file, sha256: the raw file of every row; None when the text table holds several files and
            names each row's in `_file` / `_sha256` columns (batch parsing).
    """
    derived = dict(derived or {})
    typed = {EXTRA_COLUMNS: _extra_columns_json(extra)}
    for column in contract.columns:
        if column.name in (EXTRA_COLUMNS, *PROVENANCE_COLUMNS) or column.name in derived:
            continue
        published = mapping.get(column.name)
        typed[column.name] = (
            f"CAST(NULL AS {column.duckdb_type})"
            if published is None
            else typed_expression(published, column.type, excel_serials)
        )
    checks = _cast_checks(contract, mapping, typed)
    select = ",\n".join(f"{expr} AS {_q(name)}" for name, expr in typed.items())
    nonblank = "".join(f", {_blank_to_null(_q(mapping[n]))} IS NOT NULL AS {_q(_NONBLANK + n)}" for n in checks)
    failed = "".join(f", {_q(_NONBLANK + n)} AND {_q(n)} IS NULL AS {_q(_FAILED + n)}" for n in checks)
    filter_sql = f"WHERE {where}" if where else ""
    # Batch parsing (many files in one text table) carries each row's file in _file/_sha256 columns.
    if file is None:
        provenance, params = "_file AS source_file, _sha256 AS source_sha256", []
    else:
        provenance, params = "CAST(? AS VARCHAR) AS source_file, CAST(? AS VARCHAR) AS source_sha256", [file, sha256]
    # Each cast is evaluated once: the outer select flags non-blank cells whose cast gave NULL.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "_typed" AS
        SELECT *{failed} FROM (
            SELECT {select}, {provenance}, CAST(source_row AS BIGINT) AS source_row{nonblank}
            FROM "{table}" {filter_sql}
        )""",
        params,
    )
    con.execute(
        'CREATE OR REPLACE TEMP TABLE "_set_aside" (source_file VARCHAR, source_sha256 VARCHAR, source_row BIGINT, '
        'rule VARCHAR, "column" VARCHAR, value VARCHAR, message VARCHAR)'
    )
    _set_aside_cast_failures(con, table, contract, checks, provenance=provenance, params=params, where=where)
    _set_aside_missing_required(con, contract, mapping, checks, [n for n in typed if n not in derived])
    (set_aside_cells,) = con.execute('SELECT count(*) FROM "_set_aside"').fetchall()[0]
    kept = (
        'SELECT * FROM "_typed" ANTI JOIN (SELECT DISTINCT source_file, source_row FROM "_set_aside") AS bad '
        "USING (source_file, source_row)"
        if set_aside_cells
        else 'SELECT * FROM "_typed"'
    )
    final = ", ".join(
        f"CAST({derived[c.name]} AS {c.duckdb_type}) AS {_q(c.name)}" if c.name in derived else _q(c.name)
        for c in contract.columns
    )
    result = con.sql(f"SELECT {final} FROM ({kept}) ORDER BY source_file, source_row").to_arrow_table()
    set_aside = con.sql('SELECT * FROM "_set_aside" ORDER BY source_file, source_row, rule, "column"').to_arrow_table()
    return Cast(result.cast(contract.arrow_schema()), set_aside.cast(SET_ASIDE_SCHEMA))


def _set_aside_missing_required(con, contract: TableContract, mapping, checks, columns: Sequence[str]) -> None:
    """A blank cell in a column the contract says is never null (a key) sets its row aside."""
    required = [n for n in columns if not contract.column(n).nullable]
    if not required:
        return
    # fetchall: a half-fetched result would block the connection's next query.
    (counts,) = con.execute(
        "SELECT " + ", ".join(f"count_if({_q(n)} IS NULL)" for n in required) + ' FROM "_typed"'
    ).fetchall()
    for name, count in zip(required, counts, strict=True):
        if not count:
            continue
        # A value that did not cast is set aside as such already, not again as a blank.
        not_failed = f" AND NOT {_q(_FAILED + name)}" if name in checks else ""
        con.execute(
            f"""INSERT INTO "_set_aside"
                SELECT source_file, source_sha256, source_row, '{REQUIRED_VALUE}', ?, NULL, ?
                FROM "_typed" WHERE {_q(name)} IS NULL{not_failed}""",
            [mapping.get(name, name), f"{name} is blank"],
        )


def _extra_columns_json(extra: Sequence[str]) -> str:
    """SQL for a JSON object of the extra columns' non-blank text values, NULL when there are none."""
    if not extra:
        return "CAST(NULL AS VARCHAR)"
    entries = ", ".join(f"{{'k': {_literal(name)}, 'v': {_blank_to_null(_q(name))}}}" for name in extra)
    pairs = f"list_filter([{entries}], lambda x: x.v IS NOT NULL)"
    return f"nullif(CAST(to_json(map_from_entries({pairs})) AS VARCHAR), '{{}}')"


_NONBLANK = "_nonblank:"  # helper columns of "_typed", never selected into the result
_FAILED = "_failed:"


def _cast_checks(contract: TableContract, mapping, typed: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """canonical column -> (published column, cast expression) for every cast that can fail."""
    return {
        name: (mapping[name], expr)
        for name, expr in typed.items()
        if mapping.get(name) and contract.column(name).type != "string"
    }


def _set_aside_cast_failures(con, table, contract, checks, *, provenance, params, where) -> None:
    """Counts the failed casts flagged in "_typed"; the failing cells' raw text comes from the text table
    (read only when something failed)."""
    if not checks:
        return
    counts_sql = ", ".join(f"count_if({_q(_FAILED + name)})" for name in checks)
    counts = con.execute(f'SELECT {counts_sql} FROM "_typed"').fetchall()[0]
    for name, count in zip(checks, counts, strict=True):
        if not count:
            continue
        src, expr = checks[name]
        con.execute(
            f"""INSERT INTO "_set_aside"
                SELECT {provenance}, CAST(source_row AS BIGINT), '{TYPES_PARSE}', ?, {_q(src)}, ?
                FROM "{table}"
                WHERE {_blank_to_null(_q(src))} IS NOT NULL AND ({expr}) IS NULL {"AND " + where if where else ""}""",
            [*params, src, f"not a valid {contract.column(name).type} for {name}"],
        )


def set_aside_rows(set_aside: pa.Table | None) -> int:
    """How many rows (not cells) a set-aside table holds."""
    if set_aside is None or set_aside.num_rows == 0:
        return 0
    files, rows = set_aside.column("source_file").to_pylist(), set_aside.column("source_row").to_pylist()
    return len(set(zip(files, rows, strict=True)))


def too_many_set_aside(set_aside_count: int, rows: int, *, max_share: float, min_rows: int) -> bool:
    """Is a file with `set_aside_count` of its `rows` set aside refused whole?

    Yes when more than `min_rows` rows *and* more than `max_share` of its rows failed (a layout that is
    wrong, not a row), or when more than half of its rows failed (a small file mostly wrong).
    """
    if not set_aside_count:
        return False
    return set_aside_count > max(min_rows, max_share * rows) or set_aside_count > rows / 2


def set_aside_error(set_aside: pa.Table, file: str | None = None) -> ParseError:
    """The error refusing a whole file whose set-aside rows are too many: the failing columns with their
    counts and the first failing values (cast failures first, as they were always reported)."""
    cells = set_aside.to_pylist()
    file = file or (cells[0]["source_file"] if cells else "")
    rule = TYPES_PARSE if any(c["rule"] == TYPES_PARSE for c in cells) else REQUIRED_VALUE
    chosen = [c for c in cells if c["rule"] == rule]
    counts: dict[str, int] = {}
    for cell in chosen:
        counts[cell["column"]] = counts.get(cell["column"], 0) + 1
    problems = [
        Problem(rule, c["message"], column=c["column"], row=c["source_row"], value=c["value"])
        for column in counts
        for c in [c for c in chosen if c["column"] == column][:MAX_EXAMPLES]
    ]
    summary = ", ".join(f"{column} ({n})" for column, n in counts.items())
    message = (
        f"values that do not parse as their column type in: {summary}"
        if rule == TYPES_PARSE
        else f"blank values in columns that are never blank: {summary}"
    )
    return ParseError(file, rule, message, problems[:MAX_EXAMPLES], len(chosen))


@dataclass
class ParseResult:
    """What a parser returns: the canonical table, notes on what it recognised or fixed, the
    published columns no layout knew (kept in `extra_columns`, reported by the gate as a warning),
    and the rows set aside at casting (SET_ASIDE_SCHEMA, one row per failing cell; None when none):
    plain data, written to audit.rejected_rows by the load."""

    table: pa.Table
    notes: list[str] = field(default_factory=list)
    extra_columns: tuple[str, ...] = ()
    set_aside: pa.Table | None = None

    @classmethod
    def of(cls, cast: Cast, notes: list[str], extra_columns: tuple[str, ...] = ()) -> ParseResult:
        """The result of one cast: its rows, and its rows set aside."""
        return cls(cast.table, notes, extra_columns, cast.set_aside if cast.set_aside.num_rows else None)


def concat_results(results: list[ParseResult], contract: TableContract) -> ParseResult:
    """Stack per-member/per-sheet results of one file into one result."""
    if not results:
        return ParseResult(contract.arrow_schema().empty_table())
    table = pa.concat_tables([r.table for r in results])
    notes = [note for r in results for note in r.notes]
    set_aside = [r.set_aside for r in results if r.set_aside is not None]
    return ParseResult(
        table,
        notes,
        unique_in_order(c for r in results for c in r.extra_columns),
        pa.concat_tables(set_aside) if set_aside else None,
    )


def unique_in_order(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def refuse_unsafe_members(names: list[str], *, file: str) -> None:
    """A zip whose member paths could point outside the folder it is extracted into is refused whole.

    Raises:
        ParseError: a member path is absolute (``/x``, ``C:x``) or climbs up (``../x``), also with ``\\``.
    """
    for name in names:
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise ParseError(
                file,
                "zip_member_path",
                f"zip member {name!r} has a path that leaves the folder it is extracted into "
                "(absolute, or with '..'); the zip is refused: ask the publisher, or repack it",
            )


def _refuse_same_names(names: list[str], *, file: str) -> None:
    seen: dict[str, str] = {}
    for name in names:
        base = PurePosixPath(name).name
        if base in seen:
            raise ParseError(file, "zip_members", f"zip members {seen[base]!r} and {name!r} have the same file name")
        seen[base] = name


def csv_members(
    zip_path: Path,
    target_dir: Path,
    *,
    file: str,
    skip: tuple[str, ...] = ("dictionary", "metadata"),
    keep: Callable[[str], bool] | None = None,
) -> list[Path]:
    """Extract the CSV members of a zip (skipping documentation members and those `keep` refuses), in name order.

    Raises:
        ParseError: not a zip, a member whose path leaves the folder it is extracted into (``../``, an
            absolute path), two CSV members with one name, or no CSV member in it.
    """
    import zipfile

    try:
        with zipfile.ZipFile(zip_path) as archive:
            refuse_unsafe_members(archive.namelist(), file=file)
            names = sorted(
                n
                for n in archive.namelist()
                if n.lower().endswith(".csv")
                and not any(s in n.lower() for s in skip)
                and not n.endswith("/")
                and (keep is None or keep(n))
            )
            if not names:
                raise ParseError(
                    file, "zip_members", f"no CSV file inside the zip (members: {archive.namelist()[:10]})"
                )
            _refuse_same_names(names, file=file)
            paths = []
            for name in names:
                target = target_dir / PurePosixPath(name).name
                with archive.open(name) as src, open(target, "wb") as out:
                    while block := src.read(1 << 20):
                        out.write(block)
                paths.append(target)
            return paths
    except zipfile.BadZipFile as error:
        raise ParseError(file, "zip_readable", f"not a readable zip file: {error}") from error
