"""H-2B columns by meaning, on real headers only.

- `sources.h2b.headers` holds each real header verbatim: checked against every fixture in
  tests/fixtures/real/h2b/headers/ and every real file in ../shared/real-samples/h2b/.
- Every H-2B disclosure header fixture loads by meaning with no unknown column and the core present.
- Each header renamed to *other* real spellings of the same meanings, shuffled, loads the same rows.
- H-2A files and H-2B appendix files offered as H-2B are refused in one line saying what they are.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sources.common.columns import spelling_key
from sources.common.errors import UnknownLayoutError
from sources.h2b.columns import DISCLOSURE_COLUMNS, files_showing
from sources.h2b.headers import REAL_HEADERS
from sources.h2b.parse import is_disclosure_file, parse_disclosure
from tests.real_fixtures import REAL, SHARED_SAMPLES, recording_to_workbook

H2B = REAL / "h2b" / "headers"
H2A = REAL / "h2a" / "headers"


def _index(folder: Path) -> list[dict[str, str]]:
    with open(folder / "INDEX.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


DISCLOSURE_FIXTURES = [e for e in _index(H2B) if e["kind"] == "h2b_disclosure"]
APPENDIX_FIXTURES = [e for e in _index(H2B) if e["kind"] == "h2b_appendix"]
H2A_DISCLOSURE_FIXTURES = [e for e in _index(H2A) if e["kind"] == "h2a_disclosure"]


def _real_key(entry: dict[str, str]) -> str:
    period = entry["period"].removeprefix("H-2B, ")
    return f"{entry['published_file']} ({period})"


@pytest.mark.parametrize("entry", DISCLOSURE_FIXTURES, ids=lambda e: e["fixture"])
def test_each_real_header_fixture_is_held_verbatim_and_loads_by_meaning(entry, tmp_path):
    header = _header(H2B / entry["fixture"])
    assert REAL_HEADERS[_real_key(entry)] == tuple(header)
    match = DISCLOSURE_COLUMNS.match(header, entry["published_file"])
    assert match.extra == ()
    assert {"case_number", "employer_name", "employer_state", "decision_date"} <= set(match.mapping)
    assert {"workers_certified", "workers_requested"} & set(match.mapping)
    workbook = _one_row_workbook(header, tmp_path / entry["published_file"])
    assert is_disclosure_file(workbook)


def test_every_shared_real_file_header_is_held_verbatim():
    folder = SHARED_SAMPLES / "h2b"
    if not folder.exists():
        pytest.skip(f"{folder} is absent")
    held = {key.split(" (")[0]: header for key, header in REAL_HEADERS.items()}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            with open(path, encoding="latin-1", newline="") as handle:
                header = next(csv.reader(handle))
        else:
            first = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(nrows=1)[0]
            header = [str(c) for c in first]
        if path.name in held:
            assert held[path.name] == tuple(header), path.name


def test_every_spelling_names_the_real_files_that_show_it():
    for canonical, spellings in DISCLOSURE_COLUMNS.columns.items():
        for spelling, files in spellings.items():
            assert files and set(files) == set(files_showing(spelling)), (canonical, spelling)


def _one_row_workbook(header: list[str], target: Path) -> Path:
    values = {
        "case_number": "H-400-16001-000001",
        "employer_name": "Valley Landscaping LLC",
        "employer_state": "TX",
        "decision_date": "2016-03-01",
        "case_status": "Certification",
        "workers_certified": "12",
        "workers_requested": "15",
    }
    row = [values.get(DISCLOSURE_COLUMNS.canonical_of(h) or "", "") for h in header]
    recorded = target.with_suffix(".csv")
    with open(recorded, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, row])
    return recording_to_workbook(recorded, target.with_suffix(".xlsx"))


def _other_spelling(published: str) -> str:
    canonical = DISCLOSURE_COLUMNS.canonical_of(published)
    if canonical is None:
        return published
    others = [s for s in DISCLOSURE_COLUMNS.spellings_of(canonical) if spelling_key(s) != spelling_key(published)]
    return sorted(others)[0] if others else published


@pytest.mark.parametrize("entry", DISCLOSURE_FIXTURES, ids=lambda e: e["fixture"])
def test_each_header_renamed_to_other_real_spellings_and_shuffled_loads_the_same(entry, tmp_path):
    header = _header(H2B / entry["fixture"])
    original = parse_disclosure(_one_row_workbook(header, tmp_path / "a.xlsx"), file="a.xlsx", sha256="0" * 64)
    renamed = [_other_spelling(h) for h in header]
    assert sum(a != b for a, b in zip(header, renamed, strict=True)) >= 5, "the test renames columns"
    order = list(range(len(header)))
    random.Random(len(entry["fixture"])).shuffle(order)
    shuffled = [renamed[i] for i in order]
    path = _one_row_workbook(shuffled, tmp_path / "b.xlsx")
    result = parse_disclosure(path, file="b.xlsx", sha256="0" * 64)
    assert result.extra_columns == ()
    keep = ["case_number", "employer_name", "employer_state", "decision_date", "workers_certified"]
    assert result.table.select(keep).to_pylist() == original.table.select(keep).to_pylist()


@pytest.mark.parametrize("entry", H2A_DISCLOSURE_FIXTURES, ids=lambda e: e["fixture"])
def test_an_h2a_file_given_as_h2b_is_refused_saying_what_it_is(entry, tmp_path):
    header = _header(H2A / entry["fixture"])
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, ["x"] * len(header)])
    assert not is_disclosure_file(path)
    with pytest.raises(UnknownLayoutError) as error:
        parse_disclosure(path, file=path.name, sha256="0" * 64)
    assert error.value.rule == "file_kind"
    assert "this is an OFLC H-2A (agricultural) disclosure file" in str(error.value)


@pytest.mark.parametrize("entry", APPENDIX_FIXTURES, ids=lambda e: e["fixture"])
def test_an_h2b_appendix_is_refused_saying_what_it_is(entry, tmp_path):
    path = recording_to_workbook(H2B / entry["fixture"], tmp_path / entry["published_file"])
    with pytest.raises(UnknownLayoutError) as error:
        parse_disclosure(path, file=path.name, sha256="0" * 64)
    assert "this is an OFLC H-2B appendix file" in str(error.value)
    assert len(str(error.value).splitlines()) == 1
