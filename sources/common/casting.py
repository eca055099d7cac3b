"""Casting text cells to a contract's types in DuckDB: blanks become NULL, thousands separators and
``$`` are dropped, dates accept the documented formats and Excel serial numbers, and a row whose
value does not cast (or whose key is blank) is set aside row by row, with its file, row, rule,
column and raw value, instead of refusing the file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from sources.common.contract import EXTRA_COLUMNS, PROVENANCE_COLUMNS, TableContract
from sources.common.errors import MAX_EXAMPLES, ParseError, Problem
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


def spelled_out_states_to_codes(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    """Replace state names written out ('FLORIDA', 'New Mexico') by their codes in a text column.

    Some publications spell states out (H-2A FY2006, Addendum B files); codes are left as they are.
    Returns how many cells changed.
    """
    names = ", ".join(f"({sql_literal(name)}, {sql_literal(state.code)})" for name, state in STATE_BY_NAME.items())
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


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(text: object) -> str:
    """A SQL string literal (a path, a name) with its quotes doubled: what DuckDB statements that take no
    parameters (COPY ... TO, ATTACH) need."""
    return "'" + str(text).replace("'", "''") + "'"


def _blank_to_null(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def _number(expr: str) -> str:
    """A number as DOUBLE. Most cells are plain numbers: they cast as they are, and only the others are
    cleaned (coalesce evaluates its second argument for the rows the first left NULL). A cell that
    casts plainly (the cast skips surrounding blanks) holds no ',', '$', inner blank nor parentheses,
    so cleaning reads the same number (tests/unit/sources/common/test_casting_steps.py checks it)."""
    return f"coalesce(try_cast({expr} AS DOUBLE), {_cleaned_number(expr)})"


def _cleaned_number(expr: str) -> str:
    cleaned = f"replace(replace(replace({_blank_to_null(expr)}, ',', ''), '$', ''), ' ', '')"
    # "(123.45)" is an accounting negative in some exports.
    cleaned = f"regexp_replace({cleaned}, '^\\((.*)\\)$', '-\\1')"
    return f"try_cast({cleaned} AS DOUBLE)"


def _whole(number: str) -> str:
    """An integer column's value from its DOUBLE `number`: NULL unless whole and exact in a double."""
    return f"CASE WHEN {number} = trunc({number}) AND abs({number}) < 9e15 THEN CAST({number} AS BIGINT) END"


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


def _date_parts(expr: str) -> tuple[str, str]:
    """SQL for a date cell's text (blank -> NULL) and the zone written after its time ('' when none)."""
    text = _blank_to_null(expr)
    return text, f"regexp_extract({text}, '{_ZONE_AFTER_TIME}', 1)"


def _dated(contract_type: str, text: str, zone: str, excel_serials: bool) -> str:
    """A date or timestamp column's value from its cell's `_date_parts` (SQL expressions or columns)."""
    if contract_type == "date":
        return f"CAST({_date(text, zone, excel_serials)} AS DATE)"
    return _date(text, zone, excel_serials, to_utc=True)


def _date(text: str, zone: str, excel_serials: bool, *, to_utc: bool = False) -> str:
    """SQL parsing a text cell as a timestamp: the documented formats, Excel serials, a trailing zone.

    A zone after the time ("2019-08-24 00:00:00+00:00", "... 01:00:06 EST") is removed before parsing;
    with `to_utc` (timestamp columns) the time is shifted to UTC, otherwise (date columns) the date
    is kept as written.
    """
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
        return _whole(_number(col))
    if contract_type in ("date", "timestamp"):
        return _dated(contract_type, *_date_parts(col), excel_serials)
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
    # Cast in two steps so each cell's costly part is computed once, not once for each place the
    # final expression names it: numbers (text -> DOUBLE, then whole -> BIGINT for integers) and
    # dates (text and zone, then parsed).
    first, typed = {EXTRA_COLUMNS: _extra_columns_json(extra)}, {EXTRA_COLUMNS: _q(EXTRA_COLUMNS)}
    for column in contract.columns:
        name = column.name
        if name in (EXTRA_COLUMNS, *PROVENANCE_COLUMNS) or name in derived:
            continue
        published = mapping.get(name)
        if published is not None and column.type in ("date", "timestamp"):
            text, zone = _DATE_TEXT + name, _ZONE + name
            first[text], first[zone] = _date_parts(_q(published))
            typed[name] = _dated(column.type, _q(text), _q(zone), excel_serials)
            continue
        if published is None:
            first[name] = f"CAST(NULL AS {column.duckdb_type})"
        elif column.type == "int":
            first[name] = _number(_q(published))
        else:
            first[name] = typed_expression(published, column.type, excel_serials)
        typed[name] = _whole(_q(name)) if published is not None and column.type == "int" else _q(name)
    checks = _cast_checks(contract, mapping, typed, excel_serials)
    first_select = ",\n".join(f"{expr} AS {_q(name)}" for name, expr in first.items())
    typed_select = ",\n".join(f"{expr} AS {_q(name)}" for name, expr in typed.items())
    text = "".join(f", {_q(mapping[n])} AS {_q(_TEXT + n)}" for n in checks)
    carried = "".join(f", {_q(_TEXT + n)}" for n in checks)
    failed = "".join(f", {_failed_flag(n)} AS {_q(_FAILED + n)}" for n in checks)
    without_text = f" EXCLUDE ({', '.join(_q(_TEXT + n) for n in checks)})" if checks else ""
    filter_sql = f"WHERE {where}" if where else ""
    # Batch parsing (many files in one text table) carries each row's file in _file/_sha256 columns.
    if file is None:
        provenance, params = "_file AS source_file, _sha256 AS source_sha256", []
    else:
        provenance, params = "CAST(? AS VARCHAR) AS source_file, CAST(? AS VARCHAR) AS source_sha256", [file, sha256]
    # Each cast is evaluated once: the outer select flags non-blank cells whose cast gave NULL.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "_typed" AS
        SELECT *{without_text}{failed} FROM (
            SELECT {typed_select}, source_file, source_sha256, source_row{carried} FROM (
                SELECT {first_select}, {provenance}, CAST(source_row AS BIGINT) AS source_row{text}
                FROM "{table}" {filter_sql}
            )
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
    entries = ", ".join(f"{{'k': {sql_literal(name)}, 'v': {_blank_to_null(_q(name))}}}" for name in extra)
    pairs = f"list_filter([{entries}], lambda x: x.v IS NOT NULL)"
    return f"nullif(CAST(to_json(map_from_entries({pairs})) AS VARCHAR), '{{}}')"


_DATE_TEXT, _ZONE = "_date_text:", "_zone:"  # a date cell's parts, computed once
_TEXT = "_text:"  # a checked column's text, carried to the flags and left out of "_typed"


_FAILED = "_failed:"


def _failed_flag(name: str) -> str:
    """A non-blank cell whose cast gave NULL (the blank test runs only where the cast gave NULL: CASE
    evaluates a branch for the rows that take it)."""
    return f"CASE WHEN {_q(name)} IS NULL THEN {_blank_to_null(_q(_TEXT + name))} IS NOT NULL ELSE false END"


def _cast_checks(contract: TableContract, mapping, typed: Mapping[str, str], excel_serials: bool):
    """canonical column -> (published column, cast expression) for every cast that can fail."""
    return {
        name: (mapping[name], typed_expression(mapping[name], contract.column(name).type, excel_serials))
        for name in typed
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
