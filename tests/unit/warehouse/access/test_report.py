"""The leadership report from a hand-made warehouse: every section, incomplete years marked, unpublished
years left as gaps, 'unknown' kept out of the rankings, data escaped, nothing fetched from the network,
a clear note (not a crash) for a missing table, people's words for tables and sources (not internal
names), a value every row shares said once, and every number written by one rule per kind."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from expectations.results import RuleResult
from sources import all_tables
from tests.unit.warehouse.access.emerging_mart import create_emerging_mart
from warehouse.access.report import REPORT_FILE, write_report
from warehouse.publish.versions import PUBLISH_INFO, publish
from warehouse.quality.audit import record_source_status, record_validation
from warehouse.settings import WarehousePaths
from warehouse_cli import app

MALICIOUS_NAME = "<script>alert(1)</script> Farms & Sons"
SECTION_IDS = ("findings", "trends", "sectors", "states", "gap", "leads", "coverage", "quality")

TRENDS = [
    # fiscal_year, measure, value (None: not published), is_complete_year
    *[(year, "whd_cases", value, year < 2025) for year, value in ((2022, 40), (2023, 52), (2024, 61), (2025, 17))],
    *[(year, "back_wages", value, year < 2025) for year, value in ((2022, 1.5e6), (2023, 2e6), (2024, 2.5e6))],
    (2025, "back_wages", 4e5, False),
    *[(year, "h2a_workers_certified", value, True) for year, value in ((2022, 900), (2023, 1100), (2024, 1300))],
    (2025, "h2a_workers_certified", None, False),
    (2022, "debarments_started", None, False),
    *[(year, "debarments_started", value, year < 2025) for year, value in ((2023, 2), (2024, 3), (2025, 1))],
]


def _create_marts(con: duckdb.DuckDBPyConnection, *, leads: list[tuple] | None, widening: bool = True) -> None:
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.mart_trends (fiscal_year INTEGER, scope VARCHAR, measure VARCHAR, value DOUBLE, "
        "is_complete_year BOOLEAN)"
    )
    con.executemany("INSERT INTO marts.mart_trends VALUES (?, 'national', ?, ?, ?)", TRENDS)
    con.execute(
        "INSERT INTO marts.mart_trends VALUES (2024, '11', 'whd_cases', 9999, true)"
    )  # a sector row: not national
    # The mart's change between two complete years (null otherwise), as dbt computes it.
    con.execute(
        """CREATE OR REPLACE TABLE marts.mart_trends AS SELECT *,
               CASE WHEN is_complete_year AND lag(is_complete_year) OVER w AND lag(value) OVER w > 0
                    THEN (value - lag(value) OVER w) / lag(value) OVER w END AS yoy_change_pct
           FROM marts.mart_trends WINDOW w AS (PARTITION BY scope, measure ORDER BY fiscal_year)"""
    )
    con.execute(
        """CREATE TABLE marts.mart_industry_year AS SELECT * FROM (VALUES
            ('11', 'Agriculture, Forestry, Fishing and Hunting', 2024, true, 12.5, 3.0),
            ('23', 'Construction', 2024, true, 4.0, 1.0),
            ('unknown', 'Unknown or missing sector', 2024, true, 99.0, 50.0),
            ('23', 'Construction', 2025, false, 80.0, 9.0),
            ('11', 'Agriculture, Forestry, Fishing and Hunting', 2025, false, NULL, NULL))
           AS t (naics_sector, sector_title, fiscal_year, is_whd_complete, violations_per_10k_employees,
                 whd_cases_per_10k_employees)"""
    )
    con.execute(
        """CREATE TABLE marts.mart_region_year AS SELECT * FROM (VALUES
            ('state', 'NC', 'North Carolina', 2024, true, 7.25, 2.0),
            ('state', 'WA', 'Washington', 2024, true, 3.5, 1.0),
            ('state', 'unknown', 'Unknown state', 2024, true, 70.0, 9.0),
            ('dol_region', 'Atlanta', 'DOL region Atlanta', 2024, true, 55.0, 9.0))
           AS t (geo_level, geo_code, geo_name, fiscal_year, is_whd_complete, violations_per_10k_employees,
                 whd_cases_per_10k_employees)"""
    )
    con.execute(
        f"""CREATE TABLE marts.mart_enforcement_gap AS SELECT * FROM (VALUES
            ('GA', '11', 2024, 100, 180, 0.8, 2, 1, 0.25, {widening}, 1, true),
            ('GA', '11', 2021, 80, 100, 0.25, 2, 2, 0.5, false, NULL, true))
           AS t (state_code, naics_sector, fiscal_year, h2a_workers_certified_3_years_before, h2a_workers_certified,
                 h2a_workers_certified_3_year_growth, whd_h2a_violation_cases_3_years_before,
                 whd_h2a_violation_cases, share_h2a_employers_ever_investigated, is_gap_widening, gap_rank,
                 is_complete_year)"""
    )
    con.execute(
        """CREATE TABLE marts.source_coverage AS SELECT * FROM (VALUES
            ('whd', 2007, 2025, 2024, DATE '2025-05-28', 'WHD_enforcement.zip', 1400),
            ('h2a', 2022, 2022, 2022, DATE '2022-09-20', 'H-2A_Disclosure_Data_FY2022_Q4.xlsx', 89),
            ('h2a', 2024, 2024, 2024, DATE '2024-09-30', 'H-2A_Disclosure_Data_FY2024_Q4.xlsx', 98))
           AS t (source, first_fiscal_year, last_fiscal_year, last_complete_fiscal_year, data_through, file,
                 row_count)"""
    )
    if leads is not None:
        con.execute(
            "CREATE TABLE marts.mart_employer_leads (lead_rank INTEGER, employer_id VARCHAR, employer_name VARCHAR, "
            "state_code VARCHAR, score DOUBLE, reasons VARCHAR)"
        )
        if leads:
            con.executemany("INSERT INTO marts.mart_employer_leads VALUES (?, ?, ?, ?, ?, ?)", leads)


LEADS = [
    (1, "E00000001", MALICIOUS_NAME, "NC", 130.0, "certified for 25 H-2A workers in FY2024 while debarred"),
    (2, "E00000002", "Valley Growers", "WA", 40.0, "WHD cases with violations in 2 fiscal years"),
]


def _record_audit(db: Path, *, rejected: bool = True) -> None:
    results = [
        RuleResult("required_columns", "error", True, "every required column is present"),
        RuleResult("state_codes", "warn", False, "state codes are known", failing_count=3),
    ]
    for run in ("run-1", "run-2"):
        record_validation(
            db,
            run_id=run,
            source="whd",
            table="raw_whd__compliance_actions",
            files=[{"sha256": "aa", "filename": "WHD_enforcement.zip"}],
            results=results,
        )
    files = [{"sha256": "bb", "filename": "H-2A_FY2024.xlsx"}]
    record_source_status(db, run_id="run-1", table="raw_h2a__disclosure", partition="2024", files=files, row_count=98)
    if not rejected:
        return
    record_source_status(
        db,
        run_id="run-2",
        table="raw_h2a__disclosure",
        partition="2024",
        files=[{"sha256": "cc", "filename": "H-2A_FY2024_broken.xlsx"}],
        row_count=98,
        rejection="required column CASE_NUMBER is missing",
    )


def _warehouse(
    tmp_path: Path, *, leads: list[tuple] | None = LEADS, widening: bool = True, rejected: bool = True
) -> Path:
    paths = WarehousePaths.at(tmp_path / "home").ensure()
    db = paths.published_db
    with duckdb.connect(str(db)) as con:
        _create_marts(con, leads=leads, widening=widening)
    _record_audit(db, rejected=rejected)
    return db


def _add_widening_gaps(db: Path, cells: list[tuple[str, str]]) -> None:
    """More state and sector cells whose gap widened in FY2024, ranked after the first."""
    with duckdb.connect(str(db)) as con:
        con.executemany(
            "INSERT INTO marts.mart_enforcement_gap VALUES (?, ?, 2024, 50, 90, 0.8, 1, 1, 0.5, true, ?, true)",
            [(state, sector, rank) for rank, (state, sector) in enumerate(cells, start=2)],
        )


class _Reader(HTMLParser):
    """What a reader of the page meets: its visible text, and what a screen reader says of each chart mark."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.spoken: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        self.spoken += [value for name, value in attrs if name == "aria-label" and value]

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


def _read(page: str) -> _Reader:
    reader = _Reader()
    reader.feed(page)
    return reader


def _section_of(page: str, section: str) -> str:
    start = page.index(f'<section id="{section}">')
    return page[start : page.index("</section>", start)]


def _published_home(tmp_path: Path) -> Path:
    """A home whose hand-made warehouse went through the real publish (a current version)."""
    paths = WarehousePaths.at(tmp_path / "published-home").ensure()
    with duckdb.connect(str(paths.build_db)) as con:
        _create_marts(con, leads=LEADS, widening=True)
    _record_audit(paths.build_db)
    publish(paths)
    return paths.home


def _chart(page: str, name: str) -> str:
    match = re.search(rf'<figure class="chart" data-chart="{name}">(.*?)</figure>', page, re.DOTALL)
    assert match, f"no chart {name}"
    return match.group(1)


def _point_fill(svg: str, year: int) -> str | None:
    match = re.search(rf'aria-label="[^"]*, FY{year}: [^"]*"[^>]*fill="([^"]+)"', svg)
    return match.group(1) if match else None


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_report_has_every_section_and_fetches_nothing(tmp_path):
    db = _warehouse(tmp_path)
    (db.parent / PUBLISH_INFO).write_text(json.dumps({"published_at": "2026-11-30T08:15:00+00:00"}))

    report = write_report(db, tmp_path / "out")

    page = report.read_text(encoding="utf-8")
    assert report == tmp_path / "out" / REPORT_FILE
    for section in SECTION_IDS:
        assert f'<section id="{section}">' in page
    assert page.count('<figure class="chart"') == 6 == page.count("<svg")
    assert "2026-11-30 08:15 UTC" in page
    assert "October" in page and "not published" in page
    assert not re.search(r"https?://", page), "no URL at all: the page must not reach the network"
    assert not re.search(r"<(script|link|img|iframe)\b", page, re.IGNORECASE)
    assert not list(report.parent.glob("*.tmp")), "written atomically"


def test_employer_names_are_escaped(tmp_path):
    page = write_report(_warehouse(tmp_path), tmp_path).read_text(encoding="utf-8")

    assert "&lt;script&gt;alert(1)&lt;/script&gt; Farms &amp; Sons" in page
    assert "<script" not in page


def test_incomplete_years_are_hollow_and_unpublished_years_are_gaps(tmp_path):
    page = write_report(_warehouse(tmp_path), tmp_path).read_text(encoding="utf-8")

    cases = _chart(page, "trend-whd_cases")
    assert _point_fill(cases, 2024) == "#1f4e79"
    assert _point_fill(cases, 2025) == "white", "an incomplete year is a hollow point"
    assert "incomplete year" in cases, "the legend says what a hollow point is"
    assert "Fiscal year" in cases and "Cases" in cases
    assert "Back wages (US$)" in _chart(page, "trend-back_wages")
    workers = _chart(page, "trend-h2a_workers_certified")
    assert _point_fill(workers, 2024) is not None
    assert _point_fill(workers, 2025) is None, "a year not published has no point (not a zero)"
    assert _point_fill(_chart(page, "trend-debarments_started"), 2022) is None
    assert "9,999" not in cases, "only the national scope is charted"


def test_rankings_use_the_latest_complete_year_with_rates_and_leave_out_unknown(tmp_path):
    page = write_report(_warehouse(tmp_path), tmp_path).read_text(encoding="utf-8")

    sectors = _chart(page, "top-sectors")
    assert "FY2024" in sectors, "FY2025 is not complete: its rates are not ranked"
    assert "Agriculture, Forestry, Fishing and Hunting (11)" in sectors and "Construction (23)" in sectors
    assert "Unknown" not in sectors
    states = _chart(page, "top-states")
    assert "North Carolina" in states and "Washington" in states
    assert "Unknown" not in states and "Atlanta" not in states, "only states, never the unknown member"
    assert "Violations per 10,000 employees" in states


def test_the_gap_table_and_the_data_quality(tmp_path):
    page = write_report(_warehouse(tmp_path), tmp_path).read_text(encoding="utf-8")

    gap = page[page.index('<section id="gap">') : page.index('<section id="leads">')]
    assert "FY2024" in gap and "FY2021" in gap and "+80%" in gap and "25%" in gap
    assert "Agriculture, Forestry, Fishing and Hunting (11)" in gap
    coverage = page[page.index('<section id="coverage">') : page.index('<section id="quality">')]
    assert coverage.count("<tr>") == 3, "one row per source (and the header)"
    assert "FY2022" in coverage and "FY2024" in coverage
    quality = page[page.index('<section id="quality">') :]
    assert "stale: rejected H-2A_FY2024_broken.xlsx (2024)" in quality
    assert 'class="flagged"' in quality
    whd = re.search(r'<td><span title="raw_whd__compliance_actions">[^<]*</span></td>(.*?)</tr>', quality).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', whd) == ["1", "1", "1", "0"], "only the latest run counts"


def test_no_widening_gap_and_no_leads_are_said_plainly(tmp_path):
    page = write_report(_warehouse(tmp_path, leads=[], widening=False), tmp_path).read_text(encoding="utf-8")

    assert "No state and sector shows a widening gap" in page
    assert "No employer shows a lead signal" in page


def test_a_missing_table_is_a_note_not_a_crash(tmp_path):
    page = write_report(_warehouse(tmp_path, leads=None), tmp_path).read_text(encoding="utf-8")

    assert "This warehouse has no employer leads (table <code>marts.mart_employer_leads</code>)" in page
    assert '<section id="coverage">' in page


def test_a_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no published warehouse"):
        write_report(tmp_path / "nothing.duckdb", tmp_path)
    assert not (tmp_path / REPORT_FILE).exists()


def test_cli_writes_the_report_or_says_nothing_is_published(tmp_path):
    empty = CliRunner().invoke(app, ["report", "--home", str(tmp_path / "empty")])
    assert empty.exit_code == 1
    assert "no published warehouse" in empty.output

    home = _published_home(tmp_path)
    written = CliRunner().invoke(app, ["report", "--home", str(home), "--output", str(tmp_path / "r")])
    assert written.exit_code == 0, written.output
    assert str(tmp_path / "r" / REPORT_FILE) in written.output
    assert (tmp_path / "r" / REPORT_FILE).is_file()
    beside = CliRunner().invoke(app, ["report", "--home", str(home)])
    assert beside.exit_code == 0, beside.output
    paths = WarehousePaths.at(home)
    assert (paths.published_dir / REPORT_FILE).is_file(), "by default next to the published copy"
    assert (paths.published_current / REPORT_FILE).is_file(), "inside the current version, which rollback restores"


def test_the_report_opens_with_findings_computed_from_the_marts(tmp_path):
    page = write_report(_warehouse(tmp_path), tmp_path / "out").read_text(encoding="utf-8")
    findings = page[page.index('<section id="findings">') : page.index('<section id="trends">')]
    sentences = findings.count("<li>")
    assert 3 <= sentences <= 5, findings
    assert "WHD concluded" in findings and "employers show a lead signal" in findings


INTERNAL_NAME = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\b(marts|audit|raw)\.[a-z_]+")


def test_tables_and_sources_are_named_in_words_with_the_internal_name_at_hand(tmp_path):
    page = write_report(_warehouse(tmp_path), tmp_path).read_text(encoding="utf-8")

    quality = _section_of(page, "quality")
    assert '<span title="raw_whd__compliance_actions">WHD compliance actions</span>' in quality
    assert '<span title="raw_h2a__disclosure">H-2A disclosure: applications</span>' in quality
    coverage = _section_of(page, "coverage")
    assert '<span title="whd">WHD compliance actions</span>' in coverage
    assert '<span title="h2a">OFLC H-2A disclosure data</span>' in coverage
    assert coverage.index("WHD compliance actions") < coverage.index("H-2A"), "in the sources' order"


def test_no_internal_name_reaches_the_reader(tmp_path):
    db = _warehouse(tmp_path)
    _add_hidden_work(db)
    with duckdb.connect(str(db)) as con:
        create_emerging_mart(con)  # its measures are internal names: the reader gets the sentences
        con.execute(
            "INSERT INTO marts.source_coverage VALUES "
            "('h2a_addendum_b', 2020, 2024, 2024, NULL, 'H-2A_Addendum_B_Employment_FY2024.xlsx', 12)"
        )

    reader = _read(write_report(db, tmp_path).read_text(encoding="utf-8"))

    text = " ".join(reader.text)
    assert "H-2A disclosure: Addendum B worksites" in text
    assert not INTERNAL_NAME.findall(text), "tables, sources and measures are named in words"
    spoken = [label for label in reader.spoken if INTERNAL_NAME.search(label)]
    assert not spoken, "a screen reader hears words too, not field names"
    assert "Cases, FY2024: 61, complete year" in reader.spoken
    assert "2. Texas, Construction: 19 in FY2025" in reader.spoken


def test_a_sector_every_gap_row_shares_is_said_once(tmp_path):
    db = _warehouse(tmp_path)
    _add_widening_gaps(db, [("NC", "11"), ("WA", "11")])

    gap = _section_of(write_report(db, tmp_path).read_text(encoding="utf-8"), "gap")

    assert gap.count("Agriculture, Forestry, Fishing and Hunting (11)") == 1
    assert "3 state and sector combinations" in gap
    assert "all in the sector Agriculture, Forestry, Fishing and Hunting (11):" in gap
    assert "<th>Sector</th>" not in gap and "<th>State</th>" in gap
    assert gap.count("<tr>") == 4, "every row is still there"


def test_gap_rows_of_different_sectors_keep_the_sector_column(tmp_path):
    db = _warehouse(tmp_path)
    _add_widening_gaps(db, [("NC", "11"), ("NC", "23")])

    gap = _section_of(write_report(db, tmp_path).read_text(encoding="utf-8"), "gap")

    assert "<th>Sector</th>" in gap and "Construction (23)" in gap
    assert "all in" not in gap


def test_a_status_every_table_shares_is_said_once(tmp_path):
    quality = _section_of(write_report(_warehouse(tmp_path, rejected=False), tmp_path).read_text("utf-8"), "quality")

    assert "Every table is fresh." in quality
    assert "<th>Status</th>" not in quality and "<td>fresh</td>" not in quality


def test_every_number_follows_one_rule_per_kind(tmp_path):
    db = _warehouse(tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "UPDATE marts.mart_trends SET value = 55, yoy_change_pct = 0.0577 "
            "WHERE scope = 'national' AND measure = 'whd_cases' AND fiscal_year = 2024"
        )

    page = write_report(db, tmp_path).read_text(encoding="utf-8")

    findings = _section_of(page, "findings")
    assert "In FY2024, WHD concluded 55 cases, up 5.8% from FY2023." in findings, "one decimal under 10%"
    assert "1,300 H-2A guest workers were certified, up 18% from FY2023." in findings
    assert "had the most violations per 10,000 employees: 12.5." in findings
    assert re.findall(r'<td class="num">([^<]*)</td>', _section_of(page, "gap")) == [
        "100",
        "180",
        "+80%",
        "2",
        "1",
        "25%",
    ]
    assert {"$0", "$1 million", "$2 million"} <= set(_texts(_chart(page, "trend-back_wages"))), "dollars, no 2M"
    debarments = [t for t in _texts(_chart(page, "trend-debarments_started")) if t.isdigit() and len(t) < 4]
    assert debarments == sorted(set(debarments), key=int), "a count axis has whole ticks, none twice"
    sectors = _texts(_chart(page, "top-sectors"))
    assert "12.5" in sectors and "4.0" in sectors, "rates with one decimal"
    assert "7.3" in _texts(_chart(page, "top-states")) and "7.25" not in _texts(_chart(page, "top-states"))


def test_every_raw_table_has_a_short_title_of_its_own():
    titles = [table.title for _, table in all_tables()]

    assert len(set(titles)) == len(titles), "the report tells the tables apart by their titles"
    assert all(0 < len(title) <= 40 and "_" not in title for title in titles), titles


def _add_hidden_work(db: Path) -> None:
    """Two hidden-work industries over two states; FY2025 is not complete for WHD."""
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA reference")
        con.execute(
            """CREATE TABLE reference.ref_hidden_work_industries AS SELECT * FROM (VALUES
                ('812113', 'Nail salons', 'Listed <because>', 'Polaris'),
                ('3116', 'Meat and poultry processing', 'Children cleaned plants', 'DOL WHD'),
                ('814110', 'Private households', 'Hidden from view', 'Polaris'))
               AS t (naics_code, industry_label, reason, source_name)"""
        )
        con.execute(
            """CREATE TABLE marts.mart_hidden_work_year AS SELECT * FROM (VALUES
                ('812113', 'NY', 2024, 3, 1500.0, 4, 0, 1, 0, true),
                ('812113', 'CA', 2024, 2, 500.0, 1, 0, 0, 0, true),
                ('3116', 'NE', 2024, 7, 25000.0, 12, 2, 3, 0, true),
                ('814110', 'NY', 2024, 0, 0.0, 0, 0, 0, 0, true),
                ('3116', 'NE', 2025, 90, 1.0, 90, 0, 0, NULL, false))
               AS t (hidden_work_naics_code, state_code, fiscal_year, whd_cases, back_wages, child_labor_minors,
                     h2b_violations, flsa_repeat_violator_cases, h2a_workers_certified, is_whd_complete)"""
        )


def _section_html(page: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', page, re.DOTALL)
    assert match, f"no section {section_id}"
    return match.group(1)


def test_the_hidden_work_section_sums_the_latest_complete_year_per_industry(tmp_path):
    db = _warehouse(tmp_path)
    _add_hidden_work(db)

    section = _section_html(write_report(db, tmp_path / "out").read_text(encoding="utf-8"), "hidden-work")

    rows = re.findall(
        r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td><td class=\"num\">(.*?)</td>"
        r"<td class=\"num\">(.*?)</td>",
        section,
    )
    assert rows == [
        ("Meat and poultry processing (3116)", "7", "$25,000", "12"),
        ("Nail salons (812113)", "5", "$2,000", "5"),
        ("Private households (814110)", "0", "$0", "0"),
    ], "FY2024 (the latest complete WHD year) summed over states, most cases first"
    assert "WHD cases FY2024" in section and "Listed &lt;because&gt; (Polaris)" in section
    assert 'data-chart="trend-child_labor_minors"' in section
    chart = _chart(section, "hidden-work-industries")
    assert chart.count('aria-roledescription="bar"') == 2, "industries without cases draw no bar"


def test_the_hidden_work_section_says_when_its_tables_are_missing(tmp_path):
    section = _section_html(write_report(_warehouse(tmp_path), tmp_path / "out").read_text(), "hidden-work")
    assert "This warehouse has no yearly figures for hidden-work industries" in section
    assert "<code>marts.mart_hidden_work_year</code>" in section
