"""End to end: the published marts agree with totals computed independently from the raw sample
files (Python csv/zipfile/calamine, not the warehouse's parsers), and analysts query read-only."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from tests.integration.conftest import run_cli, sample_dir
from warehouse.access.query import ReadOnlyError, run_query
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration


def _fiscal_year(day: date) -> int:
    return day.year + (1 if day.month >= 10 else 0)


def _sector(naics: str) -> str | None:
    two = naics[:2]
    for first, last, code in ((31, 33, "31-33"), (44, 45, "44-45"), (48, 49, "48-49")):
        if two.isdigit() and first <= int(two) <= last:
            return code
    return two if len(naics) >= 2 and naics.isdigit() else None


def _decode(line: bytes) -> str:
    """UTF-8, with the stray cp1252 bytes the real WHD file has decoded one by one."""
    out, rest = [], line
    while rest:
        try:
            out.append(rest.decode("utf-8"))
            break
        except UnicodeDecodeError as error:
            out.append(rest[: error.start].decode("utf-8"))
            out.append(rest[error.start : error.start + 1].decode("cp1252"))
            rest = rest[error.start + 1 :]
    return "".join(out)


def whd_rows(folder):
    with zipfile.ZipFile(folder / "WHD_enforcement.zip") as archive:
        for member in sorted(archive.namelist()):
            text = "\n".join(_decode(line) for line in archive.read(member).splitlines())
            yield from csv.DictReader(io.StringIO(text))


def _mart(home, sql):
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_industry_mart_whd_totals_match_the_raw_whd_file(built_home):
    expected = defaultdict(lambda: [0, 0.0, 0, 0])
    for row in whd_rows(sample_dir(built_home)):
        end = date.fromisoformat(row["FINDINGS_END_DATE"][:10])  # "2019-08-24 00:00:00+00:00"
        sector = _sector(row["NAIC_CD"]) or "unknown"
        if not date(1980, 1, 1) <= end <= date.today():
            continue
        totals = expected[(sector, _fiscal_year(end))]
        totals[0] += 1
        totals[1] += float(row["BW_ATP_AMT"] or 0)
        totals[2] += int(row["CASE_VIOLTN_CNT"] or 0)
        totals[3] += int(row["EE_ATP_CNT"] or 0)
    actual = {
        (sector, year): [cases, back_wages, violations, owed]
        for sector, year, cases, back_wages, violations, owed in _mart(
            built_home,
            "select naics_sector, fiscal_year, whd_cases, back_wages, violations, employees_owed "
            "from marts.mart_industry_year where whd_cases > 0",
        )
    }
    assert set(actual) == set(expected)
    for key, (cases, back_wages, violations, owed) in expected.items():
        assert actual[key][0] == cases, key
        assert actual[key][1] == pytest.approx(back_wages, abs=0.01), key
        assert actual[key][2:] == [violations, owed], key


def _hidden_work_codes() -> list[str]:
    """The analyst's list of hidden-work NAICS codes (the seed: configuration, not a result)."""
    seed = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "ref_hidden_work_industries.csv"
    with open(seed, encoding="utf-8", newline="") as handle:
        return [row["naics_code"] for row in csv.DictReader(handle)]


def test_hidden_work_mart_matches_the_raw_whd_file(built_home):
    """Per hidden-work industry and fiscal year, nationally: cases, child-labor minors and violations,
    H-2B violations and cases flagged as repeat FLSA violators, counted by NAICS prefix."""
    codes = _hidden_work_codes()
    expected = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in whd_rows(sample_dir(built_home)):
        end = date.fromisoformat(row["FINDINGS_END_DATE"][:10])
        industry = next((c for c in codes if row["NAIC_CD"].strip().startswith(c)), None)
        if industry is None or not date(1980, 1, 1) <= end <= date.today():
            continue
        totals = expected[(industry, _fiscal_year(end))]
        totals[0] += 1
        totals[1] += int(row["FLSA_CL_MINOR_CNT"] or 0)
        totals[2] += int(row["FLSA_CL_VIOLTN_CNT"] or 0)
        totals[3] += int(row["H2B_VIOLTN_CNT"] or 0)
        totals[4] += row["FLSA_REPEAT_VIOLATOR"].strip().upper() in ("R", "RW")
    actual = {
        (code, year): list(values)
        for code, year, *values in _mart(
            built_home,
            "select hidden_work_naics_code, fiscal_year, sum(whd_cases), sum(child_labor_minors), "
            "sum(child_labor_violations), sum(h2b_violations), sum(flsa_repeat_violator_cases) "
            "from marts.mart_hidden_work_year group by all having sum(whd_cases) > 0",
        )
    }
    assert any(totals[1] for totals in expected.values()), "the sample has child labor in hidden-work industries"
    assert actual == dict(expected)
    trends = {
        (code, year, measure): value
        for code, year, measure, value in _mart(
            built_home,
            "select hidden_work_naics_code, fiscal_year, measure, value from marts.mart_hidden_work_trends "
            "where measure in ('whd_cases', 'child_labor_minors') and value > 0",
        )
    }
    assert trends == {
        (code, year, measure): float(totals[i])
        for (code, year), totals in expected.items()
        for i, measure in ((0, "whd_cases"), (1, "child_labor_minors"))
        if totals[i]
    }


def _excel_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and value:
        return date(1899, 12, 30) + timedelta(days=int(value))
    return None


def h2a_cases(folder, *, certified_only: bool = False):
    """case number -> (file FY, max workers certified, FY of decision), from the latest file.

    With `certified_only`, cases whose status (on the row with the most workers) is not a
    certification are left out.
    """
    cases: dict[str, tuple[int, int, int]] = {}
    for path in sorted(folder.iterdir()):
        name = path.name.upper()
        if not name.startswith(("H2A_FY", "H-2A_FY", "H-2A_DISCLOSURE")) or "ADDENDUM" in name:
            continue
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        header = [str(h) for h in rows[0]]
        case_col = header.index("CASE_NUMBER" if "CASE_NUMBER" in header else "CASE_NO")
        certified_col = next(
            i
            for i, h in enumerate(header)
            if h.replace("-", "").replace("_", "") in ("NBRWORKERSCERTIFIED", "TOTALWORKERSH2ACERTIFIED")
        )
        decided_col = header.index("DECISION_DATE")
        status_col = header.index("CASE_STATUS")
        year_part = name.split("FY")[1]
        file_year = int(year_part[:4]) if year_part[:4].isdigit() else 2000 + int(year_part[:2])
        per_case: dict[str, list] = {}
        for row in rows[1:]:
            if not row[case_col]:
                continue
            certified = int(float(row[certified_col])) if row[certified_col] not in ("", None) else 0
            entry = per_case.setdefault(row[case_col], [file_year, -1, None, ""])
            if certified > entry[1]:
                entry[1], entry[3] = certified, str(row[status_col])
            entry[2] = entry[2] or _excel_date(row[decided_col])
        for case, (year, certified, decided, status) in per_case.items():
            if certified_only and "CERTIF" not in status.upper():
                continue
            if case not in cases or cases[case][0] < year:
                cases[case] = (year, max(certified, 0), _fiscal_year(decided) if decided else year)
    return cases


def test_h2a_workers_certified_per_year_match_the_raw_workbooks(built_home):
    expected = defaultdict(int)
    for _, certified, fiscal_year in h2a_cases(sample_dir(built_home)).values():
        expected[fiscal_year] += certified
    actual = dict(
        _mart(
            built_home,
            "select fiscal_year, sum(h2a_workers_certified) from marts.mart_industry_year "
            "group by 1 having sum(h2a_workers_certified) > 0",
        )
    )
    assert actual == {year: total for year, total in expected.items() if total}


def test_national_sector_employment_matches_the_qcew_slices(built_home):
    expected: dict[tuple[str, int], int | None] = {}
    suppressed = set()
    for path in sample_dir(built_home).glob("qcew_*_a_industry_*.csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["area_fips"] != "US000" or row["agglvl_code"] != "14":
                    continue
                key = (row["industry_code"], int(row["year"]))
                if row["disclosure_code"] == "N":
                    suppressed.add(key)
                expected[key] = (expected.get(key) or 0) + int(row["annual_avg_emplvl"])
    for key in suppressed:
        expected[key] = None
    actual = {
        (s, y): e
        for s, y, e in _mart(
            built_home, "select naics_sector, fiscal_year, qcew_employment from marts.mart_industry_year"
        )
    }
    compared = [key for key in actual if key in expected]
    assert compared, "the marts should cover years QCEW publishes"
    for key in compared:
        assert actual[key] == expected[key], key


def test_region_mart_state_cases_match_and_regions_add_up(built_home):
    expected = defaultdict(int)
    for row in whd_rows(sample_dir(built_home)):
        end = date.fromisoformat(row["FINDINGS_END_DATE"][:10])  # "2019-08-24 00:00:00+00:00"
        if date(1980, 1, 1) <= end <= date.today():
            expected[(row["ST_CD"], _fiscal_year(end))] += 1
    states = {
        (code, year): cases
        for code, year, cases in _mart(
            built_home,
            "select geo_code, fiscal_year, whd_cases from marts.mart_region_year "
            "where geo_level = 'state' and whd_cases > 0",
        )
    }
    assert states == {k: v for k, v in expected.items() if k[0] in {s for s, _ in states}}
    mismatched = _mart(
        built_home,
        """select r.geo_code, r.fiscal_year from marts.mart_region_year r
           join (select dol_region, fiscal_year, sum(whd_cases) as cases, sum(h2a_workers_certified) as workers
                 from marts.mart_region_year where geo_level = 'state' group by all) s
             on r.geo_code = s.dol_region and r.fiscal_year = s.fiscal_year
           where r.geo_level = 'dol_region' and (r.whd_cases <> s.cases or r.h2a_workers_certified <> s.workers)""",
    )
    assert mismatched == []


def test_query_prints_rows_from_the_published_copy(built_home):
    result = run_cli(
        "query", "select * from marts.mart_industry_year limit 5", "--home", str(built_home), "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("naics_sector,sector_title,fiscal_year,whd_cases")
    assert len(lines) == 6


def test_query_is_read_only(built_home):
    paths = WarehousePaths.at(built_home)
    with pytest.raises(ReadOnlyError, match="read-only"):
        run_query("create table marts.scratch as select 1 as x", paths)
    result = run_cli("query", "delete from marts.mart_industry_year", "--home", str(built_home))
    assert result.exit_code == 1
    assert _mart(built_home, "select count(*) from marts.mart_industry_year")[0][0] > 0


def test_every_published_table_is_described_by_the_audit_trail(built_home):
    tables = {t for (t,) in _mart(built_home, "select distinct table_name from audit.validation_results")}
    raw = {
        t for (t,) in _mart(built_home, "select table_name from information_schema.tables where table_schema = 'raw'")
    }
    assert raw == tables
    assert (
        _mart(built_home, "select count(*) from audit.validation_results where not passed and severity = 'error'")[0][0]
        == 0
    )


def _whd_cases_per_year(folder) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for row in whd_rows(folder):
        end = date.fromisoformat(row["FINDINGS_END_DATE"][:10])  # "2019-08-24 00:00:00+00:00"
        if date(1980, 1, 1) <= end <= date.today():  # every sector, 'unknown' included
            counts[_fiscal_year(end)] += 1
    return counts


def test_trends_mart_national_series_match_the_raw_files(built_home):
    folder = sample_dir(built_home)
    series = defaultdict(dict)
    for measure, year, value in _mart(
        built_home,
        "select measure, fiscal_year, value from marts.mart_trends "
        "where scope = 'national' and measure in ('whd_cases', 'h2a_workers_certified')",
    ):
        series[measure][year] = value
    assert {y: v for y, v in series["whd_cases"].items() if v} == dict(_whd_cases_per_year(folder))
    workers = defaultdict(int)
    for _, certified, year in h2a_cases(folder).values():
        workers[year] += certified
    assert {y: v for y, v in series["h2a_workers_certified"].items() if v} == {y: w for y, w in workers.items() if w}
    yoy = _mart(
        built_home,
        "select count(*) from marts.mart_trends where previous_value is not null "
        "and abs(yoy_change - (value - previous_value)) > 1e-6",
    )
    assert yoy == [(0,)]


def test_gap_mart_certified_workers_match_the_raw_workbooks(built_home):
    expected = defaultdict(int)
    for _, certified, year in h2a_cases(sample_dir(built_home), certified_only=True).values():
        expected[year] += certified
    actual = dict(
        _mart(built_home, "select fiscal_year, sum(h2a_workers_certified) from marts.mart_enforcement_gap group by 1")
    )
    assert {y: v for y, v in actual.items() if v} == {y: w for y, w in expected.items() if w}
    planted = _mart(
        built_home,
        "select count(*) from marts.mart_enforcement_gap where h2a_employers_ever_investigated > 0",
    )[0][0]
    assert planted > 0, "the sample plants H-2A employers that WHD investigated"
