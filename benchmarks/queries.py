"""Analyst queries on the published copy: typical filters, group-bys and joins to dimensions, timed one
by one through a read-only connection; and one `warehouse query` end to end."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

import duckdb

QUERY_COUNT = 200
SEED = 18
# {state}, {sector}, {year} are drawn from the published data.
TEMPLATES = [
    "select * from marts.mart_industry_year where fiscal_year = {year} order by 1",
    "select * from marts.mart_region_year where geo_level = 'state' and fiscal_year between {year} - 4 and {year}",
    "select fiscal_year, sum(whd_cases) from marts.mart_region_year where geo_level = 'state' group by 1 order by 1",
    "select * from marts.mart_trends order by fiscal_year",
    "select * from marts.mart_enforcement_gap where state_code = '{state}' order by fiscal_year",
    "select * from marts.mart_employer_leads where state_code = '{state}' order by lead_rank limit 20",
    "select d.state_name, count(*) from marts.fct_whd_case f join marts.dim_region d using (state_code) "
    "where f.fiscal_year = {year} group by 1 order by 2 desc limit 10",
    "select i.title, sum(f.back_wages) from marts.fct_whd_case f join marts.dim_industry i "
    "using (naics_code) where f.state_code = '{state}' group by 1 order by 2 desc",
    "select e.employer_name, count(*) from marts.fct_h2a_certification f join marts.dim_employer e "
    "using (employer_id) where f.fiscal_year = {year} group by 1 order by 2 desc limit 20",
    "select fiscal_year, sum(workers_certified) from marts.fct_h2a_certification where naics_sector = '{sector}' "
    "group by 1 order by 1",
]


def _choices(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    def values(sql: str) -> list:
        return [row[0] for row in con.execute(sql).fetchall()] or [None]

    return {
        "state": values("select distinct state_code from marts.fct_whd_case where state_code is not null"),
        "sector": values(
            "select distinct naics_sector from marts.fct_h2a_certification where naics_sector is not null"
        ),
        "year": values("select distinct fiscal_year from marts.mart_trends"),
    }


def runnable_templates(con: duckdb.DuckDBPyConnection, choices: dict[str, list]) -> list[str]:
    """The templates that bind on this warehouse (a renamed column drops one, and the run says how many)."""
    fine = []
    for template in TEMPLATES:
        try:
            con.execute("explain " + template.format(**{k: v[0] for k, v in choices.items()}))
            fine.append(template)
        except duckdb.Error:
            continue
    return fine


def query_latencies(published_db: Path) -> dict:
    """p50/p95/max in milliseconds over QUERY_COUNT queries drawn from the templates (fixed seed)."""
    draw = random.Random(SEED)
    with duckdb.connect(str(published_db), read_only=True) as con:
        choices = _choices(con)
        templates = runnable_templates(con, choices)
        timings = []
        for _ in range(QUERY_COUNT):
            sql = draw.choice(templates).format(**{k: draw.choice(v) for k, v in choices.items()})
            started = time.perf_counter()
            con.execute(sql).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    cut = statistics.quantiles(timings, n=100)
    return {
        "queries": len(timings),
        "templates_used": len(templates),
        "templates": len(TEMPLATES),
        "p50_ms": statistics.median(timings),
        "p95_ms": cut[94],
        "max_ms": max(timings),
    }
