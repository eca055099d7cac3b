"""The report leadership opens: one self-contained HTML page written from the published warehouse.

Charts are SVG rendered here (see warehouse/access/report_charts.py) and tables plain HTML, with the
styles inline, so the file opens anywhere without network access. Every text that comes from the
data is escaped. A table missing from the warehouse becomes a note in its section.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import duckdb
import pandas as pd

from sources import ALL_SOURCES, all_tables
from warehouse.access.emerging import (
    CHARTED_COLUMNS,
    EMERGING_TABLE,
    EmergingFilters,
    emerging_patterns,
    nothing_rose,
    years_phrase,
)
from warehouse.access.report_charts import emerging_chart, ranking_chart, to_svg, trend_chart
from warehouse.access.report_numbers import COUNTS, MONEY, NOT_PUBLISHED, NumberRule, count, money, percent, rate
from warehouse.publish.versions import PUBLISH_INFO

REPORT_FILE = "report.html"
TOP_RANKED = 10
TOP_GAPS = 20
TOP_LEADS = 20
TOP_EMERGING = 5  # emerging patterns the trends open with
CHARTED_EMERGING = 3  # of them drawn against their history
UNKNOWN = "unknown"


@dataclass(frozen=True)
class TrendMeasure:
    measure: str
    title: str
    axis_title: str
    numbers: NumberRule


TREND_MEASURES = (
    TrendMeasure("whd_cases", "WHD cases concluded", "Cases", COUNTS),
    TrendMeasure("back_wages", "Back wages found due", "Back wages (US$)", MONEY),
    TrendMeasure("h2a_workers_certified", "H-2A workers certified", "Workers certified", COUNTS),
    TrendMeasure("h2b_workers_certified", "H-2B workers certified", "Workers certified", COUNTS),
    TrendMeasure("debarments_started", "Debarments started", "Debarments", COUNTS),
)
# Rates in order of preference: the first one with values in a complete fiscal year is ranked.
RATES = (
    ("violations_per_10k_employees", "violations per 10,000 employees"),
    ("whd_cases_per_10k_employees", "WHD cases per 10,000 employees"),
)


def write_report(published_db: Path, target_dir: Path) -> Path:
    """Write `target_dir/report.html` from the published warehouse (opened read-only) and return its path.

    Raises:
        FileNotFoundError: there is no warehouse at `published_db`.
    """
    published_db = Path(published_db)
    if not published_db.is_file():
        raise FileNotFoundError(f"no published warehouse at {published_db}; build one with `warehouse build`")
    with duckdb.connect(str(published_db), read_only=True) as con:
        con.execute("SET enable_progress_bar = false")  # else drawn on stdout once a query passes 2 s
        warehouse = _Warehouse(con)
        sections = [build(warehouse) for build in SECTIONS]
    page = _page(_published_at(published_db), sections, synthetic=_is_synthetic(published_db))
    target = Path(target_dir) / REPORT_FILE
    _write_atomically(target, page)
    return target


class _Warehouse:
    """The published warehouse as the report reads it: which tables exist, and queries as DataFrames."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self._tables = {
            f"{schema}.{name}"
            for schema, name in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        }

    def has(self, table: str) -> bool:
        return table in self._tables

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self._con.execute(sql, params or []).df()

    def rows(self, sql: str, params: dict) -> tuple[list[str], list[tuple]]:
        """A warehouse.access.emerging Reader: the column names and rows of `sql` with named parameters."""
        cursor = self._con.execute(sql, params)
        return [d[0] for d in cursor.description], cursor.fetchall()

    def scalar(self, sql: str, params: list | None = None):
        return self._con.execute(sql, params or []).fetchone()[0]


# --- sections -------------------------------------------------------------------------------------


def _findings(warehouse: _Warehouse) -> str:
    """Three to five plain sentences, each computed from a mart: what a reader should know first."""
    sentences = [sentence for make in FINDINGS if (sentence := make(warehouse))]
    if not sentences:
        return _section("findings", "Findings", "The warehouse holds no complete fiscal year to report on yet.", "")
    items = "".join(f"<li>{escape(text)}</li>" for text in sentences)
    lead = "What the data says first, each sentence computed from the tables below (complete fiscal years only)."
    return _section("findings", "Findings", lead, f'<ul class="findings">{items}</ul>')


_TREND_WORDS = {
    "whd_cases": "WHD concluded {value} cases",
    "h2a_workers_certified": "{value} H-2A guest workers were certified",
}


def _trend_finding(measure: str) -> Callable[[_Warehouse], str | None]:
    def finding(warehouse: _Warehouse) -> str | None:
        if not warehouse.has("marts.mart_trends"):
            return None
        rows = warehouse.frame(
            "SELECT fiscal_year, value, yoy_change_pct FROM marts.mart_trends WHERE scope = 'national' "
            "AND measure = ? AND is_complete_year AND value IS NOT NULL ORDER BY fiscal_year DESC LIMIT 1",
            [measure],
        )
        if rows.empty:
            return None
        row = rows.iloc[0]
        year = int(row.fiscal_year)
        text = f"In FY{year}, " + _TREND_WORDS[measure].format(value=count(row.value))
        return text + _change(row.yoy_change_pct, since=year - 1) + "."

    return finding


def _change(share: float, *, since: int) -> str:
    """The change from the year before, e.g. ", up 5% from FY2024"; nothing when there is none to tell."""
    if pd.isna(share):
        return ""
    if share == 0:
        return f", unchanged from FY{since}"
    return f", {'up' if share > 0 else 'down'} {percent(abs(share))} from FY{since}"


def _sector_finding(warehouse: _Warehouse) -> str | None:
    table = "marts.mart_industry_year"
    if not warehouse.has(table):
        return None
    ranked_rows = f"FROM {table} WHERE naics_sector <> '{UNKNOWN}' AND is_whd_complete"
    rated = _latest_rated_year(warehouse, ranked_rows)
    if rated is None:
        return None
    rate_column, rate_title, year = rated
    top = warehouse.frame(
        f"SELECT naics_sector, sector_title, {rate_column} AS rate {ranked_rows} AND fiscal_year = ? "
        f"AND {rate_column} > 0 "
        "ORDER BY rate DESC LIMIT 1",
        [year],
    )
    if top.empty:
        return None
    sector = top.iloc[0]
    label = _sector_label(sector.naics_sector, sector.sector_title)
    return f"In FY{year}, {label} had the most {rate_title}: {rate(sector.rate)}."


def _lead_finding(warehouse: _Warehouse) -> str | None:
    table = "marts.mart_employer_leads"
    if not warehouse.has(table):
        return None
    leads = warehouse.scalar(f"SELECT count(*) FROM {table}")
    if not leads:
        return None
    top = warehouse.frame(f"SELECT employer_name, state_code, reasons FROM {table} ORDER BY lead_rank LIMIT 1")
    first = top.iloc[0]
    reason = str(first.reasons).split("; ")[0]
    who = f"{first.employer_name} ({first.state_code})"
    return f"{count(leads)} employers show a lead signal; the first to look at is {who}: {reason}."


def _trends(warehouse: _Warehouse) -> str:
    """The trends: first what rose above its own history in the latest complete year, then the national lines."""
    return _section("trends", "Trends", "", _emerging(warehouse) + _national_trends(warehouse))


def _emerging(warehouse: _Warehouse) -> str:
    """The strongest emerging patterns of the latest complete year (marts.mart_emerging_patterns): their
    sentences, and the first few drawn against their history; said plainly when none rose."""
    title = "What rose above its own history"
    if not warehouse.has(EMERGING_TABLE):
        return _part("emerging", title, "", _missing(EMERGING_TABLE))
    found = emerging_patterns(warehouse.rows, EmergingFilters(top=TOP_EMERGING), CHARTED_COLUMNS)
    if not found.rows:
        return _part("emerging", title, nothing_rose(found), "")
    patterns = pd.DataFrame(found.rows, columns=found.columns)
    items = "".join(f"<li>{escape(str(sentence))}</li>" for sentence in patterns["sentence"])
    note = (
        '<p class="note">A cell is flagged when its count is large enough, the rise is larger than chance '
        "explains once the many cells tested are allowed for (a false discovery rate), and the year is above "
        "every year before it that it is compared with. In the chart the dot is the year's value, the tick what "
        "its history leads one to expect and the bar the range of those earlier years; each row has its own "
        "scale. <code>warehouse emerging</code> lists every flagged cell.</p>"
    )
    body = f'<ol class="emerging">{items}</ol>{_emerging_figure(patterns.head(CHARTED_EMERGING))}{note}'
    return _part("emerging", title, _emerging_lead(found.years, found.flagged, listed=len(patterns)), body)


def _emerging_lead(years: list[int], flagged: int, *, listed: int) -> str:
    """E.g. "In FY2025, 12 cells (...) rose above their own history by more than chance explains; the strongest 5:"."""
    strongest = "all of them" if flagged <= listed else f"the strongest {listed}"
    return (
        f"{_capitalized(years_phrase(years))}, {_plural(flagged, 'cell')} (a place, an industry or a filing agent, "
        f"for one measure) rose above {'its' if flagged == 1 else 'their'} own history by more than chance "
        f"explains; {strongest}:"
    )


def _emerging_figure(patterns: pd.DataFrame) -> str:
    """The first patterns against their history, each labelled with its number in the list and its place."""
    numbered = [f"{n}. {_capitalized(str(label))}" for n, label in enumerate(patterns["scope_label"], start=1)]
    title = f"The first {len(patterns)} of the list against their own history"
    chart = emerging_chart(patterns.assign(label=numbered), title=title, numbers=COUNTS)
    return _figure("emerging-patterns", to_svg(chart))


def _national_trends(warehouse: _Warehouse) -> str:
    title = "National trends"
    lead = (
        "How much federal enforcement found, year by year, next to how many H-2A (farm) and H-2B (non-farm) "
        "guest workers were certified and how many employers were debarred."
    )
    if not warehouse.has("marts.mart_trends"):
        return _part("national-trends", title, lead, _missing("marts.mart_trends"))
    national = warehouse.frame(
        "SELECT fiscal_year, measure, value, is_complete_year FROM marts.mart_trends WHERE scope = 'national' "
        "ORDER BY fiscal_year"
    )
    figures = [_trend_figure(national[national["measure"] == m.measure], m) for m in TREND_MEASURES]
    caption = (
        '<p class="note">Hollow points and dashed lines mark an incomplete fiscal year: a source has not yet '
        "published all of it, so its value is partial. A gap in a line is a year the source has not "
        "published at all (no data, not zero).</p>"
    )
    return _part("national-trends", title, lead, f'<div class="grid">{"".join(figures)}</div>{caption}')


def _trend_figure(years: pd.DataFrame, measure: TrendMeasure) -> str:
    years = years.assign(
        value=years["value"].astype("float64"), is_complete_year=years["is_complete_year"].astype(bool)
    )
    if years.empty or years["value"].isna().all():
        return f'<p class="note">{escape(measure.title)}: not published for any fiscal year.</p>'
    chart = trend_chart(
        years[["fiscal_year", "value", "is_complete_year"]],
        title=measure.title,
        axis_title=measure.axis_title,
        numbers=measure.numbers,
    )
    return _figure(f"trend-{measure.measure}", to_svg(chart))


def _top_sectors(warehouse: _Warehouse) -> str:
    return _ranking(
        warehouse,
        section_id="sectors",
        title="Sectors where WHD finds the most, for their size",
        lead="Industries where WHD's findings are highest for the number of people they employ, in the latest "
        "complete fiscal year: where enforcement finds problems most often.",
        table="marts.mart_industry_year",
        member="naics_sector",
        label="sector_title || ' (' || naics_sector || ')'",
        where="TRUE",
        noun="sectors",
    )


def _top_states(warehouse: _Warehouse) -> str:
    return _ranking(
        warehouse,
        section_id="states",
        title="States where WHD finds the most, for their size",
        lead="States where WHD's findings are highest for the number of people employed there, in the latest "
        "complete fiscal year.",
        table="marts.mart_region_year",
        member="geo_code",
        label="geo_name",
        where="geo_level = 'state'",
        noun="states",
    )


def _ranking(
    warehouse: _Warehouse,
    *,
    section_id: str,
    title: str,
    lead: str,
    table: str,
    member: str,
    label: str,
    where: str,
    noun: str,
) -> str:
    """Top members by rate in the latest complete fiscal year that has rates; the 'unknown' member is left out."""
    if not warehouse.has(table):
        return _section(section_id, title, lead, _missing(table))
    ranked_rows = f"FROM {table} WHERE {where} AND {member} <> '{UNKNOWN}' AND is_whd_complete"
    rated = _latest_rated_year(warehouse, ranked_rows)
    if rated is None:
        return _section(section_id, title, lead, '<p class="note">No complete fiscal year has rates yet.</p>')
    rate_column, rate_title, year = rated
    ranked = warehouse.frame(
        f"SELECT coalesce({label}, {member}) AS label, {rate_column} AS rate {ranked_rows} AND {rate_column} > 0 "
        f"AND fiscal_year = ? ORDER BY rate DESC, label LIMIT {TOP_RANKED}",
        [year],
    )
    chart = ranking_chart(
        ranked.assign(rate_text=ranked["rate"].map(rate)),
        title=f"Top {len(ranked)} {noun} by {rate_title}, FY{year}",
        axis_title=rate_title.capitalize(),
    )
    return _section(section_id, title, lead, _figure(f"top-{noun}", to_svg(chart)))


def _latest_rated_year(warehouse: _Warehouse, ranked_rows: str) -> tuple[str, str, int] | None:
    """The first rate (in order of preference) that has values, with the latest fiscal year it has them."""
    for rate_column, rate_title in RATES:
        year = warehouse.scalar(f"SELECT max(fiscal_year) {ranked_rows} AND {rate_column} IS NOT NULL")
        if year is not None:
            return rate_column, rate_title, int(year)
    return None


def _enforcement_gap(warehouse: _Warehouse) -> str:
    title = "Where guest-worker certifications outgrow enforcement"
    table = "marts.mart_enforcement_gap"
    if not warehouse.has(table):
        return _section("gap", title, "", _missing(table))
    year = warehouse.scalar(f"SELECT max(fiscal_year) FROM {table} WHERE is_gap_widening")
    if year is None:
        lead = "No state and sector shows a widening gap: WHD cases with H-2A violations kept pace with certifications."
        return _section("gap", title, lead, "")
    cells = warehouse.frame(
        f"""SELECT state_code, naics_sector, h2a_workers_certified_3_years_before, h2a_workers_certified,
                   h2a_workers_certified_3_year_growth, whd_h2a_violation_cases_3_years_before,
                   whd_h2a_violation_cases, share_h2a_employers_ever_investigated, is_complete_year
            FROM {table} WHERE fiscal_year = ? AND is_gap_widening ORDER BY gap_rank, state_code, naics_sector""",
        [year],
    )
    shown = cells.head(TOP_GAPS)
    sector_titles = _sector_titles(warehouse)
    headers = _gap_headers(year)
    numeric = set(headers[2:])
    rows = [_gap_row(r, sector_titles) for r in shown.itertuples()]
    headers, rows, state = _without_shared(headers, rows, "State")
    headers, rows, sector = _without_shared(headers, rows, "Sector")
    lead = _gap_lead(year, cells, shown=len(rows), place=_shared_place(state, sector))
    return _section("gap", title, lead, _table(headers, rows, numeric=numeric))


def _gap_lead(year: int, cells: pd.DataFrame, *, shown: int, place: str) -> str:
    incomplete = "" if cells["is_complete_year"].all() else " (not yet complete)"
    lead = (
        f"In FY{year}{incomplete}, {_plural(len(cells), 'state and sector combination')} certified at least 25% "
        "more H-2A workers than three years before while WHD cases finding H-2A violations there did not grow"
    )
    largest = f"; the {shown} largest increases" if shown < len(cells) else ""
    return f"{lead}{largest}{place}:"


def _shared_place(state: str | None, sector: str | None) -> str:
    """What every row shown shares, said once, e.g. ", all in GA, in the sector Construction (23)"."""
    places = [place for place in (state and f"in {state}", sector and f"in the sector {sector}") if place]
    return f", all {', '.join(places)}" if places else ""


def _gap_headers(year: int) -> list[str]:
    return [
        "State",
        "Sector",
        f"H-2A workers certified FY{year - 3}",
        f"FY{year}",
        "Growth",
        f"WHD cases with H-2A violations FY{year - 3}",
        f"FY{year}",
        "H-2A employers with any WHD case",
    ]


def _gap_row(r, sector_titles: dict[str, str]) -> list[str]:
    return [
        r.state_code,
        _sector_label(r.naics_sector, sector_titles.get(r.naics_sector)),
        count(r.h2a_workers_certified_3_years_before),
        count(r.h2a_workers_certified),
        percent(r.h2a_workers_certified_3_year_growth, signed=True),
        count(r.whd_h2a_violation_cases_3_years_before),
        count(r.whd_h2a_violation_cases),
        percent(r.share_h2a_employers_ever_investigated),
    ]


def _sector_titles(warehouse: _Warehouse) -> dict[str, str]:
    if not warehouse.has("marts.mart_industry_year"):
        return {}
    titles = warehouse.frame("SELECT DISTINCT naics_sector, sector_title FROM marts.mart_industry_year")
    return dict(zip(titles["naics_sector"], titles["sector_title"], strict=True))


def _leads(warehouse: _Warehouse) -> str:
    title = "Employers to look at first"
    table = "marts.mart_employer_leads"
    if not warehouse.has(table):
        return _section("leads", title, "", _missing(table))
    leads = warehouse.frame(
        f"SELECT lead_rank, employer_name, employer_id, state_code, score, reasons FROM {table} "
        f"ORDER BY lead_rank, employer_id LIMIT {TOP_LEADS}"
    )
    if leads.empty:
        return _section("leads", title, "No employer shows a lead signal in this warehouse.", "")
    rows = [
        [count(r.lead_rank), r.employer_name, r.employer_id, r.state_code, count(r.score), r.reasons]
        for r in leads.itertuples()
    ]
    headers, rows, state = _without_shared(["Rank", "Employer", "Employer id", "State", "Score", "Why"], rows, "State")
    lead = (
        f"The {_plural(len(leads), 'employer')}{f' (all in {state})' if state else ''} with the strongest signals "
        "across every source (debarred yet certified, repeat violations, labor contractors without a certificate, "
        "...), with the reasons in words. A lead is a reason to look, not a finding."
    )
    return _section("leads", title, lead, _table(headers, rows, numeric={"Rank", "Score"}))


HIDDEN_WORK_TREND = TrendMeasure(
    "child_labor_minors", "Minors employed in violation, hidden-work industries", "Minors", COUNTS
)


def _hidden_work(warehouse: _Warehouse) -> str:
    title = "Hidden work"
    table, industries = "marts.mart_hidden_work_year", "reference.ref_hidden_work_industries"
    lead = (
        "Industries where labor trafficking is often reported or hidden from public view (domestic work, home "
        "health care, cleaning, landscaping, food processing, hotels, restaurants, nail salons, forestry, "
        "construction labor, apparel, agriculture) and what WHD found there: child labor, H-2B violations, "
        "employers it flagged as repeat violators."
    )
    if not warehouse.has(table) or not warehouse.has(industries):
        return _section("hidden-work", title, lead, _missing(table if not warehouse.has(table) else industries))
    years = warehouse.frame(
        f"SELECT fiscal_year, sum(child_labor_minors) AS value, bool_and(is_whd_complete) AS is_complete_year "
        f"FROM {table} GROUP BY fiscal_year ORDER BY fiscal_year"
    )
    trend = _trend_figure(years, HIDDEN_WORK_TREND)
    year = warehouse.scalar(f"SELECT max(fiscal_year) FROM {table} WHERE is_whd_complete")
    if year is None:
        return _section("hidden-work", title, lead, trend + '<p class="note">No complete fiscal year yet.</p>')
    year = int(year)
    found = warehouse.frame(
        f"""SELECT i.industry_label || ' (' || i.naics_code || ')' AS label, sum(m.whd_cases) AS whd_cases,
                   sum(m.back_wages) AS back_wages, sum(m.child_labor_minors) AS child_labor_minors,
                   sum(m.h2b_violations) AS h2b_violations,
                   sum(m.flsa_repeat_violator_cases) AS flsa_repeat_violator_cases,
                   sum(m.h2a_workers_certified) AS h2a_workers_certified,
                   i.reason || ' (' || i.source_name || ')' AS why
            FROM {industries} AS i LEFT JOIN {table} AS m
              ON m.hidden_work_naics_code = i.naics_code AND m.fiscal_year = ?
            GROUP BY i.naics_code, i.industry_label, i.reason, i.source_name
            ORDER BY whd_cases DESC NULLS LAST, label""",
        [year],
    )
    ranked = found[found["whd_cases"] > 0].rename(columns={"whd_cases": "rate"})[["label", "rate"]]
    chart = ranking_chart(
        ranked.assign(rate_text=ranked["rate"].map(count)),
        title=f"WHD cases concluded in hidden-work industries, FY{year}",
        axis_title="WHD cases",
    )
    rows = [
        [
            r.label,
            count(r.whd_cases),
            money(r.back_wages),
            count(r.child_labor_minors),
            count(r.h2b_violations),
            count(r.flsa_repeat_violator_cases),
            count(r.h2a_workers_certified),
            r.why,
        ]
        for r in found.itertuples()
    ]
    headers = [
        "Industry (NAICS)",
        f"WHD cases FY{year}",
        "Back wages",
        "Minors employed in violation",
        "H-2B violations",
        "Cases flagged repeat FLSA violator",
        "H-2A workers certified",
        "Why it is listed",
    ]
    note = (
        '<p class="note">An industry is matched by the start of the NAICS code its records carry; the list, '
        "with its reasons and sources, is a seed file analysts can edit. "
        "<code>warehouse leads --scope hidden-work</code> lists the employers.</p>"
    )
    body = (
        f'<div class="grid">{trend}{_figure("hidden-work-industries", to_svg(chart))}</div>'
        + _table(headers, rows, numeric=headers[1:-1])
        + note
    )
    return _section("hidden-work", title, lead, body)


def _coverage(warehouse: _Warehouse) -> str:
    title = "What each source has published"
    lead = "Each source's fiscal years in this warehouse and how far its latest file reaches."
    table = "marts.source_coverage"
    if not warehouse.has(table):
        return _section("coverage", title, lead, _missing(table))
    sources = warehouse.frame(
        f"""SELECT source, min(first_fiscal_year) AS first_year, max(last_fiscal_year) AS last_year,
                   max(last_complete_fiscal_year) AS last_complete_year, max(data_through) AS data_through,
                   count(*) AS files, sum(row_count) AS rows
            FROM {table} GROUP BY source ORDER BY source"""
    )
    in_order = sorted(sources.itertuples(), key=lambda r: _registry_position(_coverage_title(r.source)))
    rows = [_coverage_row(r) for r in in_order]
    headers = ["Source", "First fiscal year", "Last fiscal year", "Last complete", "Data through", "Files", "Rows"]
    return _section("coverage", title, lead, _table(headers, rows, numeric=headers[1:]))


def _coverage_row(r) -> list[str]:
    return [
        _named(_coverage_title(r.source), r.source),
        _year(r.first_year),
        _year(r.last_year),
        _year(r.last_complete_year),
        _date(r.data_through),
        count(r.files),
        count(r.rows),
    ]


def _quality(warehouse: _Warehouse) -> str:
    title = "Data quality of each table"
    lead = (
        "Every file is checked against its rules before it is loaded. A table is stale when its newest file was "
        "rejected: it keeps its last accepted file until a good one arrives."
    )
    status_table, results_table = "audit.source_status", "audit.validation_results"
    notes = "".join(_missing(t) for t in (status_table, results_table) if not warehouse.has(t))
    status = _table_status(warehouse) if warehouse.has(status_table) else pd.DataFrame(columns=["table_name"])
    checks = _latest_checks(warehouse) if warehouse.has(results_table) else pd.DataFrame(columns=["table_name"])
    merged = status.merge(checks, on="table_name", how="outer")
    if merged.empty:
        return _section("quality", title, lead, notes or '<p class="note">No table has been checked yet.</p>')
    records = sorted(merged.to_dict("records"), key=lambda r: _registry_position(_table_title(r["table_name"])))
    flagged = {i for i, r in enumerate(records) if _stale_label(r) or (r.get("failed") or 0) > 0}
    headers = ["Table", "Status", "Last loaded (UTC)", "Checked (UTC)", "Files checked", "Passed", "Warnings", "Failed"]
    headers, rows, status_of_all = _without_shared(headers, [_quality_row(r) for r in records], "Status")
    if status_of_all:
        lead += f" Every table is {status_of_all}."
    table = _table(headers, rows, numeric=headers[headers.index("Files checked") :], flagged=flagged)
    return _section("quality", title, lead, notes + table)


def _table_status(warehouse: _Warehouse) -> pd.DataFrame:
    """One row per table: its stale slices (with the rejected file) or none, and its last load."""
    return warehouse.frame(
        """SELECT table_name,
                  string_agg(CASE WHEN status <> 'fresh' THEN status
                      || CASE WHEN partition_key <> 'all' THEN ' (' || partition_key || ')' ELSE '' END END,
                      '; ' ORDER BY partition_key) AS stale,
                  max(loaded_at) AS loaded_at
           FROM audit.source_status GROUP BY table_name"""
    )


def _latest_checks(warehouse: _Warehouse) -> pd.DataFrame:
    """Rule results of each table's latest validation run, over every file that run checked."""
    return warehouse.frame(
        """WITH latest AS (
               SELECT table_name, arg_max(run_id, validated_at) AS run_id
               FROM audit.validation_results GROUP BY table_name)
           SELECT table_name, max(validated_at) AS validated_at, count(DISTINCT file_sha256) AS files,
                  count(*) FILTER (WHERE passed) AS passed,
                  count(*) FILTER (WHERE NOT passed AND severity = 'warn') AS warned,
                  count(*) FILTER (WHERE NOT passed AND severity <> 'warn') AS failed
           FROM audit.validation_results JOIN latest USING (table_name, run_id)
           GROUP BY table_name"""
    )


def _stale_label(row: dict) -> str | None:
    stale = row.get("stale")
    return stale if isinstance(stale, str) and stale else None


def _quality_row(row: dict) -> list[str]:
    return [
        _named(_table_title(row["table_name"]), row["table_name"]),
        _stale_label(row) or "fresh",
        _timestamp(row.get("loaded_at")),
        _timestamp(row.get("validated_at")),
        count(row.get("files")),
        count(row.get("passed")),
        count(row.get("warned")),
        count(row.get("failed")),
    ]


SECTIONS: tuple[Callable[[_Warehouse], str], ...] = (
    _findings,
    _trends,
    _top_sectors,
    _top_states,
    _enforcement_gap,
    _leads,
    _hidden_work,
    _coverage,
    _quality,
)


FINDINGS: tuple[Callable[[_Warehouse], str | None], ...] = (
    _trend_finding("whd_cases"),
    _trend_finding("h2a_workers_certified"),
    _sector_finding,
    _lead_finding,
)


# --- page -----------------------------------------------------------------------------------------

_STYLE = """
.banner { background: #fff3cd; border: 2px solid #b58100; padding: 0.6em 1em; font-weight: bold; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #1d1d1f; margin: 0 auto; max-width: 1080px; padding: 0 24px 48px; }
header { border-bottom: 3px solid #1f4e79; padding: 20px 0 12px; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 36px 0 6px; font-size: 20px; color: #1f4e79; }
h3 { margin: 18px 0 6px; font-size: 16px; color: #1f4e79; }
ol.emerging li { margin: 0 0 4px; }
.meta, .note { color: #555; font-size: 13px; }
.lead { margin: 0 0 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 8px 24px; }
figure.chart { margin: 8px 0; }
figure.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
th.num { text-align: right; }
td.num { text-align: right; white-space: nowrap; }
tr.flagged td { background: #fdecea; }
footer { margin-top: 40px; border-top: 1px solid #ccc; padding-top: 10px; color: #555; font-size: 13px; }
"""

_FOOTER = (
    "<p><b>Fiscal years</b> are federal: FY2025 runs from 1 October 2024 to 30 September 2025. Employment "
    "(for the rates) is the Bureau of Labor Statistics' count for the calendar year of the same number.</p>"
    "<p><b>A blank (–) or a gap in a line means the source has not published that year</b> — it is not zero. "
    "A year is complete only when every source it uses has published all of it.</p>"
    "<p><b>Where the data comes from:</b> U.S. Department of Labor — Wage and Hour Division compliance "
    "actions and its farm labor contractor (MSPA) registry; Office of Foreign Labor Certification H-2A "
    "disclosure data and program debarments — and the Bureau of Labor Statistics' Quarterly Census of "
    "Employment and Wages, all public files, joined in the open labor-enforcement data warehouse.</p>"
)


SAMPLE_BANNER = (
    "Synthetic sample: this warehouse was built from the embedded sample, made-up data shaped like the real "
    "files. No number in it describes a real employer, case or year."
)


def _page(published_at: str, sections: list[str], *, synthetic: bool = False) -> str:
    banner = f'<p class="banner" id="sample-banner">{escape(SAMPLE_BANNER)}</p>' if synthetic else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Labor enforcement: report for leadership</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<header>{banner}<h1>Labor enforcement: report for leadership</h1>"
        f'<p class="meta">Data as published in the warehouse on {escape(published_at)}.</p></header>'
        f"<main>{''.join(sections)}</main><footer>{_FOOTER}</footer></body></html>\n"
    )


def _is_synthetic(published_db: Path) -> bool:
    info = published_db.parent / PUBLISH_INFO
    return info.is_file() and bool(json.loads(info.read_text(encoding="utf-8")).get("synthetic_sample"))


def _published_at(published_db: Path) -> str:
    """When the warehouse was published: its publish record next to the file, else the file's time."""
    info = published_db.parent / PUBLISH_INFO
    if info.is_file():
        moment = datetime.fromisoformat(json.loads(info.read_text(encoding="utf-8"))["published_at"])
    else:
        moment = datetime.fromtimestamp(published_db.stat().st_mtime, UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _section(section_id: str, title: str, lead: str, body: str) -> str:
    lead_html = f'<p class="lead">{escape(lead)}</p>' if lead else ""
    return f'<section id="{section_id}"><h2>{escape(title)}</h2>{lead_html}{body}</section>'


def _part(part_id: str, title: str, lead: str, body: str) -> str:
    """A part of a section, under its own heading."""
    lead_html = f'<p class="lead">{escape(lead)}</p>' if lead else ""
    return f'<div class="part" id="{part_id}"><h3>{escape(title)}</h3>{lead_html}{body}</div>'


# What each table the report reads holds, in words, for the note when it is missing.
_TABLE_WORDS = {
    "marts.mart_trends": "yearly national figures",
    "marts.mart_industry_year": "yearly figures by sector",
    "marts.mart_region_year": "yearly figures by state",
    "marts.mart_enforcement_gap": "figures on certifications and enforcement by state and sector",
    "marts.mart_employer_leads": "employer leads",
    EMERGING_TABLE: "detection of what rose above its own history",
    "marts.source_coverage": "record of what each source has published",
    "marts.mart_hidden_work_year": "yearly figures for hidden-work industries",
    "reference.ref_hidden_work_industries": "list of hidden-work industries",
    "audit.source_status": "load status of each table",
    "audit.validation_results": "results of the checks on each file",
}


def _missing(table: str) -> str:
    """Says in words what is missing, then the table's name for whoever can add it."""
    return (
        f'<p class="note missing">This warehouse has no {escape(_TABLE_WORDS.get(table, "data"))} (table '
        f"<code>{escape(table)}</code>), so this part is left out.</p>"
    )


def _figure(name: str, svg: str) -> str:
    return f'<figure class="chart" data-chart="{escape(name)}">{svg}</figure>'


class _Html(str):
    """Text already written as HTML (its data escaped): a table cell puts it in as it is."""


def _named(words: str, name: str) -> _Html:
    """Words for the reader; the internal name (a table, a source code) in a tooltip for engineers."""
    return _Html(f'<span title="{escape(name)}">{escape(words)}</span>')


def _table(
    headers: list[str], rows: list[list], *, numeric: Collection[str] = (), flagged: Collection[int] = ()
) -> str:
    """A plain HTML table, every cell escaped (but _Html); the columns headed by a `numeric` header are
    right-aligned, `flagged` rows highlighted."""
    numeric_columns = {c for c, header in enumerate(headers) if header in numeric}

    def cell(tag: str, column: int, value) -> str:
        css = ' class="num"' if column in numeric_columns else ""
        text = value if isinstance(value, _Html) else escape("" if value is None else str(value))
        return f"<{tag}{css}>{text}</{tag}>"

    def row_html(index: int, row: list) -> str:
        css = ' class="flagged"' if index in flagged else ""
        return f"<tr{css}>{''.join(cell('td', c, v) for c, v in enumerate(row))}</tr>"

    head = "".join(cell("th", c, h) for c, h in enumerate(headers))
    body = "".join(row_html(i, row) for i, row in enumerate(rows))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _without_shared(headers: list[str], rows: list[list], header: str) -> tuple[list[str], list[list], str | None]:
    """The table without its column `header` when every row (two or more) says the same in it, and what they
    say, for the lead to say once; otherwise the table as it is and None."""
    column = headers.index(header)
    values = {row[column] for row in rows}
    if len(rows) < 2 or len(values) != 1:
        return headers, rows, None

    def without(items: list) -> list:
        return items[:column] + items[column + 1 :]

    return without(headers), [without(row) for row in rows], values.pop()


# --- values ---------------------------------------------------------------------------------------

# Numbers are written by warehouse/access/report_numbers.py, one rule per kind.


def _capitalized(text: str) -> str:
    """The first letter upper-case, the rest as written ("the nation" -> "The nation", "FY2025" stays)."""
    return text[:1].upper() + text[1:]


def _plural(number: int, noun: str) -> str:
    return f"{count(number)} {noun}{'' if number == 1 else 's'}"


def _year(value) -> str:
    return NOT_PUBLISHED if pd.isna(value) else f"FY{int(value)}"


def _date(value) -> str:
    return NOT_PUBLISHED if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _timestamp(value) -> str:
    return NOT_PUBLISHED if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _sector_label(code: str, title: str | None) -> str:
    return f"{title} ({code})" if title else code


def _table_title(table_name: str) -> str:
    """A raw table's title, as its source declares it (e.g. "WHD compliance actions"); else its name."""
    titles = {table.contract.table_name: table.title for _, table in all_tables()}
    return titles.get(table_name, table_name)


def _registry_position(title: str) -> int:
    """Where a source's or table's title comes in the sources' registry, so the report lists them as
    everything else does (a source's tables together); an unknown title comes last."""
    known = [known for spec in ALL_SOURCES for known in (spec.title, *(table.title for table in spec.tables))]
    return known.index(title) if title in known else len(known)


def _coverage_title(code: str) -> str:
    """The title of what a `source_coverage` code counts: a source ("whd"), or one table of a source named
    `<source>_<table>` ("h2a_addendum_b": the H-2A Addendum B worksites); else the code itself."""
    for spec in ALL_SOURCES:
        if code == spec.name:
            return spec.title
        if code.startswith(f"{spec.name}_"):
            table_part = code.removeprefix(f"{spec.name}_")
            titles = [table.title for table in spec.tables if table.contract.name.startswith(table_part)]
            if titles:
                return titles[0]
    return code


def _write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
