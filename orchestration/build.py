"""`build_defs()` assembles the whole graph in one place; tests and the CLI pass overrides."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from orchestration.defs.asset_checks import default_asset_checks
from orchestration.defs.assets import dbt_models, employer_linkage, publish, raw_sources
from orchestration.defs.jobs import default_jobs
from orchestration.defs.logging import terminal_progress_logger
from orchestration.defs.resources import default_resources
from orchestration.defs.schedules import default_schedules
from orchestration.defs.sensors import default_sensors


def build_defs(*, resource_overrides: Mapping[str, object] | None = None) -> dg.Definitions:
    """All definitions of the code location.

    Args:
        resource_overrides: replace resources by key (e.g. a WarehouseResource at a test path).
    """
    resources = {**default_resources(), **(resource_overrides or {})}
    return dg.Definitions(
        assets=[
            *raw_sources.default_assets,
            *dbt_models.default_assets,
            *employer_linkage.default_assets,
            *publish.default_assets,
        ],
        asset_checks=default_asset_checks,
        jobs=default_jobs,
        schedules=default_schedules,
        sensors=default_sensors,
        resources=resources,
        loggers={"terminal_progress": terminal_progress_logger},
        # DuckDB allows one writer: run steps one after another in one process.
        executor=dg.in_process_executor,
    )
