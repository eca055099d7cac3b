"""WHD columns by meaning: tolerance proven on headers the dictionary was not built from.

- Every real-header fixture renamed to *other* real spellings of the same meanings (a case change where
  a column has one spelling only), in shuffled order, loads with the same totals, computed here from the
  fixture with the csv module.
- Leave-one-out: the spellings only one real header uses are dropped from the dictionary; that file then
  either loads with those columns kept as extra (with a warning), or fails with an error that names what
  matched, which core meaning is missing, and the unrecognised columns.
- The real bulk-zip rows in ../shared/real-samples load with totals equal to an independent count.
- Each real file the dictionary names shows exactly the spellings the dictionary gives it.
"""

from __future__ import annotations

import csv
import random
import zipfile
from datetime import date
from pathlib import Path

import pytest

from sources.common.columns import spelling_key
from sources.common.errors import UnknownLayoutError
from sources.whd import columns as whd_columns
from sources.whd.columns import COLUMNS
from sources.whd.contract import DICTIONARY
from sources.whd.parse import is_whd_file, parse_file
from tests.real_fixtures import REAL, SHARED_SAMPLES, number, recording, shared_sample

WHD = REAL / "whd"
FIXTURES = ("era1_whd_whisard.csv", "era2_whd_whisard.csv", "era3_bulk_chunk.csv", "era3_bulk_chunk_live_dates.csv")
# Fixtures whose header is derived from another (PROVENANCE.md): era 2 = era 1 + ld_dt; the live
# dates re-spell the era-3 rows under the same header. They are no evidence of their own.
DERIVED = {"era2_whd_whisard.csv", "era3_bulk_chunk_live_dates.csv"}
BULK_ROWS = "whd_enforcement_bulk_real_rows.csv"


def _parse(path: Path, **kwargs):
    return parse_file(path, file=path.name, sha256="0" * 64, **kwargs)


def _case_column(header: list[str]) -> str:
    (column,) = [h for h in header if spelling_key(h) == "CASEID"]
    return column


def _back_wages_column(header: list[str]) -> str:
    (column,) = [h for h in header if spelling_key(h) == "BWATPAMT"]
    return column


def _totals(header: list[str], rows: list[dict[str, str]]) -> tuple:
    case, back_wages = _case_column(header), _back_wages_column(header)
    return len(rows), sorted(int(r[case]) for r in rows), round(sum(number(r[back_wages]) for r in rows), 2)


def _parsed_totals(result) -> tuple:
    rows = result.table.to_pylist()
    return len(rows), sorted(r["case_id"] for r in rows), round(sum(r["bw_atp_amt"] or 0 for r in rows), 2)


# --- (a) renamed to other real spellings and shuffled ------------------------------------------------


def _other_spelling(published: str) -> str:
    """Another real spelling of the same meaning: a different key where one exists, else a case change."""
    canonical = COLUMNS.canonical_of(published)
    if canonical is None:
        return published
    others = [s for s in COLUMNS.spellings_of(canonical) if spelling_key(s) != spelling_key(published)]
    if others:
        return sorted(others)[0]
    return published.lower() if published == published.upper() else published.upper()


@pytest.mark.parametrize("fixture", FIXTURES)
def test_each_real_fixture_renamed_to_other_real_spellings_and_shuffled_loads_the_same(fixture, tmp_path):
    header, rows = recording(WHD / fixture)
    renamed = {h: _other_spelling(h) for h in header}
    assert sum(spelling_key(old) != spelling_key(new) for old, new in renamed.items()) >= 2, "real renames used"
    assert all(old != new for old, new in renamed.items()), "every column is re-spelled"
    order = list(header)
    random.Random(len(fixture)).shuffle(order)
    path = tmp_path / "whd_whisard.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([renamed[h] for h in order])
        writer.writerows([r[h] for h in order] for r in rows)

    result = _parse(path)
    assert result.extra_columns == ()
    assert _parsed_totals(result) == _totals(header, rows)
    assert not [n for n in result.notes if n.startswith("warning")]


# --- (b) leave-one-out ------------------------------------------------------------------------------


def _real_headers() -> dict[str, list[str]]:
    headers = {fixture: recording(WHD / fixture)[0] for fixture in FIXTURES}
    if (SHARED_SAMPLES / BULK_ROWS).exists():
        headers[BULK_ROWS] = recording(SHARED_SAMPLES / BULK_ROWS)[0]
    return headers


def _only_here(headers: dict[str, list[str]], name: str) -> set[str]:
    """Spellings (by key) this file's header uses and no other real header does.

    "Other" headers are those read from another real file with a *different* header: a derived fixture
    is no evidence of its own, and files publishing the very same header (the era-3 fixture and the
    real bulk rows) are one layout, not two.
    """
    elsewhere = {
        spelling_key(h)
        for other, header in headers.items()
        if other != name and other not in DERIVED and header != headers[name]
        for h in header
    }
    return {h for h in headers[name] if spelling_key(h) not in elsewhere}


def _path_of(name: str) -> Path:
    return shared_sample(name) if name == BULK_ROWS else WHD / name


@pytest.mark.parametrize("name", [*FIXTURES, BULK_ROWS])
def test_leave_one_out_a_file_told_of_its_own_spellings_gets_a_clear_answer(name):
    path = _path_of(name)
    headers = _real_headers()
    own = _only_here(headers, name)
    reduced = COLUMNS.without(own)
    forgotten = {h for h in own if COLUMNS.canonical_of(h)}
    assert forgotten, f"{name}: the test forgets spellings that matter"
    if reduced.holds_core(headers[name]):
        result = _parse(path, columns=reduced)
        assert forgotten <= set(result.extra_columns)
        assert any(n.startswith("warning: columns no real file") for n in result.notes)
        assert _parsed_totals(result) == _totals(*recording(path))
    else:
        with pytest.raises(UnknownLayoutError) as error:
            _parse(path, columns=reduced)
        _assert_names_what_matched_missing_and_unrecognised(str(error.value), error.value.problems, forgotten)


def _assert_names_what_matched_missing_and_unrecognised(message: str, problems, unrecognised: set[str]) -> None:
    assert "not a file of the WHD compliance actions table" in message and "Matched: " in message
    assert "Matched: nothing" not in message
    assert all(column in message for column in sorted(unrecognised)[:12]), "the unrecognised columns are named"
    assert any(p.rule == "header" and p.message == "required column is missing" for p in problems)


@pytest.mark.parametrize("name", [*FIXTURES, BULK_ROWS])
@pytest.mark.parametrize("core", ["case_id", "st_cd", "bw_atp_amt"])
def test_a_core_column_the_dictionary_forgot_fails_naming_what_matched_and_what_is_missing(name, core):
    path = _path_of(name)
    header = _real_headers()[name]
    (published,) = [h for h in header if COLUMNS.canonical_of(h) == core]
    with pytest.raises(UnknownLayoutError) as error:
        _parse(path, columns=COLUMNS.without(COLUMNS.spellings_of(core)))
    message = str(error.value)
    assert f"lack {core} (e.g. " in message, message
    assert f"Unrecognised columns: ['{published}']" in message
    _assert_names_what_matched_missing_and_unrecognised(message, error.value.problems, {published})
    assert [p.column for p in error.value.problems if p.message == "required column is missing"] == [core]


def test_without_both_employer_names_the_file_fails_naming_the_two():
    with pytest.raises(UnknownLayoutError) as error:
        _parse(WHD / "era1_whd_whisard.csv", columns=COLUMNS.without(["legal_name", "trade_nm"]))
    assert "lack legal_name (e.g. " in str(error.value) and " or trade_nm (e.g. " in str(error.value)
    assert [p.column for p in error.value.problems if p.message == "required column is missing"] == [
        "legal_name or trade_nm"
    ]


def test_one_employer_name_is_enough_and_the_other_is_said_to_be_null(tmp_path):
    header, rows = recording(WHD / "era3_bulk_chunk.csv")
    kept = [h for h in header if h != "LEGAL_NAME"]
    path = tmp_path / "chunk.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(kept)
        writer.writerows([r[h] for h in kept] for r in rows)
    result = _parse(path)
    assert _parsed_totals(result) == _totals(header, rows)
    assert set(result.table.column("legal_name").to_pylist()) == {None}
    assert "warning: no column for legal_name: it is null for every row of this file" in result.notes


def test_a_renamed_optional_column_is_kept_in_extra_columns_with_a_warning(tmp_path):
    header, rows = recording(WHD / "era3_bulk_chunk.csv")
    renamed = ["CMP_ASSESSED" if h == "CMP_ASSD" else h for h in header]
    path = tmp_path / "chunk.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(renamed)
        writer.writerows([r[h] for h in header] for r in rows)
    result = _parse(path)
    assert result.extra_columns == ("CMP_ASSESSED",)
    assert "warning: no column for cmp_assd_cnt: it is null for every row of this file" in result.notes
    assert any(n.startswith("warning: columns no real file") and "CMP_ASSESSED" in n for n in result.notes)
    assert set(result.table.column("cmp_assd_cnt").to_pylist()) == {None}


# --- (c) the real bulk-zip rows ---------------------------------------------------------------------


@pytest.mark.parametrize("zipped", [False, True], ids=["csv", "bulk zip"])
def test_the_real_bulk_rows_load_with_totals_equal_to_an_independent_count(zipped, tmp_path):
    real = shared_sample(BULK_ROWS)
    with open(real, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    path = real
    if zipped:
        path = tmp_path / "WHD_enforcement.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(real, "LOAD00000001-2026-09-21-05-19-19_chunk_1.csv")
    assert is_whd_file(path)

    result = _parse(path)
    parsed = result.table.to_pylist()
    assert result.extra_columns == () and not [n for n in result.notes if n.startswith("warning")]
    assert result.notes[0].startswith("era 3")
    assert _parsed_totals(result) == (
        len(rows),
        sorted(int(r["CASE_ID"]) for r in rows),
        round(sum(float(r["BW_ATP_AMT"] or 0) for r in rows), 2),
    )
    assert round(sum(r["cmp_assd_cnt"] or 0 for r in parsed), 2) == round(sum(number(r["CMP_ASSD"]) for r in rows), 2)
    assert sum(r["case_violtn_cnt"] or 0 for r in parsed) == sum(int(r["CASE_VIOLTN_CNT"] or 0) for r in rows)
    assert sum(r["dbra_cl_violtn_cnt"] or 0 for r in parsed) == sum(int(r["DBRA_VIOLTN_CNT"] or 0) for r in rows)
    by_case = {r["case_id"]: r for r in parsed}
    for row in rows:
        typed = by_case[int(row["CASE_ID"])]
        assert (typed["zip_cd"], typed["naic_cd"], typed["st_cd"]) == (row["ZIP_CD"], row["NAIC_CD"], row["ST_CD"])
        assert typed["findings_end_date"] == date.fromisoformat(row["FINDINGS_END_DATE"][:10])
        assert typed["ld_dt"].isoformat(sep=" ") == row["LOAD_DT"].removesuffix("+00:00")  # written in UTC


# --- the dictionary's own evidence ------------------------------------------------------------------


def _spellings_read_from(label: str) -> set[str]:
    return {s for spellings in COLUMNS.columns.values() for s, files in spellings.items() if label in files}


def test_each_real_file_shows_exactly_the_spellings_the_dictionary_gives_it():
    with open(DICTIONARY, encoding="utf-8", newline="") as handle:
        dictionary = {r["column_name"] for r in csv.DictReader(handle)}
    assert _spellings_read_from(whd_columns.CATALOG_ERA1) == set(recording(WHD / "era1_whd_whisard.csv")[0])
    assert _spellings_read_from(whd_columns.DATA_DICTIONARY) == dictionary
    assert _spellings_read_from(whd_columns.CATALOG_ERA2) == {"ld_dt"} <= set(recording(WHD / FIXTURES[1])[0])
    assert _spellings_read_from(whd_columns.BULK_CHUNK) == set(recording(WHD / "era3_bulk_chunk.csv")[0])
    assert _spellings_read_from(whd_columns.BULK_ROWS) == set(recording(WHD / "era3_bulk_chunk.csv")[0])
    assert COLUMNS.real_files() == {
        whd_columns.CATALOG_ERA1,
        whd_columns.CATALOG_ERA2,
        whd_columns.DATA_DICTIONARY,
        whd_columns.BULK_CHUNK,
        whd_columns.BULK_ROWS,
    }
    assert all(files for spellings in COLUMNS.columns.values() for files in spellings.values())


def test_the_real_bulk_rows_header_is_the_one_the_dictionary_names():
    header, _ = recording(shared_sample(BULK_ROWS))
    assert set(header) == _spellings_read_from(whd_columns.BULK_ROWS)


def test_whd_files_are_recognised_by_their_columns_and_others_are_not(tmp_path):
    for fixture in FIXTURES:
        assert is_whd_file(WHD / fixture)
    assert not is_whd_file(REAL / "qcew" / "api_2025_4_industry" / "10.csv")
