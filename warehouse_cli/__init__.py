"""`warehouse`: the command line for data engineers and analysts, above the pipeline.

    warehouse build [--source sample|download|DIR]   run the Dagster build job in-process: by default from
      [--only SOURCE] [--fiscal-year N] [--force]    the raw archive, skipping what did not change;
      [--engine duckdb|spark]                        dbt and linkage on DuckDB (default) or a local Spark
      [--relink]                                     linkage retrained, every pair predicted (else incremental)
    warehouse publish [--engine duckdb|spark]        dbt and publish on the build database as it is
    warehouse ingest SOURCE --file PATH              parse, gate and load one file
    warehouse release FILE                           gate a quarantined file again; load it if it passes
    warehouse query "SQL" | --sql-file PATH          read-only SQL on the published warehouse
    warehouse tables | describe TABLE | search WORD  what the published warehouse holds
    warehouse shell                                  interactive read-only SQL prompt
    warehouse versions | rollback [--to VERSION]     the kept published versions; restore one
    warehouse sample --out DIR [--scale N]           write sample files in their real names
    warehouse status                                 what is published, rejected, quarantined
    warehouse docs [--serve]                         dbt documentation site of the published warehouse
    warehouse report [--output DIR]                  the HTML report for leadership, from the published warehouse
    warehouse contracts [--write]                    regenerate/check files made from contracts
    warehouse leads [--state XX] [--industry 11]     the ranked employer leads, with their reasons
    warehouse emerging [--measure M] [--state XX]    the cells whose latest complete year rose above their
      [--top N] [--year FY] [--all]                  own history (marts.mart_emerging_patterns), strongest first
    warehouse employer NAME_OR_ID                    one employer across every source
    warehouse agent NAME_OR_ID                       one filing agent or attorney: its employers, their
                                                     WHD violations and debarments
    warehouse linkage-eval [--scale N] [--real]      score employer linkage

Where each lives: load.py (build, publish, ingest, release), explore.py (query, tables, describe,
search, shell, docs, report, leads, emerging, employer, agent), operate.py (status, versions, rollback, sample,
contracts, linkage-eval); render.py shows results; app.py holds what they share. The Dagster run
itself is orchestration.run: the command line only calls it and prints its outcome.

Heavy libraries (Dagster, dbt, Great Expectations) are imported inside commands, so `--help`
and `query` stay fast.
"""

from __future__ import annotations

from warehouse_cli import explore, load, operate  # noqa: F401  (each registers its commands on the app)
from warehouse_cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
