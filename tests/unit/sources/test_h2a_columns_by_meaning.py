"""Columns by meaning: tolerance proven on headers the dictionary was not built from.

- Every real fixture renamed to *other* real spellings of the same meanings, in shuffled order, loads
  with the same totals.
- Leave-one-out: the spellings only one real file uses are dropped from the dictionary; that file then
  either loads with those columns kept as extra (with a warning), or fails with an error that names
  what matched, which core meaning is missing, and the unrecognised columns.
- Whole real files from ../shared/real-samples: the FY2006 CSV loads with exact totals; H-2B files
  and a QCEW quarterly slice given as H-2A files are refused in one line saying what they are.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sources.common.columns import spelling_key
from sources.common.errors import UnknownLayoutError
from sources.h2a.columns import DISCLOSURE_COLUMNS
from sources.h2a.parse import is_disclosure_file, parse_disclosure
from tests.real_fixtures import REAL, SHARED_SAMPLES, number, recording, recording_to_workbook, shared_sample
from tests.unit.sources.test_h2a_real_fixtures import FIXTURES

H2A = REAL / "h2a"
SHARED_H2A = ("H-2A_FY2012.xlsx", "H-2A_Disclosure_Data_FY16_updated.xlsx", "H2a_FY2006.csv")


def _totals(rows: list[dict], case_column: str, certified_column: str) -> tuple:
    return (
        len(rows),
        sorted({r[case_column] for r in rows}),
        sum(number(r[certified_column]) for r in rows),
        Counter(r["CASE_STATUS"] for r in rows),
    )


def _parsed_totals(result) -> tuple:
    rows = result.table.to_pylist()
    return (
        len(rows),
        sorted({r["case_number"] for r in rows}),
        sum(r["workers_certified"] or 0 for r in rows),
        Counter(r["case_status"] for r in rows),
    )


def _other_spelling(published: str) -> str:
    """Another real spelling of the same meaning: a different key where one exists."""
    canonical = DISCLOSURE_COLUMNS.canonical_of(published)
    if canonical is None:
        return published
    others = [s for s in DISCLOSURE_COLUMNS.spellings_of(canonical) if spelling_key(s) != spelling_key(published)]
    return sorted(others)[0] if others else published.lower()


def _write_renamed(source: Path, target: Path, seed: int) -> dict[str, str]:
    header, rows = recording(source)
    renamed = {h: _other_spelling(h) for h in header}
    order = list(header)
    random.Random(seed).shuffle(order)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([renamed[h] for h in order])
        writer.writerows([[r[h] for h in order] for r in rows])
    return renamed


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_each_real_fixture_renamed_to_other_real_spellings_and_shuffled_loads_the_same(fixture, tmp_path):
    published, _, certified_column = FIXTURES[fixture]
    header, rows = recording(H2A / fixture)
    case_column = "CASE_NUMBER" if "CASE_NUMBER" in header else "CASE_NO"
    renamed = _write_renamed(H2A / fixture, tmp_path / "renamed.csv", seed=len(fixture))
    assert sum(old != new for old, new in renamed.items()) >= 5, "the test renames columns"
    path = recording_to_workbook(tmp_path / "renamed.csv", tmp_path / published)
    result = parse_disclosure(path, file=published, sha256="0" * 64)
    assert result.extra_columns == ()
    assert _parsed_totals(result) == _totals(rows, case_column, certified_column)


def _real_headers() -> dict[str, list[str]]:
    headers = {fixture: recording(H2A / fixture)[0] for fixture in FIXTURES}
    for name in SHARED_H2A:
        path = SHARED_SAMPLES / name
        if path.suffix == ".csv" and path.exists():
            with open(path, encoding="latin-1", newline="") as handle:
                headers[name] = next(csv.reader(handle))
        elif path.exists():
            headers[name] = [
                str(c) for c in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(nrows=1)[0]
            ]
    return headers


def _only_here(headers: dict[str, list[str]], name: str) -> set[str]:
    """Spellings (by key) this file's header uses and no other real header in the tests does."""
    elsewhere = {spelling_key(h) for other, header in headers.items() if other != name for h in header}
    return {h for h in headers[name] if spelling_key(h) not in elsewhere}


LEAVE_ONE_OUT = sorted({*FIXTURES, *SHARED_H2A} - {"fy2008_23col_association.csv"})


@pytest.mark.parametrize("name", LEAVE_ONE_OUT)
def test_leave_one_out_a_file_told_of_its_own_spellings_gets_a_clear_answer(name, tmp_path):
    headers = _real_headers()
    if name not in headers:
        pytest.skip(f"{name} is not in {SHARED_SAMPLES}")
    own = _only_here(headers, name)
    reduced = DISCLOSURE_COLUMNS.without(own)
    if name in FIXTURES:
        path = recording_to_workbook(H2A / name, tmp_path / FIXTURES[name][0])
        file = FIXTURES[name][0]
    else:
        path, file = shared_sample(name), name
    forgotten = {h for h in own if DISCLOSURE_COLUMNS.canonical_of(h)}
    if reduced.holds_core(headers[name]):
        result = parse_disclosure(path, file=file, sha256="0" * 64, columns=reduced)
        assert forgotten <= set(result.extra_columns)
        if forgotten:
            assert any(n.startswith("warning: columns no real file") for n in result.notes)
    else:
        with pytest.raises(UnknownLayoutError) as error:
            parse_disclosure(path, file=file, sha256="0" * 64, columns=reduced)
        message = str(error.value)
        assert "not a file of the H-2A disclosure table" in message and "Matched:" in message
        assert all(column in message for column in sorted(forgotten)[:12]), "the unrecognised columns are named"
        assert any(p.rule == "header" and p.column and " or " not in p.column for p in error.value.problems)


def test_the_leave_one_out_test_forgets_spellings_that_matter():
    headers = _real_headers()
    forgotten = {name: {h for h in _only_here(headers, name) if DISCLOSURE_COLUMNS.canonical_of(h)} for name in headers}
    assert sum(bool(f) for f in forgotten.values()) >= 3, forgotten


def test_the_real_fy2006_csv_loads_with_exact_totals():
    path = shared_sample("H2a_FY2006.csv")
    with open(path, encoding="latin-1", newline="") as handle:
        rows = list(csv.DictReader(handle))
    per_case: dict[str, float] = {}
    for row in rows:
        per_case[row["Case_Number"]] = max(per_case.get(row["Case_Number"], 0), number(row["Nbr_Workers_Certified"]))

    result = parse_disclosure(path, file=path.name, sha256="0" * 64)
    parsed = result.table.to_pylist()
    assert (len(parsed), len(per_case)) == (len(rows), len({r["case_number"] for r in parsed})) == (7469, 4264)
    certified: dict[str, int] = {}
    for row in parsed:
        certified[row["case_number"]] = max(certified.get(row["case_number"], 0), row["workers_certified"] or 0)
    assert sum(certified.values()) == sum(per_case.values()) == 60_917
    assert {r["file_fiscal_year"] for r in parsed} == {2006}  # no decision date: the file name says it
    assert (
        Counter(r["employer_state"] for r in parsed)["NC"]
        == Counter(r["Employer_State"] for r in rows)["NORTH CAROLINA"]
    )
    assert "period: certified period" in result.notes and result.extra_columns == ()
    assert parsed[0]["certification_begin_date"].isoformat() == "2006-05-20"  # "05/20/06 00:00:00"


H2B_FILES = [
    "H-2B_FY2000.csv",
    "H-2B_FY2005.csv",
    "H-2B_FY2008.xlsx",
    "H-2B_FY2010.xlsx",
    "H-2B_FY2013.xls",
    "H-2B_FY14_Q4.xlsx",
    "H-2B_FY15_Q3.xlsx",
]


@pytest.mark.parametrize("name", H2B_FILES)
def test_a_real_h2b_file_given_as_h2a_is_refused_saying_what_it_is(name, tmp_path):
    real = shared_sample(f"h2b/{name}")
    disguised = tmp_path / ("export" + real.suffix)  # under any name: its contents tell
    disguised.write_bytes(real.read_bytes())
    assert not is_disclosure_file(disguised)
    with pytest.raises(UnknownLayoutError) as error:
        parse_disclosure(disguised, file=disguised.name, sha256="0" * 64)
    assert error.value.rule == "file_kind"
    assert "this is an OFLC H-2B (non-agricultural) disclosure file" in str(error.value)
    assert len(str(error.value).splitlines()) == 1


def test_a_qcew_quarterly_slice_given_as_h2a_is_refused_saying_what_it_is():
    with pytest.raises(UnknownLayoutError, match="this is a BLS QCEW quarterly slice") as error:
        parse_disclosure(REAL / "qcew" / "api_2025_4_industry" / "10.csv", file="10.csv", sha256="0" * 64)
    assert "annual slices" in str(error.value)


def _indexed_headers(program: str) -> list[dict]:
    folder = REAL / program / "headers"
    with open(folder / "INDEX.csv", encoding="utf-8", newline="") as handle:
        entries = list(csv.DictReader(handle))
    for entry in entries:
        entry["header"] = recording(folder / entry["fixture"])[0]
    return entries


REAL_HEADERS = _indexed_headers("h2a") + _indexed_headers("h2b")


def _header_only_workbook(entry: dict, tmp_path: Path) -> Path:
    import xlsxwriter

    path = tmp_path / entry["published_file"]
    if path.suffix == ".csv":
        path.write_text(",".join(entry["header"]) + "\n", encoding="utf-8")
        return path
    with xlsxwriter.Workbook(str(path)) as workbook:
        workbook.add_worksheet(entry["sheet"] or "Sheet1").write_row(0, 0, entry["header"])
    return path


@pytest.mark.parametrize(
    "entry", [e for e in REAL_HEADERS if e["kind"] == "h2a_disclosure"], ids=lambda e: e["fixture"]
)
def test_every_real_h2a_header_of_every_era_and_quarter_loads_by_meaning(entry, tmp_path):
    match = DISCLOSURE_COLUMNS.match(entry["header"], entry["published_file"])
    assert match.extra == ()
    assert {"case_number", "employer_name", "employer_state", "case_status"} <= set(match.mapping)
    assert {"workers_certified", "decision_date"} <= set(match.mapping) or entry["fixture"] == "h2a_fy2006_csv.csv"
    result = parse_disclosure(_header_only_workbook(entry, tmp_path), file=entry["published_file"], sha256="0" * 64)
    assert result.table.num_rows == 0 and result.extra_columns == ()


OTHER_KINDS = {
    "h2a_addendum_b_housing": "this is an OFLC H-2A Addendum B Housing file",
    "h2a_addendum_a": "this is an OFLC H-2A Addendum A",
    "h2a_addendum_b_employment": "this is an OFLC H-2A Addendum B Employment (worksites) file",
    "h2b_disclosure": "this is an OFLC H-2B (non-agricultural) disclosure file",
    "h2b_appendix": "this is an OFLC H-2B appendix file",
}


@pytest.mark.parametrize("entry", [e for e in REAL_HEADERS if e["kind"] in OTHER_KINDS], ids=lambda e: e["fixture"])
def test_a_real_file_of_another_kind_is_refused_in_one_line_saying_what_it_is(entry, tmp_path):
    path = _header_only_workbook(entry, tmp_path)
    with pytest.raises(UnknownLayoutError) as error:
        parse_disclosure(path, file=entry["published_file"], sha256="0" * 64)
    assert error.value.rule == "file_kind" and OTHER_KINDS[entry["kind"]] in str(error.value)
    assert len(str(error.value).splitlines()) == 1
    assert not is_disclosure_file(path)


@pytest.mark.parametrize(
    "entry", [e for e in REAL_HEADERS if e["kind"] == "h2a_addendum_b_employment"], ids=lambda e: e["fixture"]
)
def test_every_real_addendum_b_employment_header_loads_by_meaning(entry, tmp_path):
    from sources.h2a.columns import ADDENDUM_B_COLUMNS
    from sources.h2a.parse import parse_addendum_b

    match = ADDENDUM_B_COLUMNS.match(entry["header"], entry["published_file"])
    assert match.extra == () and {"business_name", "postal_code", "additional_info"} <= set(match.mapping)
    result = parse_addendum_b(_header_only_workbook(entry, tmp_path), file=entry["published_file"], sha256="0" * 64)
    assert result.table.num_rows == 0
