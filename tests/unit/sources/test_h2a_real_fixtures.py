"""Every H-2A publication era parses from a fixture whose header comes from outside the code.

Each fixture in tests/fixtures/real/h2a/ carries the real header of a published workbook's first
sheet with hand-written rows (see PROVENANCE.md); whole real workbooks are read from
../shared/real-samples. Expected counts and sums are computed here from the fixture itself, with the
published column names, never from the parser's column dictionary.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sources.common.reference import SEEDS
from sources.h2a.contract import case_status_key
from sources.h2a.parse import fiscal_year_of, parse_addendum_b, parse_disclosure
from sources.h2a.sample import disclosure_file_name
from tests.real_fixtures import REAL, number, recording, recording_to_workbook, shared_sample

H2A = REAL / "h2a"

# fixture -> (published file name, fiscal year, workers-certified column as published)
FIXTURES = {
    "fy2008_23col.csv": ("H2A_FY2008.xlsx", 2008, "NBR_WORKERS_CERTIFIED"),
    "fy2008_23col_association.csv": ("H2A_FY2008.xlsx", 2008, "NBR_WORKERS_CERTIFIED"),
    "fy2010.csv": ("H-2A_FY2010.xlsx", 2010, "NBR_WORKERS_CERTIFIED"),
    "fy2011.csv": ("H-2A_FY2011.xlsx", 2011, "NBR_WORKERS_CERTIFIED"),
    "fy2012.csv": ("H-2A_FY2012.xlsx", 2012, "NBR_WORKERS_CERTIFIED"),
    "fy2013.csv": ("H2A_FY2013.xls", 2013, "NBR_WORKERS_CERTIFIED"),
    "fy2014_q4.csv": ("H-2A_FY14_Q4.xlsx", 2014, "NBR_WORKERS_CERTIFIED"),
    "fy2015_q4.csv": ("H-2A_Disclosure_Data_FY15_Q4.xlsx", 2015, "NBR_WORKERS_CERTIFIED"),
    "fy2017.csv": ("H-2A_Disclosure_Data_FY17.xlsx", 2017, "NBR_WORKERS_CERTIFIED"),
    "fy2018.csv": ("H-2A_Disclosure_Data_FY2018_EOY.xlsx", 2018, "NBR_WORKERS_CERTIFIED"),
    "fy2019.csv": ("H-2A_Disclosure_Data_FY2019.xlsx", 2019, "NBR_WORKERS_CERTIFIED"),
    "fy2020.csv": ("H-2A_Disclosure_Data_FY2020.xlsx", 2020, "TOTAL_WORKERS_H2A_CERTIFIED"),
    "fy2021.csv": ("H-2A_Disclosure_Data_FY2021.xlsx", 2021, "TOTAL_WORKERS_H2A_CERTIFIED"),
    "fy2022_q4.csv": ("H-2A_Disclosure_Data_FY2022_Q4.xlsx", 2022, "TOTAL_WORKERS_H2A_CERTIFIED"),
    "fy2024_q4.csv": ("H-2A_Disclosure_Data_FY2024_Q4.xlsx", 2024, "TOTAL_WORKERS_H2A_CERTIFIED"),
    "fy2025.csv": ("H-2A_Disclosure_Data_FY2025_Q4.xlsx", 2025, "TOTAL_WORKERS_H2A_CERTIFIED"),
}
# Fixtures whose column order is evidenced (a real file, or a record keeping column order): the sample
# must write exactly these header bytes. For the others only the set of names is evidenced.
ORDER_EVIDENCED = {"fy2010.csv", "fy2012.csv"}
SAMPLE_LAYOUT_FIXTURES = list(FIXTURES)
LAYOUT = "H-2A disclosure (columns by meaning)"


def _seed_status_keys() -> set[str]:
    import csv

    with open(SEEDS / "ref_h2a_case_statuses.csv", encoding="utf-8", newline="") as handle:
        return {case_status_key(row["case_status"]) for row in csv.DictReader(handle)}


def _case_column(header: list[str]) -> str:
    return "CASE_NUMBER" if "CASE_NUMBER" in header else "CASE_NO"


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_each_real_h2a_layout_parses_with_the_recorded_totals(fixture, tmp_path):
    published, fiscal_year, certified_column = FIXTURES[fixture]
    header, rows = recording(H2A / fixture)
    path = recording_to_workbook(H2A / fixture, tmp_path / published, sheet="Sheet1")
    result = parse_disclosure(path, file=published, sha256="0" * 64)
    parsed = result.table.to_pylist()

    assert result.notes[0] == LAYOUT and f"FY{fiscal_year}" in result.notes
    assert result.extra_columns == ()
    assert len(parsed) == len(rows)
    case_column = _case_column(header)
    assert sorted({r["case_number"] for r in parsed}) == sorted({r[case_column] for r in rows})
    assert sum(r["workers_certified"] or 0 for r in parsed) == sum(number(r[certified_column]) for r in rows)
    assert {r["file_fiscal_year"] for r in parsed} == {fiscal_year}
    assert Counter(r["case_status"] for r in parsed) == Counter(r["CASE_STATUS"] for r in rows)
    assert {case_status_key(r["case_status"]) for r in parsed} <= _seed_status_keys(), "every status has an outcome"
    decided = [r["decision_date"] for r in parsed if r["decision_date"]]
    assert len(decided) == sum(1 for r in rows if r["DECISION_DATE"])


def test_statuses_in_another_case_are_the_seed_statuses():
    keys = _seed_status_keys()
    for published in ("CERTIFIED - FULL", "CERTIFIED - PARTIAL", "DENIED", "WITHDRAWN", "Certified-Full"):
        assert case_status_key(published) in keys, published
    assert case_status_key("Determination Issued - Certification (Expired)") == case_status_key(
        "DETERMINATION ISSUED - CERTIFICATION EXPIRED"
    )


def test_a_file_under_any_name_takes_its_fiscal_year_from_its_contents(tmp_path):
    """No FY in the name nor the sheet: the fiscal year most decisions fall in (FY2012 data, Oct-Sep)."""
    path = recording_to_workbook(H2A / "fy2012.csv", tmp_path / "download (3).xlsx", sheet="Sheet1")
    assert fiscal_year_of(path) == 2012
    result = parse_disclosure(path, file=path.name, sha256="0" * 64)
    assert {r["file_fiscal_year"] for r in result.table.to_pylist()} == {2012}
    # The decision dates win over a sheet and a file name that name another year, with a warning naming both.
    named = recording_to_workbook(H2A / "fy2012.csv", tmp_path / "H-2A_FY2019.xlsx", sheet="H-2A_FY2011")
    assert fiscal_year_of(named) == 2012
    result = parse_disclosure(named, file=named.name, sha256="0" * 64)
    assert {r["file_fiscal_year"] for r in result.table.to_pylist()} == {2012}
    warnings = [n for n in result.notes if n.startswith("warning")]
    assert warnings == [
        "warning: the sheet says FY2011 but the decision dates say FY2012; FY2012 is used",
        "warning: the file name says FY2019 but the decision dates say FY2012; FY2012 is used",
    ]


def test_addendum_b_real_layout_with_address_lines_and_the_misspelt_info_column(tmp_path):
    header, rows = recording(H2A / "addendum_b_fy2020.csv")
    assert {
        "PLACE_OF_EMPLOYMENT_ADDRESS1",
        "PLACE_OF_EMPLOYMENT_ADDRESS2",
        "ADDITONAL_PLACE_OF_EMPLOYMENT_INFO",
    } <= set(header)
    path = recording_to_workbook(H2A / "addendum_b_fy2020.csv", tmp_path / "H-2A_FY2020_AddendumB_Employment.xlsx")
    result = parse_addendum_b(path, file=path.name, sha256="0" * 64)
    parsed = result.table.to_pylist()
    assert result.extra_columns == ()
    assert len(parsed) == len(rows)
    assert sum(r["total_workers"] for r in parsed) == sum(number(r["TOTAL_WORKERS"]) for r in rows)
    assert [r["address1"] for r in parsed] == [r["PLACE_OF_EMPLOYMENT_ADDRESS1"] or None for r in rows]
    assert {r["file_fiscal_year"] for r in parsed} == {2020}


def _sample_header(sample_folder: Path, fiscal_year: int) -> list[str]:
    workbook = CalamineWorkbook.from_path(str(sample_folder / disclosure_file_name(fiscal_year)))
    return [str(c) for c in workbook.get_sheet_by_index(0).to_python(nrows=1)[0]]


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory) -> Path:
    from sources.common.sample_world import SampleConfig, World
    from sources.h2a.sample import write_sample

    folder = tmp_path_factory.mktemp("h2a_sample")
    write_sample(World(SampleConfig(scale=0.001, seed=3)), folder)
    return folder


@pytest.mark.parametrize("fixture", SAMPLE_LAYOUT_FIXTURES)
def test_the_sample_writes_the_real_headers(fixture, sample_folder):
    """The sample writer's header equals the recorded one: byte for byte where the real order is known."""
    _, fiscal_year, _ = FIXTURES[fixture]
    recorded, _ = recording(H2A / fixture)
    written = _sample_header(sample_folder, fiscal_year)
    if fixture in ORDER_EVIDENCED:
        assert ",".join(written).encode() == ",".join(recorded).encode()
    else:
        assert sorted(written) == sorted(recorded)


@pytest.mark.parametrize(
    ("real_file", "fiscal_year"), [("H-2A_FY2012.xlsx", 2012), ("H-2A_Disclosure_Data_FY16_updated.xlsx", 2016)]
)
def test_the_sample_header_is_byte_equal_to_the_real_files(real_file, fiscal_year, sample_folder):
    """The real workbooks (read from ../shared/real-samples) fix the header the sample must write."""
    real = CalamineWorkbook.from_path(str(shared_sample(real_file))).get_sheet_by_index(0).to_python(nrows=1)[0]
    assert ",".join(_sample_header(sample_folder, fiscal_year)).encode() == ",".join(map(str, real)).encode()
