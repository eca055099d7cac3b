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
from sources.common.parsing import Layout, ParseResult, cast_to_contract, csv_members, load_csv_as_text, match_layout
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
        area, level, disclosure = (_q(mapping[c]) for c in ("area_fips", "agglvl_code", "disclosure_code"))
        _check_levels(con, level, mapping["agglvl_code"], file=file)
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
        f"kept {kept} national/statewide rows of {total}; dropped {total - kept} county, MSA and other-area rows",
        f"{suppressed} kept rows suppressed (disclosure_code N): employment, wages and pay set to NULL",
    ]
    return ParseResult(table, notes)


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
