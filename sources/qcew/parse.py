"""Parse QCEW annual CSVs (open-data industry slices or the bulk singlefile) into the canonical table.

Accepted files:
- an annual industry slice, archived as ``qcew_<year>_a_industry_<code>.csv`` (38 columns);
- ``<YYYY>_annual_singlefile.zip`` (member ``<YYYY>.annual.singlefile.csv``, else its first CSV);
- a bare ``<YYYY>.annual.singlefile.csv``.
Older bulk files name the establishment count ``annual_avg_estabs_count``; it is accepted as an
alias. Any other header fails naming the columns (quarterly slices, title-carrying by_area files).

Only national rows (agglvl 10-18 at ``US000``) and statewide rows (agglvl 50-58 at ``SS000``) are
kept: the marts need state x sector denominators, and county/MSA rows would make the table ~60x
larger for nothing. Suppressed cells (``disclosure_code = 'N'``) are published as zeros; their
employment, wages and pay become NULL here, so rates never divide by a fake zero.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from sources.common.errors import MAX_EXAMPLES, ParseError, Problem
from sources.common.parsing import (
    Layout,
    ParseResult,
    cast_to_contract,
    csv_header,
    csv_members,
    load_csv_as_text,
    match_layout,
    normalise_header,
)
from sources.qcew.contract import (
    ANNUAL_CSV_COLUMNS,
    ANNUAL_EMPLOYMENT,
    NATIONAL_AGGLVLS,
    STATE_AGGLVLS,
    SUPPRESSED_MEASURES,
)

_KEPT = frozenset(ANNUAL_EMPLOYMENT.column_names)
_SLICE_MAP = {c: (c if c in _KEPT else None) for c in ANNUAL_CSV_COLUMNS}
_LEGACY_MAP = {("annual_avg_estabs_count" if c == "annual_avg_estabs" else c): v for c, v in _SLICE_MAP.items()}

LAYOUTS = [
    Layout("annual CSV: open-data slice / singlefile, 38 columns", _SLICE_MAP, frozenset(_SLICE_MAP)),
    Layout("annual CSV, older bulk naming (annual_avg_estabs_count)", _LEGACY_MAP, frozenset(_LEGACY_MAP)),
]


def parse_file(path: Path, *, file: str, sha256: str) -> ParseResult:
    """Parse a QCEW annual slice, singlefile CSV or singlefile zip into `raw_qcew__annual_employment` rows.

    Raises:
        ParseError: unreadable file or zip, unknown layout, malformed rows, a non-numeric
            aggregation level, or values that do not parse as their column type.
    """
    path = Path(path)
    if path.suffix.lower() != ".zip":
        return _parse_csv(path, file=file, sha256=sha256)
    with tempfile.TemporaryDirectory() as tmp:
        members = csv_members(path, Path(tmp), file=file)
        preferred = [m for m in members if m.name.lower().endswith(".annual.singlefile.csv")]
        member = (preferred or members)[0]
        result = _parse_csv(member, file=f"{file}!{member.name}", sha256=sha256)
    if len(members) > 1:
        result.notes.append(f"zip holds {len(members)} CSVs; parsed {member.name} only")
    return result


def _parse_csv(path: Path, *, file: str, sha256: str) -> ParseResult:
    with duckdb.connect() as con:
        header = load_csv_as_text(con, path, "_text", file=file)
        layout, mapping = match_layout(header, LAYOUTS, file)
        return _filter_and_cast(con, mapping, layout, file=file, sha256=sha256, label=file)


def _filter_and_cast(con, mapping, layout, *, file: str | None, sha256: str | None, label: str) -> ParseResult:
    """Keep national and statewide rows, blank suppressed measures, cast to the contract."""
    area, level, disclosure = (_q(mapping[c]) for c in ("area_fips", "agglvl_code", "disclosure_code"))
    _check_levels(con, level, mapping["agglvl_code"], file=file or label)
    keep = (
        f"((trim({level}) IN {NATIONAL_AGGLVLS} AND trim({area}) = 'US000')"
        f" OR (trim({level}) IN {STATE_AGGLVLS} AND regexp_full_match(trim({area}), '[0-9]{{2}}000')))"
    )
    total, kept, suppressed = con.execute(
        f"SELECT count(*), count_if({keep}), count_if({keep} AND upper(trim({disclosure})) = 'N') FROM _text"
    ).fetchone()
    # BLS writes 0 for suppressed measures: blank them so they cast to NULL, never to 0.
    blanked = ", ".join(f"{_q(mapping[c])} = NULL" for c in SUPPRESSED_MEASURES)
    con.execute(f"UPDATE _text SET {blanked} WHERE upper(trim({disclosure})) = 'N'")
    table = cast_to_contract(con, "_text", ANNUAL_EMPLOYMENT, mapping, file=file, sha256=sha256, where=keep)
    notes = [
        layout.name,
        f"{label}: kept {kept} national/statewide rows of {total}; dropped {total - kept} county/MSA/other rows",
        f"{label}: {suppressed} kept rows suppressed (disclosure_code N): employment, wages and pay set to NULL",
    ]
    return ParseResult(table, notes)


def parse_files(items: list[tuple[Path, str, str]]) -> list[ParseResult]:
    """Parse many slice files in one DuckDB pass (hundreds of small files a build).

    Falls back to parsing file by file when anything fails, so an error still names its file.
    Returns one result per input, in order.
    """
    slices = [item for item in items if Path(item[0]).suffix.lower() == ".csv"]
    if len(slices) < 2 or len(slices) != len(items):
        return [parse_file(path, file=file, sha256=sha) for path, file, sha in items]
    try:
        return [_parse_csv_batch(slices)]
    except (ParseError, duckdb.Error):
        return [parse_file(path, file=file, sha256=sha) for path, file, sha in items]


def _parse_csv_batch(items: list[tuple[Path, str, str]]) -> ParseResult:
    headers = {tuple(normalise_header(csv_header(Path(path)))) for path, _, _ in items}
    if len(headers) != 1:
        raise ParseError(items[0][1], "header", "slices with different headers: parse them one by one")
    header = list(headers.pop())
    layout, mapping = match_layout(header, LAYOUTS, items[0][1])
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in header) + "}"
    with duckdb.connect() as con:
        con.execute("SET threads = 1")
        con.execute("CREATE TEMP TABLE _files (path VARCHAR, _file VARCHAR, _sha256 VARCHAR)")
        con.executemany("INSERT INTO _files VALUES (?, ?, ?)", [(str(p), f, s) for p, f, s in items])
        con.execute(
            f"""CREATE TEMP TABLE _text AS
            SELECT csv.* EXCLUDE (filename), _files._file, _files._sha256,
                   row_number() OVER (PARTITION BY csv.filename) AS source_row
            FROM read_csv(?, header = true, auto_detect = false, columns = {columns}, delim = ',', quote = '"',
                          escape = '"', strict_mode = true, null_padding = false, encoding = 'utf-8',
                          filename = true) AS csv
            JOIN _files ON csv.filename = _files.path""",
            [[str(p) for p, _, _ in items]],
        )
        result = _filter_and_cast(con, mapping, layout, file=None, sha256=None, label=f"{len(items)} files")
    return result


def _check_levels(con: duckdb.DuckDBPyConnection, level: str, published: str, *, file: str) -> None:
    """The row filter relies on agglvl_code being a two-digit code: anything else is an error, not a drop."""
    where = f"NOT regexp_full_match(coalesce(trim({level}), ''), '[0-9]{{2}}')"
    (count,) = con.execute(f"SELECT count(*) FROM _text WHERE {where}").fetchone()
    if not count:
        return
    rows = con.execute(f"SELECT source_row, {level} FROM _text WHERE {where} ORDER BY source_row LIMIT {MAX_EXAMPLES}")
    problems = [
        Problem("agglvl_code", "not a two-digit aggregation level", column=published, row=row, value=value)
        for row, value in rows.fetchall()
    ]
    raise ParseError(file, "agglvl_code", "aggregation levels that are not two-digit codes", problems, count)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
