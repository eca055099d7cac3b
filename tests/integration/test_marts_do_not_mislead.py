"""Issue #16: the yearly marts tell "not published" (null) from "nothing happened" (0), a year is
complete only when every source it uses covers it, and national totals are the same whichever
mart they are summed from (records without a sector or state in an explicit 'unknown' member).

The sample publishes H-2A disclosure files for SampleConfig's fiscal years only (FY2008-FY2025) while
WHD's file reaches FY2026 and earlier years: FY2026 is the "-100 %" trap the issue describes.
"""

from __future__ import annotations

import duckdb
import pytest

from sources.common.sample_world import SampleConfig
from tests.integration.test_build_matches_raw_files import _whd_cases_per_year, sample_dir
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration
CONFIG = SampleConfig()


def _rows(home, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _national(home, measure: str) -> dict[int, tuple]:
    rows = _rows(
        home,
        "select fiscal_year, value, yoy_change_pct, rolling_3yr_avg, is_complete_year from marts.mart_trends "
        "where scope = 'national' and measure = ?",
        [measure],
    )
    return {year: rest for year, *rest in rows}


def test_years_without_an_h2a_file_are_null_not_a_drop(built_home):
    h2a = _national(built_home, "h2a_workers_certified")
    whd = _national(built_home, "whd_cases")
    after = CONFIG.last_fiscal_year + 1
    before = CONFIG.first_fiscal_year - 1
    assert after in whd and whd[after][0] > 0, "WHD findings reach past the last H-2A fiscal year"
    assert before in whd, "WHD findings start before the first H-2A fiscal year"
    for year in (before, after):
        value, change, average, complete = h2a[year]
        assert (value, change, average, complete) == (None, None, None, False), year
    assert h2a[CONFIG.last_fiscal_year][0] > 0 and h2a[CONFIG.first_fiscal_year][0] > 0
    first_average = h2a[CONFIG.first_fiscal_year][2]
    assert first_average == h2a[CONFIG.first_fiscal_year][0], "years before the first file do not drag the average"

    industry = _rows(
        built_home,
        "select bool_or(is_complete_year), count(h2a_workers_certified) from marts.mart_industry_year "
        "where fiscal_year = ?",
        [after],
    )
    assert industry == [(False, 0)]


def test_source_coverage_says_what_each_source_published(built_home):
    coverage = _rows(
        built_home,
        "select source, first_fiscal_year, last_fiscal_year, last_complete_fiscal_year, file, sha256 "
        "from marts.source_coverage",
    )
    h2a_years = sorted(first for source, first, last, *_ in coverage if source == "h2a")
    assert h2a_years == CONFIG.fiscal_years
    assert all(first == last for source, first, last, *_ in coverage if source == "h2a")
    (whd,) = [row for row in coverage if row[0] == "whd"]
    assert whd[2] > CONFIG.last_fiscal_year and whd[3] in (whd[2] - 1, whd[2])
    assert len([row for row in coverage if row[0] == "debarment"]) == 2, "the current and the expired list"
    loaded = {
        sha
        for (shas,) in _rows(built_home, "select last_accepted_sha256 from audit.source_status where status = 'fresh'")
        for sha in shas.split(",")
    }
    assert {sha for *_, sha in coverage} <= loaded


def test_national_totals_agree_across_marts(built_home):
    measures = [m for (m,) in _rows(built_home, "select distinct measure from marts.mart_trends order by 1")]
    assert len(measures) == 20
    for measure in measures:
        national = _rows(
            built_home,
            f"""select
                    (select sum(value) from marts.mart_trends where scope = 'national' and measure = '{measure}'),
                    (select sum({measure}) from marts.mart_industry_year),
                    (select sum({measure}) from marts.mart_region_year where geo_level = 'state'),
                    (select sum({measure}) from marts.mart_region_year where geo_level = 'dol_region'),
                    (select sum(value) from marts.mart_trends where scope <> 'national' and measure = '{measure}')""",
        )[0]
        assert len({round(float(v), 2) for v in national}) == 1, (measure, national)
    whd_total = sum(_whd_cases_per_year(sample_dir(built_home)).values())
    assert _rows(built_home, "select sum(whd_cases) from marts.mart_industry_year")[0][0] == whd_total
    debarments = _rows(
        built_home,
        "select (select count(*) from marts.fct_case_outcome where fiscal_year is not null), "
        "(select sum(debarments_started) from marts.mart_industry_year where naics_sector = 'unknown')",
    )[0]
    assert debarments[0] == debarments[1] > 0
    h2b = _rows(
        built_home,
        "select (select count(*) from marts.fct_h2b_certification), (select sum(workers_certified) "
        "from marts.fct_h2b_certification), (select sum(h2b_cases) from marts.mart_industry_year), "
        "(select sum(h2b_workers_certified) from marts.mart_industry_year)",
    )[0]
    assert h2b[0] == h2b[2] > 0 and h2b[1] == h2b[3] > 0


def test_completeness_is_per_measure(built_home):
    """Issue #25 (12): the debarment lists start later than WHD and H-2A, which made FY2008-2010 of
    mart_enforcement_gap 'incomplete' though that mart counts no debarment."""
    flags = _rows(
        built_home,
        "select fiscal_year, bool_and(is_whd_complete), bool_and(is_h2a_complete), bool_and(is_debarment_complete), "
        "bool_and(is_complete_year) from marts.mart_industry_year group by fiscal_year",
    )
    per_source = {year: (whd, h2a) for year, whd, h2a, _, _ in flags}
    gap = dict(
        _rows(built_home, "select fiscal_year, bool_and(is_complete_year) from marts.mart_enforcement_gap group by 1")
    )
    assert gap == {year: whd and h2a for year, (whd, h2a) in per_source.items() if year in gap}
    before_debarments = [year for year, whd, h2a, debarment, _ in flags if whd and h2a and not debarment]
    assert before_debarments and all(gap[year] for year in before_debarments)
    assert all(not every for year, *_, every in flags if year in before_debarments), "every source: still incomplete"
    trends = dict(
        _rows(
            built_home,
            "select fiscal_year, is_complete_year from marts.mart_trends "
            "where scope = 'national' and measure = 'whd_cases'",
        )
    )
    assert all(trends[year] for year in before_debarments), "a WHD measure is complete when WHD covers the year"
