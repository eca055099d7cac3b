"""QCEW columns by meaning (sources/qcew/columns.py): tolerance proven on the real annual headers.

- Every annual fixture renamed to another real spelling of each meaning (else a case change), its
  columns shuffled, loads with the same totals, computed here with the csv module.
- Leave-one-out: the spellings only one real header uses are dropped from the dictionary; that file
  then loads with those columns kept as extra (with a warning), or fails naming what matched, the
  missing core column and the unrecognised columns. Dropping any single core spelling fails so.
- The whole real excerpt in ../shared/real-samples loads with totals equal to an independent count.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest

from sources.common.columns import spelling_key
from sources.common.errors import UnknownLayoutError
from sources.qcew.columns import ANNUAL_COLUMNS
from sources.qcew.parse import parse_file
from tests.real_fixtures import REAL, recording, shared_sample

QCEW = REAL / "qcew"
ANNUAL_FIXTURES = {
    "api_2023_a_industry/10.csv": "10.csv",
    "api_2025_a_industry/10.csv": "10.csv",
    "api_2025_a_industry/3351.csv": "3351.csv",
    "singlefile_2017_DC/2017.annual.singlefile.csv": "2017.annual.singlefile.csv",
    "singlefile_2017_DE/2017.annual.singlefile.csv": "2017.annual.singlefile.csv",
    "by_area_2024/2024.annual.by_area/2024.annual 01029 Cleburne County, Alabama.csv": (
        "2024.annual 01029 Cleburne County, Alabama.csv"
    ),
}
# The establishment column under either real spelling, and the suppression flag.
_ESTABS = ("annual_avg_estabs", "annual_avg_estabs_count")


def _kept(row: dict[str, str]) -> bool:
    level = int(row["agglvl_code"])
    return (10 <= level <= 18 and row["area_fips"] == "US000") or (
        50 <= level <= 58 and re.fullmatch(r"\d{2}000", row["area_fips"]) is not None
    )


def _totals(path: Path) -> tuple:
    """Independently of the parser: kept rows, their areas, employment (suppressed excluded),
    establishments, suppressed kept rows."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if _kept(r)]
    estabs = next((c for c in _ESTABS if rows and c in rows[0]), None)
    return (
        len(rows),
        sorted(r["area_fips"] for r in rows),
        sum(int(r["annual_avg_emplvl"]) for r in rows if r["disclosure_code"] != "N"),
        sum(int(r[estabs]) for r in rows) if estabs else 0,
        sum(r["disclosure_code"] == "N" for r in rows),
    )


def _parsed_totals(result) -> tuple:
    rows = result.table.to_pylist()
    return (
        len(rows),
        sorted(r["area_fips"] for r in rows),
        sum(r["annual_avg_emplvl"] or 0 for r in rows),
        sum(r["annual_avg_estabs"] or 0 for r in rows),
        sum(r["disclosure_code"] == "N" for r in rows),
    )


def _other_spelling(published: str) -> str:
    """Another real spelling of the same meaning where one exists, else the name in upper case."""
    canonical = ANNUAL_COLUMNS.canonical_of(published)
    others = (
        [s for s in ANNUAL_COLUMNS.spellings_of(canonical) if spelling_key(s) != spelling_key(published)]
        if canonical
        else []
    )
    return sorted(others)[0] if others else published.upper()


def _write_renamed(source: Path, target: Path, seed: int) -> dict[str, str]:
    header, rows = recording(source)
    renamed = {h: _other_spelling(h) for h in header}
    order = list(header)
    random.Random(seed).shuffle(order)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow([renamed[h] for h in order])
        writer.writerows([[r[h] for h in order] for r in rows])
    return renamed


@pytest.mark.parametrize("fixture", sorted(ANNUAL_FIXTURES))
def test_each_annual_fixture_renamed_and_shuffled_loads_with_the_same_totals(fixture, tmp_path):
    source = QCEW / fixture
    target = tmp_path / "renamed" / ANNUAL_FIXTURES[fixture]
    renamed = _write_renamed(source, target, seed=len(fixture))
    assert sum(old != new for old, new in renamed.items()) == len(renamed), "every column is renamed"
    assert recording(target)[0] != [renamed[h] for h in recording(source)[0]], "the columns are shuffled"
    result = parse_file(target, file=target.name, sha256="0" * 64)
    assert result.extra_columns == ()
    assert _parsed_totals(result) == _totals(source)
    if "annual_avg_estabs_count" in renamed:  # the by_area file: the slice spelling now, and back
        assert renamed["annual_avg_estabs_count"] == "annual_avg_estabs"


def test_the_establishment_column_takes_either_real_spelling(tmp_path):
    """The only meaning with two real spellings: a slice written with the by_area one loads the same."""
    source = QCEW / "api_2025_a_industry" / "3351.csv"
    text = source.read_text(encoding="utf-8")
    header, body = text.split("\n", 1)
    target = tmp_path / "3351.csv"
    target.write_text(header.replace(",annual_avg_estabs,", ",annual_avg_estabs_count,", 1) + "\n" + body)
    result = parse_file(target, file=target.name, sha256="0" * 64)
    assert result.extra_columns == () and _parsed_totals(result) == _totals(source)
    assert "annual_avg_estabs_count" in result.notes[0]


def _real_headers() -> dict[str, list[str]]:
    return {fixture: recording(QCEW / fixture)[0] for fixture in ANNUAL_FIXTURES}


def _only_here(headers: dict[str, list[str]], name: str) -> set[str]:
    """Spellings (by key) this header uses and no other real header does."""
    elsewhere = {spelling_key(h) for other, header in headers.items() if other != name for h in header}
    return {h for h in headers[name] if spelling_key(h) not in elsewhere}


@pytest.mark.parametrize("fixture", sorted(ANNUAL_FIXTURES))
def test_leave_one_out_a_file_told_of_its_own_spellings_gets_a_clear_answer(fixture):
    headers = _real_headers()
    own = _only_here(headers, fixture)
    reduced = ANNUAL_COLUMNS.without(own)
    forgotten = {h for h in own if ANNUAL_COLUMNS.canonical_of(h)}
    path = QCEW / fixture
    assert reduced.holds_core(headers[fixture]), "no real header has a core spelling of its own"
    result = parse_file(path, file=path.name, sha256="0" * 64, columns=reduced)
    assert set(result.extra_columns) == own, "forgotten spellings (loaded or known) become extra"
    if own:
        assert any(n.startswith("warning: columns no real file of this table showed") for n in result.notes)
    expected = _totals(path)
    assert _parsed_totals(result)[:3] == expected[:3]
    if forgotten:  # the establishments are no longer recognised: NULL, kept as extra
        assert _parsed_totals(result)[3] == 0


def test_the_leave_one_out_test_forgets_a_spelling_that_matters():
    headers = _real_headers()
    forgotten = {name: {h for h in _only_here(headers, name) if ANNUAL_COLUMNS.canonical_of(h)} for name in headers}
    assert forgotten[next(n for n in headers if n.startswith("by_area"))] == {"annual_avg_estabs_count"}


@pytest.mark.parametrize("core", [group[0] for group in ANNUAL_COLUMNS.core])
def test_without_a_core_spelling_the_file_fails_naming_what_matched_is_missing_and_unrecognised(core):
    path = QCEW / "api_2023_a_industry" / "10.csv"
    reduced = ANNUAL_COLUMNS.without(ANNUAL_COLUMNS.spellings_of(core))
    with pytest.raises(UnknownLayoutError) as error:
        parse_file(path, file=path.name, sha256="0" * 64, columns=reduced)
    message = str(error.value)
    assert "not a file of the BLS QCEW annual table" in message and f"lack {core} (e.g." in message
    assert "Matched: " in message and f"{core}<-" not in message
    assert f"Unrecognised columns: ['{core}']" in message
    assert any(p.column == core and p.message.startswith("required column") for p in error.value.problems)


def test_the_real_shared_excerpt_loads_with_totals_equal_to_an_independent_count():
    path = shared_sample("qcew_2023_a_industry_10_excerpt.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    result = parse_file(path, file=path.name, sha256="0" * 64)
    assert result.extra_columns == ()
    assert _parsed_totals(result) == _totals(path)
    assert len(rows) == 8 and _totals(path)[:2] == (2, ["01000", "US000"])
    assert {r["year"] for r in result.table.to_pylist()} == {2023}


def test_a_quarterly_slice_is_refused_saying_what_it_is_whatever_the_dictionary():
    quarterly = QCEW / "api_2025_4_industry" / "10.csv"
    with pytest.raises(UnknownLayoutError, match="this is a BLS QCEW quarterly slice") as error:
        parse_file(quarterly, file="10.csv", sha256="0" * 64, columns=ANNUAL_COLUMNS.without(["year"]))
    assert error.value.rule == "file_kind"
