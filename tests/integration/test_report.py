"""Issue #16: the report leadership opens draws in a real browser, offline.

`warehouse build` writes the report (the published_report asset); `warehouse report` writes it again
where asked. Headless Chromium, with no usable network, opens the file: no console error, no request
beyond the file itself, and every chart an SVG whose marks have a size. A full-page screenshot is
saved under the test's temporary folder.
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import run_cli
from tests.integration.headless_chromium import headless_chromium
from warehouse.access.report import REPORT_FILE
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration

# The trends open with the emerging-patterns chart when the warehouse flags any cell (_expected_charts).
EMERGING_CHART = "emerging-patterns"
EXPECTED_CHARTS = [
    "trend-whd_cases",
    "trend-back_wages",
    "trend-h2a_workers_certified",
    "trend-h2b_workers_certified",
    "trend-debarments_started",
    "top-sectors",
    "top-states",
    "trend-child_labor_minors",
    "hidden-work-industries",
]

# Per chart: its SVG's drawn size, and how many of its marks (points, line segments, bars, labels)
# the browser laid out with a non-empty box. getBBox exists only on elements parsed as SVG.
MEASURE_CHARTS = """
Array.from(document.querySelectorAll('figure.chart')).map(figure => {
  const svg = figure.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const marks = svg ? Array.from(svg.querySelectorAll('[role="graphics-symbol"]')) : [];
  return {
    chart: figure.dataset.chart,
    is_svg: svg instanceof SVGSVGElement,
    width: box.width,
    height: box.height,
    marks: marks.length,
    drawn_marks: marks.filter(mark => { const b = mark.getBBox(); return b.width > 0 || b.height > 0; }).length,
    bars: svg ? svg.querySelectorAll('[aria-roledescription="bar"]').length : 0,
  };
})
"""


def _nonzero_members(home, table: str, member: str, where: str) -> int:
    """How many bars a ranking should draw: its members with a rate above zero in the latest complete
    fiscal year with rates (at most 10; the unknown member left out)."""
    import duckdb

    rate = "violations_per_10k_employees"
    rows = f"FROM marts.{table} WHERE {where} AND {member} <> 'unknown' AND is_complete_year"
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        (year,) = con.execute(f"SELECT max(fiscal_year) {rows} AND {rate} IS NOT NULL").fetchone()
        (count,) = con.execute(f"SELECT count(*) {rows} AND fiscal_year = ? AND {rate} > 0", [year]).fetchone()
    return min(count, 10)


def _hidden_work_industries_with_cases(home) -> int:
    """How many bars the hidden-work chart should draw: industries with WHD cases in the latest complete year."""
    import duckdb

    table = "marts.mart_hidden_work_year"
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        (year,) = con.execute(f"SELECT max(fiscal_year) FROM {table} WHERE is_whd_complete").fetchone()
        (count,) = con.execute(
            f"SELECT count(DISTINCT hidden_work_naics_code) FROM {table} WHERE fiscal_year = ? AND whd_cases > 0",
            [year],
        ).fetchone()
    return count


def _expected_charts(home) -> list[str]:
    """Every chart, the emerging patterns' first when marts.mart_emerging_patterns flags a cell of its latest
    year (a warehouse built before the mart has none)."""
    import duckdb

    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        (has_mart,) = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'marts' AND table_name = 'mart_emerging_patterns'"
        ).fetchone()
        flagged = (
            has_mart
            and con.execute(
                "SELECT count(*) FROM marts.mart_emerging_patterns WHERE is_latest_year AND is_emerging"
            ).fetchone()[0]
        )
    return ([EMERGING_CHART] if flagged else []) + EXPECTED_CHARTS


def test_the_report_renders_offline_in_headless_chromium(built_home, tmp_path):
    assert (WarehousePaths.at(built_home).published_dir / REPORT_FILE).is_file(), "warehouse build writes the report"
    result = run_cli("report", "--home", str(built_home), "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    report = tmp_path / REPORT_FILE

    with headless_chromium(tmp_path) as page:
        page.open(report.as_uri())
        charts = page.evaluate(MEASURE_CHARTS)
        svg_count = page.evaluate("document.querySelectorAll('svg').length")
        findings = page.evaluate("document.querySelectorAll('#findings li').length")
        banner = page.evaluate("document.getElementById('sample-banner') !== null")
        screenshot = page.screenshot(tmp_path / "report.png")
    print(f"report screenshot: {screenshot}")

    assert page.errors == [], page.errors
    assert page.external_requests == [], "the report must not fetch anything"
    expected_charts = _expected_charts(built_home)
    assert [chart["chart"] for chart in charts] == expected_charts
    assert svg_count == len(expected_charts), "one SVG per chart, nothing else"
    for chart in charts:
        assert chart["is_svg"] and chart["width"] > 100 and chart["height"] > 100, chart
        assert chart["marks"] > 0 and chart["drawn_marks"] == chart["marks"], chart
    rankings = [chart for chart in charts if chart["chart"].startswith("top-")]
    expected_bars = {
        "top-sectors": _nonzero_members(built_home, "mart_industry_year", "naics_sector", "TRUE"),
        "top-states": _nonzero_members(built_home, "mart_region_year", "geo_code", "geo_level = 'state'"),
    }
    assert {chart["chart"]: chart["bars"] for chart in rankings} == expected_bars, "the top 10, no zero bar"
    hidden_work = next(chart for chart in charts if chart["chart"] == "hidden-work-industries")
    assert hidden_work["bars"] == _hidden_work_industries_with_cases(built_home), "every industry with cases"
    assert screenshot.stat().st_size > 10_000
    assert 3 <= findings <= 5, "the report opens with its findings"
    assert banner, "a warehouse built from the sample says so in a banner"


def test_the_emerging_patterns_chart_draws_in_headless_chromium(built_home, tmp_path):
    """The emerging-patterns chart of a hand-made mart of the agreed schema (the built sample may flag none),
    added to a copy of the built warehouse: each of its marks drawn, the list above it."""
    import shutil

    import duckdb

    from tests.unit.warehouse.access.emerging_mart import CELLS, create_emerging_mart
    from warehouse.access.report import CHARTED_EMERGING, TOP_EMERGING, write_report

    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(WarehousePaths.at(built_home).published_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE IF EXISTS marts.mart_emerging_patterns")
        create_emerging_mart(con)
    report = write_report(db, tmp_path / "out")

    with headless_chromium(tmp_path) as page:
        page.open(report.as_uri())
        charts = page.evaluate(MEASURE_CHARTS)
        listed = page.evaluate("document.querySelectorAll('#emerging ol.emerging li').length")

    assert page.errors == [] and page.external_requests == [], (page.errors, page.external_requests)
    emerging = next(chart for chart in charts if chart["chart"] == EMERGING_CHART)
    assert charts[0] is emerging, "the trends open with it"
    assert emerging["is_svg"] and emerging["width"] > 100 and emerging["height"] > 100, emerging
    assert emerging["marks"] > 0 and emerging["drawn_marks"] == emerging["marks"], emerging
    assert emerging["bars"] == CHARTED_EMERGING, "one baseline range per pattern drawn"
    assert listed == min(TOP_EMERGING, sum(c.is_latest_year and c.is_emerging for c in CELLS))
