"""Jobs: `build_warehouse` materializes everything, from raw files to the published copy."""

from __future__ import annotations

import dagster as dg

build_warehouse = dg.define_asset_job(
    name="build_warehouse",
    selection=dg.AssetSelection.all(),
    description="Acquire every source, parse, gate, load, build the dbt models and publish.",
)

default_jobs = [build_warehouse]

__all__ = ["build_warehouse", "default_jobs"]
