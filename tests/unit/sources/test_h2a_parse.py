"""H-2A parsing: real files give the right values; file names, selection and bad files behave.

The real OFLC FY2012 and FY2016 workbooks are read whole from ../shared/real-samples (never copied
into the repository); the tests skip, saying so, where that folder is absent.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter

from sources.common.errors import ParseError, UnknownLayoutError
from sources.h2a import SOURCE
from sources.h2a.headers import era_for_year
from sources.h2a.parse import (
    completeness,
    fiscal_year_from_name,
    parse_addendum_b,
    parse_disclosure,
    select_files,
)
from tests.real_fixtures import shared_sample
from tests.unit.sources.parser_properties import set_aside_cells


@pytest.fixture
def fy2012() -> Path:
    return shared_sample("H-2A_FY2012.xlsx")


@pytest.fixture
def fy2016() -> Path:
    return shared_sample("H-2A_Disclosure_Data_FY16_updated.xlsx")


def _parse(path: Path, name: str | None = None):
    return parse_disclosure(path, file=name or path.name, sha256="0" * 64)


def _rows(result) -> list[dict]:
    return result.table.to_pylist()


def _write(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook with the given sheets; each sheet a list of rows (row 1 = header), None = empty cell."""
    workbook = xlsxwriter.Workbook(str(path))
    dates = workbook.add_format({"num_format": "m/d/yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), dates)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif value is not None:
                    sheet.write_string(r, c, value)
    workbook.close()
    return path


def _real_rows(path: Path) -> list[list]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


# --- the real files ------------------------------------------------------------------------------


def test_fy2012_real_file_values(fy2012):
    result = _parse(fy2012)
    rows = _rows(result)
    assert result.notes[:4] == [
        "H-2A disclosure (columns by meaning)",
        "period: certified period and dates of need",
        "sheet 'H-2A_FY2012_Q4'",
        "FY2012",
    ]
    assert len(rows) == 8047 and result.extra_columns == ()
    first = rows[0]
    assert first["case_number"] == "C-11046-27747" and first["case_row"] == 1
    assert first["employer_name"] == "STAN WARD FARM"
    assert (first["employer_city"], first["employer_state"]) == ("DIETRICH", "ID")
    assert first["employer_postal_code"] == "83324"  # a number cell (83324.0) read as text
    assert (first["workers_requested"], first["workers_certified"]) == (2, 2)
    assert first["decision_date"] == date(2011, 10, 5) and first["received_date"] == date(2011, 2, 15)
    assert first["certification_begin_date"] == date(2011, 4, 1)
    assert (first["wage_rate"], first["wage_unit"]) == (9.9, "HR")
    assert (first["filer_type"], first["visa_class"], first["primary_crop"]) == ("S", "H-2A", "General Farm Labor")
    assert first["agent_attorney_name"] == "MICHAELENE ROWE" and first["file_fiscal_year"] == 2012
    assert first["source_row"] == 1 and first["source_file"] == fy2012.name

    # An association filing: master row + 27 member rows under one case number.
    association = [r for r in rows if r["case_number"] == "C-11130-29271"]
    assert [r["case_row"] for r in association] == list(range(1, 29))
    assert association[0]["employer_name"] == "WESTERN RANGE ASSOCIATION" and association[0]["filer_type"] == "A"
    assert all(r["filer_type"] is None for r in association[1:])
    assert max(r["workers_certified"] for r in association) == 45
    assert sum(r["workers_certified"] for r in association[1:]) == 45  # the master already counts its members


def test_fy2016_real_file_values(fy2016):
    result = _parse(fy2016)
    rows = _rows(result)
    assert result.notes[1:4] == ["period: dates of need", "sheet 'H-2A_FY2016'", "FY2016"] and len(rows) == 11_597
    first = rows[0]
    assert (first["case_number"], first["employer_name"]) == ("H-300-13038-301403", "ARNOLD FARMS, LLC")
    assert first["decision_date"] == date(2016, 2, 10)  # a date-time cell (13:39:22)
    assert first["case_status"] == "DETERMINATION ISSUED - CERTIFICATION"
    assert (first["primary_sub"], first["filer_type"]) == ("PRI", "Individual Employer")
    assert (first["soc_code"], first["nature_of_temporary_need"]) == ("45-2092", "Seasonal")
    assert (first["employment_begin_date"], first["employment_end_date"]) == (date(2016, 1, 14), date(2016, 7, 16))
    assert (first["requested_begin_date"], first["certification_begin_date"]) == (date(2016, 3, 15), None)
    assert (first["wage_rate"], first["wage_unit"], first["workers_certified"]) == (11.66, "Hour", 18)
    assert first["employer_country"] == "UNITED STATES OF AMERICA"
    assert rows[2]["case_status"] == "DETERMINATION ISSUED - CERTIFICATION EXPIRED"
    assert rows[2]["worksite_postal_code"] == "713582571"
    assert rows[4]["naics_code"] == "4239"  # a number cell, kept as text
    assert rows[5]["filer_type"] == "H-2A Labor Contractor or Job Contractor"
    last_case = [r for r in rows if r["case_number"] == "H-300-15243-487642"]
    assert len(last_case) == 37 and [r["primary_sub"] for r in last_case] == ["PRI"] + ["SUB"] * 36
    assert max(r["workers_certified"] for r in last_case) == 97


def test_full_real_files_parse(fy2012, fy2016):
    fy12 = _parse(fy2012).table
    assert fy12.num_rows == 8047 == len(_real_rows(fy2012)) - 1
    certified: dict[str, int] = {}
    for case, workers in zip(
        fy12.column("case_number").to_pylist(), fy12.column("workers_certified").to_pylist(), strict=True
    ):
        certified[case] = max(certified.get(case, 0), workers or 0)
    assert len(certified) == 5459 and sum(certified.values()) == 85_487
    fy16 = _parse(fy2016).table
    assert fy16.num_rows == 11_597 and len(set(fy16.column("case_number").to_pylist())) == 8684


# --- file names and selection --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, year",
    [
        ("H2A_FY2008.xlsx", 2008),
        ("H-2A_FY2012.xlsx", 2012),
        ("H2A_FY2013.xls", 2013),
        ("H-2A_FY14_Q4.xlsx", 2014),
        ("H-2A_Disclosure_Data_FY15_Q4.xlsx", 2015),
        ("H-2A_Disclosure_Data_FY16_updated.xlsx", 2016),
        ("H-2A_Disclosure_Data_FY17.xlsx", 2017),
        ("H-2A_Disclosure_Data_FY2018_EOY.xlsx", 2018),
        ("H2A_Disclosure_Data_FY2021_Q1.xlsx", 2021),
        ("H-2A_FY2020_AddendumB_Employment.xlsx", 2020),
        ("H-2A_Addendum_B_Employment_Record_FY2022_Q4.xlsx", 2022),
    ],
)
def test_fiscal_year_from_every_name_form(name, year):
    assert fiscal_year_from_name(name) == year


@pytest.mark.parametrize("name", ["H-2A_Disclosure_Data.xlsx", "H-2A_2019.xlsx", "H-2A_FY2019_vs_FY2020.xlsx"])
def test_name_without_one_fiscal_year_fails_but_the_contents_still_tell_it(name, tmp_path, fy2012):
    with pytest.raises(ParseError) as error:
        fiscal_year_from_name(name)
    assert error.value.rule == "file_name"
    # The real FY2012 sheet is named H-2A_FY2012_Q4: the contents say the year, whatever the name.
    assert {r["file_fiscal_year"] for r in _rows(_parse(fy2012, name))} == {2012}


def test_patterns_keep_disclosure_and_addendum_b_apart():
    disclosure, addendum_b = SOURCE.table("disclosure"), SOURCE.table("addendum_b_worksites")
    main_names = [
        "H2A_FY2008.xlsx",
        "H-2A_FY2010.xlsx",
        "H2A_FY2013.xls",
        "H-2A_FY14_Q4.xlsx",
        "H-2A_Disclosure_Data_FY16_updated.xlsx",
        "H-2A_Disclosure_Data_FY2018_EOY.xlsx",
        "H2A_Disclosure_Data_FY2021_Q1.xlsx",
        "H-2A_Disclosure_Data_FY2025_Q4.xlsx",
        "H-2A_FY2018.xlsx",
    ]
    addendum_names = [
        "H-2A_FY2020_AddendumB_Employment.xlsx",
        "H-2A_Addendum_B_Employment_Disclosure_Data_FY2020_Q2.xlsx",
        "H2A_Addendum_B_Employment_FY2021_Q1.xlsx",
        "H-2A_Addendum_B_Employment_FY2021.xlsx",
        "H-2A_Addendum_B_Employment_Record_FY2022_Q4.xlsx",
    ]
    neither = [
        "H-2A_Addendum_A_Disclosure_Data_FY2020_Q2.xlsx",
        "H-2A_FY2020_AddendumA.xlsx",
        "H-2A_Addendum_B_Housing_FY2021.xlsx",
        "H-2A_AddendumB_Housing_FY2020.xlsx",
        "H-2A_Addendum_B_Housing_Disclosure_Data_FY2020_Q2.xlsx",
        "H-2A_Record_Layout_FY2021_Q1.pdf",
        "WHD_enforcement.zip",
        "H-2B_Disclosure_Data_FY2022_Q4.xlsx",
        "ground_truth_employers.csv",
    ]
    assert all(disclosure.matches(n) and not addendum_b.matches(n) for n in main_names)
    assert all(addendum_b.matches(n) and not disclosure.matches(n) for n in addendum_names)
    assert not any(disclosure.matches(n) or addendum_b.matches(n) for n in neither)


def test_select_files_keeps_the_most_complete_file_per_year():
    names = [
        "H-2A_Disclosure_Data_FY2022_Q2.xlsx",
        "H-2A_Disclosure_Data_FY2022_Q4.xlsx",
        "H-2A_Disclosure_Data_FY2022_Q1.xlsx",
        "H-2A_Disclosure_Data_FY16_Q1.xlsx",
        "H-2A_Disclosure_Data_FY16.xlsx",
        "H-2A_Disclosure_Data_FY16_updated.xlsx",
        "H-2A_Disclosure_Data_FY15_Q4.xlsx",
        "H2A_Disclosure_Data_FY2021_Q1.xlsx",
        "H-2A_Addendum_B_Employment_Record_FY2022_Q1.xlsx",
        "H-2A_Addendum_B_Employment_Record_FY2022_Q4.xlsx",
        "H-2A_Addendum_B_Housing_FY2022_Q4.xlsx",
    ]
    paths = [Path("/in") / n for n in names]
    assert [p.name for p in SOURCE.table("disclosure").pick(paths)] == [
        "H-2A_Disclosure_Data_FY15_Q4.xlsx",
        "H-2A_Disclosure_Data_FY16_updated.xlsx",
        "H2A_Disclosure_Data_FY2021_Q1.xlsx",
        "H-2A_Disclosure_Data_FY2022_Q4.xlsx",
    ]
    addendum = SOURCE.table("addendum_b_worksites").pick(paths)
    assert [p.name for p in addendum] == ["H-2A_Addendum_B_Employment_Record_FY2022_Q4.xlsx"]
    fy2018 = select_files([Path("H-2A_FY2018.xlsx"), Path("H-2A_Disclosure_Data_FY2018_EOY.xlsx")])
    assert [p.name for p in fy2018] == ["H-2A_Disclosure_Data_FY2018_EOY.xlsx"]
    assert completeness("x_FY2020_Q3.xlsx") > completeness("x_FY2020_Q2.xlsx") > completeness("x_FY2020_Q1.xlsx")


# --- bad files fail clearly ----------------------------------------------------------------------


def test_a_column_no_real_file_showed_loads_as_extra_with_a_warning(tmp_path, fy2016):
    """The core (case, employer, state, decision or status, workers requested) holds: the file loads."""
    rows = _real_rows(fy2016)[:30]
    rows[0] = ["NBR_WORKERS_CERT" if h == "NBR_WORKERS_CERTIFIED" else h for h in rows[0]]
    path = _write(tmp_path / fy2016.name, {"H-2A_FY2016": [[v if v != "" else None for v in r] for r in rows]})
    result = _parse(path)
    assert result.extra_columns == ("NBR_WORKERS_CERT",)
    assert any("warning" in note and "NBR_WORKERS_CERT" in note for note in result.notes)
    assert any("workers_certified" in note for note in result.notes), "a missing measure is said"
    parsed = _rows(result)
    assert len(parsed) == 29 and all(r["workers_certified"] is None for r in parsed)
    assert json.loads(parsed[0]["extra_columns"])["NBR_WORKERS_CERT"] == "18"


def test_a_header_without_the_core_fails_naming_what_matched_and_what_is_missing(tmp_path, fy2016):
    rows = _real_rows(fy2016)[:3]
    gone = {"NBR_WORKERS_CERTIFIED": "CERTIFIED", "NBR_WORKERS_REQUESTED": "REQUESTED"}
    rows[0] = [gone.get(h, h) for h in rows[0]]
    path = _write(tmp_path / fy2016.name, {"H-2A_FY2016": [[v if v != "" else None for v in r] for r in rows]})
    with pytest.raises(UnknownLayoutError) as error:
        _parse(path)
    message = str(error.value)
    assert "lack workers_certified (e.g. NBR_WORKERS_CERTIFIED" in message and "or workers_requested" in message
    assert "case_number<-CASE_NUMBER" in message and "Unrecognised columns: ['REQUESTED', 'CERTIFIED']" in message
    assert {p.column for p in error.value.problems} == {
        "workers_certified or workers_requested",
        "CERTIFIED",
        "REQUESTED",
    }


def test_wrong_first_sheet_fails_naming_it(tmp_path):
    data = [list(era_for_year(2012).header), ["C-12001-00001"] + [None] * 27]
    path = _write(
        tmp_path / "H-2A_FY2012.xlsx",
        {"Read me": [["About this file"], ["OFLC disclosure data"]], "H-2A_FY2012_Q4": data},
    )
    with pytest.raises(UnknownLayoutError, match="first sheet 'Read me'"):
        _parse(path)


def test_empty_first_sheet_fails(tmp_path):
    path = _write(tmp_path / "H-2A_FY2012.xlsx", {"Sheet1": [], "H-2A_FY2012_Q4": [list(era_for_year(2012).header)]})
    with pytest.raises(ParseError, match="empty") as error:
        _parse(path)
    assert error.value.rule == "not_empty"


def test_not_a_workbook_fails(tmp_path):
    path = tmp_path / "H-2A_FY2012.xlsx"
    path.write_bytes(b"<html>Access denied</html>")
    with pytest.raises(ParseError) as error:
        _parse(path)
    assert error.value.rule == "workbook_readable"


def _fy2012_file(tmp_path, rows: list[dict]) -> Path:
    header = list(era_for_year(2012).header)
    cells = [header] + [[r.get(h) for h in header] for r in rows]
    return _write(tmp_path / "H-2A_FY2012.xlsx", {"H-2A_FY2012_Q4": cells})


def test_blank_unnamed_column_is_ignored_but_one_with_values_is_kept_as_extra(tmp_path):
    header = [*era_for_year(2012).header[:5], None, *era_for_year(2012).header[5:]]
    rows = [header, ["C-12001-00001", None, None, None, "Denied", None]]
    path = _write(tmp_path / "H-2A_FY2012.xlsx", {"H-2A_FY2012_Q4": rows})
    result = _parse(path)
    (row,) = _rows(result)
    assert (row["case_number"], row["case_status"], row["extra_columns"]) == ("C-12001-00001", "Denied", None)
    assert result.extra_columns == ()
    rows[1][5] = "stray note"
    path = _write(tmp_path / "H-2A_FY2012.xlsx", {"H-2A_FY2012_Q4": rows})
    result = _parse(path)
    (row,) = _rows(result)
    assert json.loads(row["extra_columns"]) == {"__UNNAMED__5": "stray note"}
    assert result.extra_columns == ("__UNNAMED__5",)


def test_row_without_case_number_is_set_aside_with_its_row(tmp_path):
    path = _fy2012_file(
        tmp_path,
        [
            {"CASE_NO": "C-12001-00001", "CASE_STATUS": "Denied"},
            {},  # blank spacer row
            {"EMPLOYER_NAME": "NO CASE FARM"},
        ],
    )
    # Issue #24: a blank key sets its row aside; the rest of the file loads.
    result = _parse(path)
    assert set_aside_cells(result) == [("required_value", 3, "CASE_NO", None)]
    assert result.table.column("case_number").to_pylist() == ["C-12001-00001"]


def test_value_that_is_not_a_number_names_row_and_column(tmp_path):
    path = _fy2012_file(
        tmp_path,
        [
            {"CASE_NO": "C-12001-00001", "NBR_WORKERS_CERTIFIED": 3},
            {"CASE_NO": "C-12001-00002", "NBR_WORKERS_CERTIFIED": "3 workers"},
        ],
    )
    # Issue #24: one bad value sets its row aside (named with its row, column and value); the rest loads.
    result = _parse(path)
    assert set_aside_cells(result) == [("types_parse", 2, "NBR_WORKERS_CERTIFIED", "3 workers")]
    assert result.table.column("case_number").to_pylist() == ["C-12001-00001"]


def test_excel_serial_dates_and_date_cells_both_parse(tmp_path):
    path = _fy2012_file(
        tmp_path,
        [
            {
                "CASE_NO": "C-17159-00001",
                "DECISION_DATE": 42894.692372685196,
                "CASE_RECEIVED_DATE": 42887.0,
                "CERTIFICATION_BEGIN_DATE": date(2017, 7, 1),
                "CERTIFICATION_END_DATE": "11/30/2017",
                "EMPLOYER_POSTAL_CODE": 1002.0,
                "NBR_WORKERS_CERTIFIED": 4.0,
                "BASIC_RATE_OF_PAY": "$11.66",
            },
            {"CASE_NO": "C-17159-00001"},
            {"CASE_NO": "C-17159-00002", "EMPLOYER_POSTAL_CODE": "01002-1234"},
        ],
    )
    rows = _rows(_parse(path))
    assert rows[0]["decision_date"] == date(2017, 6, 8)  # the serial's time fraction is dropped
    assert rows[0]["received_date"] == date(2017, 6, 1)
    assert rows[0]["certification_begin_date"] == date(2017, 7, 1)  # a date cell
    assert rows[0]["certification_end_date"] == date(2017, 11, 30)  # text m/d/yyyy
    assert (rows[0]["employer_postal_code"], rows[2]["employer_postal_code"]) == ("1002", "01002-1234")
    assert (rows[0]["workers_certified"], rows[0]["wage_rate"]) == (4, 11.66)
    assert [(r["case_number"], r["case_row"]) for r in rows] == [
        ("C-17159-00001", 1),
        ("C-17159-00001", 2),
        ("C-17159-00002", 1),
    ]


# --- FY2020+ spellings and the Addendum B layout --------------------------------------------------


def _fy2024_file(tmp_path, replace: dict[str, str | None]) -> Path:
    header = [replace.get(h, h) for h in era_for_year(2024).header if replace.get(h, h) is not None]
    values = {
        "CASE_NUMBER": "H-300-23300-123456",
        "CASE_STATUS": "Determination Issued - Certification (Expired)",
        "EMPLOYER_NAME": "Valley Farms LLC",
        "EMPLOYER_FEIN": "12-3456789",
        "H2A_LABOR_CONTRACTOR": "Y",
        "ATTORNEY_AGENT_FIRST_NAME": "Ana",
        "ATTORNEY_AGENT_LAST_NAME": "Santos",
        "PER": "Hour",
        "WAGE_OFFER": 15.5,
        "AG_ASSN_OR_AGENCY_STATUS": "Joint Employer",
    }
    values.update({name: 12.0 for name in header if name.startswith("TOTAL_WORKERS_H")})
    cells = [header, [values.get(h) for h in header]]
    return _write(tmp_path / "H-2A_Disclosure_Data_FY2024_Q4.xlsx", {"Sheet1": cells})


@pytest.mark.parametrize("spelling", ["H2A", "H-2A", "H_2A"])
def test_fy2024_worker_count_spellings(tmp_path, spelling):
    renames = {f"TOTAL_WORKERS_H2A_{k}": f"TOTAL_WORKERS_{spelling}_{k}" for k in ("REQUESTED", "CERTIFIED")}
    path = _fy2024_file(tmp_path, renames)
    (row,) = _rows(_parse(path))
    assert (row["workers_requested"], row["workers_certified"], row["file_fiscal_year"]) == (12, 12, 2024)
    assert (row["employer_fein"], row["is_labor_contractor"]) == ("12-3456789", True)
    assert row["agent_attorney_name"] == "Ana Santos"  # joined from ATTORNEY_AGENT_FIRST/MIDDLE/LAST_NAME
    assert (row["wage_rate"], row["wage_unit"], row["ag_association_status"]) == (15.5, "Hour", "Joint Employer")


def test_fy2024_without_any_worker_count_fails(tmp_path):
    path = _fy2024_file(tmp_path, {"TOTAL_WORKERS_H2A_CERTIFIED": None, "TOTAL_WORKERS_H2A_REQUESTED": None})
    with pytest.raises(UnknownLayoutError, match="workers_certified"):
        _parse(path)


def test_addendum_b_optional_columns_and_unknown_column(tmp_path):
    header = [
        "CASE_NUMBER",
        "NAME_OF_AGRICULTURAL_BUSINESS",
        "PLACE_OF_EMPLOYMENT_CITY",
        "PLACE_OF_EMPLOYMENT_STATE",
        "PLACE_OF_EMPLOYMENT_POSTAL_CODE",
        "TOTAL_WORKERS",
        "ADDITONAL_PLACE_OF_EMPLOYMENT_INFO",  # sic, as published
    ]
    rows = [
        header,
        ["H-300-21001-000001", "Green Farm", "Salinas", "CA", "93901", 4.0, None],
        ["H-300-21001-000001", "Blue Farm", "Gonzales", "CALIFORNIA", 93926.0, 6.0, "North field"],
    ]
    path = _write(tmp_path / "H-2A_Addendum_B_Employment_FY2021.xlsx", {"Sheet1": rows})
    result = parse_addendum_b(path, file=path.name, sha256="1" * 64)
    parsed = _rows(result)
    got = [(r["worksite_row"], r["business_name"], r["postal_code"], r["state"], r["total_workers"]) for r in parsed]
    assert got == [(1, "Green Farm", "93901", "CA", 4), (2, "Blue Farm", "93926", "CA", 6)]  # CALIFORNIA -> CA
    assert "1 values of PLACE_OF_EMPLOYMENT_STATE spelled out (e.g. FLORIDA) mapped to state codes" in result.notes
    assert parsed[1]["additional_info"] == "North field" and parsed[0]["file_fiscal_year"] == 2021

    # A column no layout knows is news, not a failure: kept per row in extra_columns, named in the result.
    rows[0] = [*header[:-1], "A_COLUMN_NO_FILE_HAS"]
    path = _write(tmp_path / "H-2A_Addendum_B_Employment_FY2021.xlsx", {"Sheet1": rows})
    result = parse_addendum_b(path, file=path.name, sha256="1" * 64)
    assert result.extra_columns == ("A_COLUMN_NO_FILE_HAS",)
    assert [r["extra_columns"] for r in _rows(result)] == [None, '{"A_COLUMN_NO_FILE_HAS":"North field"}']
    # A missing core column still fails, naming what is missing and what was not recognised.
    rows[0] = [h if h != "TOTAL_WORKERS" else "WORKERS" for h in header]
    path = _write(tmp_path / "H-2A_Addendum_B_Employment_FY2021.xlsx", {"Sheet1": rows})
    with pytest.raises(
        UnknownLayoutError, match=r"lack total_workers \(e.g. TOTAL_WORKERS\).*Unrecognised columns: \['WORKERS'"
    ):
        parse_addendum_b(path, file=path.name, sha256="1" * 64)
