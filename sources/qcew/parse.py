"""Parse QCEW annual CSVs (open-data slices, bulk singlefiles, by_area/by_industry files) into the
canonical table.

Accepted files, recognised by their header, column by column by meaning (``sources.qcew.columns``:
every spelling a real annual file showed; names only pick files out of a folder):
- an open-data slice as the API saves it (``10.csv``, ``3351.csv``, ``01000.csv``: the year is only in
  the URL and in the rows) or as the fetcher archives it (``qcew_<year>_a_industry_<code>.csv``);
- ``<YYYY>_annual_singlefile.zip`` (member ``<YYYY>.annual.singlefile.csv``) or that CSV bare;
- ``<YYYY>_annual_by_industry.zip`` / ``_by_area.zip``, one CSV per industry / area (e.g.
  ``2023.annual 10 10 Total, all industries.csv``) with five ``*_title`` columns and ``_count`` in the
  establishment columns; a by_area zip's county and MSA members are skipped unread.
A header without the core columns fails naming what matched, what is missing and the unrecognised
columns; a quarterly slice is refused in one line saying what it is (``sources.common.file_kinds``).
Columns no real annual file showed are kept in ``extra_columns`` with a warning.

Only national rows (agglvl 10-18 at ``US000``) and statewide rows (agglvl 50-58 at ``SS000``) are
kept: the marts need state x sector denominators, and county/MSA rows would make the table ~60x
larger for nothing. Suppressed cells (``disclosure_code = 'N'``) are published as zeros; their
employment, wages and pay become NULL here, so rates never divide by a fake zero.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

import duckdb

from sources.common.casting import cast_to_contract
from sources.common.columns import ColumnDictionary, LayoutMatch, extra_columns_warning, spelling_key
from sources.common.duckdb_memory import in_memory_connection
from sources.common.errors import MAX_EXAMPLES, ParseError, Problem
from sources.common.file_kinds import is_file_of, match_by_meaning
from sources.common.parsing import ParseResult
from sources.common.text_cells import csv_header, csv_members, load_csv_as_text, normalise_header, sniff_header
from sources.qcew.columns import ANNUAL_COLUMNS
from sources.qcew.contract import ANNUAL_EMPLOYMENT, NATIONAL_AGGLVLS, STATE_AGGLVLS, SUPPRESSED_MEASURES

# Per-area members of a by_area zip ("2024.annual.by_area/2024.annual 01029 Cleburne County, Alabama.csv"):
# only the nation (US000) and statewide (SS000) members hold rows the table keeps.
_AREA_MEMBER = re.compile(r"\d{4}\.annual (\w{5}) ")


def parse_file(path: Path, *, file: str, sha256: str, columns: ColumnDictionary = ANNUAL_COLUMNS) -> ParseResult:
    """Parse a QCEW annual CSV or zip into `raw_qcew__annual_employment` rows, its columns
    recognised by meaning (`sources.qcew.columns`).

    Raises:
        ParseError: unreadable file or zip, a header without the core columns (or a file of another
            kind, such as a quarterly slice), malformed rows, a non-numeric aggregation level, or
            values that do not parse as their column type.
    """
    path = Path(path)
    if path.suffix.lower() != ".zip":
        return _parse_csv(path, file=file, sha256=sha256, columns=columns)
    with tempfile.TemporaryDirectory() as tmp:
        members = csv_members(path, Path(tmp), file=file, keep=_national_or_state_member)
        singlefile = [m for m in members if m.name.lower().endswith(".annual.singlefile.csv")]
        if singlefile or len(members) == 1:
            member = (singlefile or members)[0]
            result = _parse_csv(member, file=f"{file}!{member.name}", sha256=sha256, columns=columns)
            if len(members) > 1:
                result.notes.append(f"zip holds {len(members)} CSVs; parsed the singlefile {member.name} only")
            return result
        # by_industry / by_area: one CSV per slice, read in one pass, each row naming its member.
        items = [(m, f"{file}!{m.name}", sha256) for m in members]
        result = _parse_csv_batch(items, columns)
        result.notes.append(f"{len(members)} CSV members read from {file}")
        return result


def _national_or_state_member(name: str) -> bool:
    """False for a by_area member of a county, MSA or other sub-state area (its folder says by_area)."""
    area = _AREA_MEMBER.match(Path(name).name)
    if "by_area" not in name.lower() or area is None:
        return True
    return area.group(1).endswith("000")


def year_of(path: Path) -> str | None:
    """The year a QCEW file covers: from its name when it says it, else from its first data row."""
    name = Path(path).name
    stated = re.match(r"(?:qcew_)?(\d{4})[._]", name)
    if stated:
        return stated.group(1)
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            rows = csv.DictReader(handle)
            return (next(rows, None) or {}).get("year")
    except OSError:
        return None


def is_annual_file(path: Path) -> bool:
    """The file's header (a zip's first CSV member's) holds the core of the annual table and it is
    no other kind of file (a quarterly slice holds most of the core but is one)."""
    return is_file_of(sniff_header(path), ANNUAL_COLUMNS, Path(path).name)


def _parse_csv(path: Path, *, file: str, sha256: str, columns: ColumnDictionary) -> ParseResult:
    with in_memory_connection() as con:
        header = load_csv_as_text(con, path, "_text", file=file)
        match = match_by_meaning(header, columns, file)
        return _filter_and_cast(con, match, file=file, sha256=sha256, label=file)


def _form_note(match: LayoutMatch) -> str:
    """Which annual form the header is: the by_area / by_industry files count establishments in `_count`."""
    estabs = match.mapping.get("annual_avg_estabs")
    if estabs is not None and spelling_key(estabs).endswith("COUNT"):
        return "annual CSV: by_area / by_industry and older bulk files (annual_avg_estabs_count)"
    return "annual CSV: open-data slice / singlefile (annual_avg_estabs)"


def _filter_and_cast(con, match: LayoutMatch, *, file: str | None, sha256: str | None, label: str) -> ParseResult:
    """Keep national and statewide rows, blank suppressed measures, cast to the contract."""
    mapping = match.mapping
    area, level, disclosure = (_q(mapping[c]) for c in ("area_fips", "agglvl_code", "disclosure_code"))
    _check_levels(con, level, mapping["agglvl_code"], file=file or label)
    keep = (
        f"((trim({level}) IN {NATIONAL_AGGLVLS} AND trim({area}) = 'US000')"
        f" OR (trim({level}) IN {STATE_AGGLVLS} AND regexp_full_match(trim({area}), '[0-9]{{2}}000')))"
    )
    total, kept, suppressed = con.execute(
        # coalesce: count_if over no rows (a header-only slice) is NULL
        f"SELECT count(*), coalesce(count_if({keep}), 0), "
        f"coalesce(count_if({keep} AND upper(trim({disclosure})) = 'N'), 0) FROM _text"
    ).fetchone()
    # BLS writes 0 for suppressed measures: blank them so they cast to NULL, never to 0.
    blanked = ", ".join(f"{_q(mapping[c])} = NULL" for c in SUPPRESSED_MEASURES if c in mapping)
    con.execute(f"UPDATE _text SET {blanked} WHERE upper(trim({disclosure})) = 'N'")
    cast = cast_to_contract(
        con, "_text", ANNUAL_EMPLOYMENT, mapping, file=file, sha256=sha256, where=keep, extra=match.extra
    )
    notes = [
        f"{_form_note(match)}; {match.layout.name}",
        f"{label}: kept {kept} national/statewide rows of {total}; dropped {total - kept} county/MSA/other rows",
        f"{label}: {suppressed} kept rows suppressed (disclosure_code N): employment, wages and pay set to NULL",
        *extra_columns_warning(match),
    ]
    return ParseResult.of(cast, notes, match.extra)


def parse_files(items: list[tuple[Path, str, str]], *, columns: ColumnDictionary = ANNUAL_COLUMNS) -> list[ParseResult]:
    """Parse many slice files in one DuckDB pass (hundreds of small files a build).

    Falls back to parsing file by file when anything fails, so an error still names its file.
    Returns one result per input, in order.
    """
    slices = [item for item in items if Path(item[0]).suffix.lower() == ".csv"]
    if len(slices) < 2 or len(slices) != len(items):
        return [parse_file(path, file=file, sha256=sha, columns=columns) for path, file, sha in items]
    try:
        return [_parse_csv_batch(slices, columns)]
    except (ParseError, duckdb.Error):
        return [parse_file(path, file=file, sha256=sha, columns=columns) for path, file, sha in items]


def _parse_csv_batch(items: list[tuple[Path, str, str]], columns: ColumnDictionary) -> ParseResult:
    headers = {tuple(normalise_header(csv_header(Path(path)))) for path, _, _ in items}
    if len(headers) != 1:
        raise ParseError(items[0][1], "header", "slices with different headers: parse them one by one")
    header = list(headers.pop())
    match = match_by_meaning(header, columns, items[0][1])
    types = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in header) + "}"
    with in_memory_connection() as con:
        con.execute("SET threads = 1")
        con.execute("CREATE TEMP TABLE _files (path VARCHAR, _file VARCHAR, _sha256 VARCHAR)")
        con.executemany("INSERT INTO _files VALUES (?, ?, ?)", [(str(p), f, s) for p, f, s in items])
        # source_row is the line within its file: number the rows in scan order (one thread: file
        # order) before the join, then count from each file's first row. A row_number() partitioned by
        # file has no order of its own and numbered rows differently from one build to the next.
        con.execute(
            f"""CREATE TEMP TABLE _text AS
            WITH scanned AS (
                SELECT *, row_number() OVER () AS scan_row
                FROM read_csv(?, header = true, auto_detect = false, columns = {types}, delim = ',',
                              quote = '"', escape = '"', strict_mode = true, null_padding = false,
                              encoding = 'utf-8', filename = true)
            )
            SELECT scanned.* EXCLUDE (filename, scan_row), _files._file, _files._sha256,
                   scan_row - min(scan_row) OVER (PARTITION BY scanned.filename) + 1 AS source_row
            FROM scanned JOIN _files ON scanned.filename = _files.path""",
            [[str(p) for p, _, _ in items]],
        )
        result = _filter_and_cast(con, match, file=None, sha256=None, label=f"{len(items)} files")
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
