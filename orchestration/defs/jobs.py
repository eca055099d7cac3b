"""Jobs: `build_warehouse` materializes everything, from raw files to the published copy and its report."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.partitions import fiscal_year_partitions
from sources.common.process_memory import release_unused_memory


@dg.success_hook(name="release_unused_memory")
def release_unused_memory_after_step(_context: dg.HookContext) -> None:
    """Every step runs in the build's one process (in_process_executor): what a step freed is returned to the
    system before the next starts."""
    release_unused_memory()


build_warehouse = dg.define_asset_job(
    name="build_warehouse",
    selection=dg.AssetSelection.all(),
    description="Acquire every source, parse, gate, load, build the dbt models, publish and write the report. "
    "Launch it over the whole fiscal-year partition range (the schedule and `warehouse build` do) to load every "
    "H-2A year.",
    partitions_def=fiscal_year_partitions,
    hooks={release_unused_memory_after_step},
)

default_jobs = [build_warehouse]

__all__ = ["build_warehouse", "default_jobs"]
