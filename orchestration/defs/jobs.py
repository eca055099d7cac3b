"""Jobs: `build_warehouse` materializes everything, from raw files to the published copy and its report."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.partitions import fiscal_year_partitions

build_warehouse = dg.define_asset_job(
    name="build_warehouse",
    selection=dg.AssetSelection.all(),
    description="Acquire every source, parse, gate, load, build the dbt models, publish and write the report. "
    "Launch it over the whole fiscal-year partition range (the schedule and `warehouse build` do) to load every "
    "H-2A year.",
    partitions_def=fiscal_year_partitions,
)

default_jobs = [build_warehouse]

__all__ = ["build_warehouse", "default_jobs"]
