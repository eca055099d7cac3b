"""dbt models (staging -> intermediate -> marts, plus reference seeds) as Dagster assets.

dbt sources map to the ``raw_<source>__<table>`` assets (same key as the DuckDB table), so the
lineage is one graph; dbt tests become asset checks. `dbt build` runs once for the whole project.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.dbt_project import dbt_project, ensure_manifest
from orchestration.defs.resources import WarehouseResource

_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Asset key = node name (= DuckDB table name); group = the model's layer folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return dg.AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return next((_GROUPS[part] for part in fqn if part in _GROUPS), "dbt")


translator = WarehouseDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=translator)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Build (seed, run, test) the selected dbt models against the build database."""
    with warehouse.dbt_environment():
        yield from dbt.cli(["build"], context=context).stream()


default_assets = [dbt_models]

__all__ = ["dbt_models", "default_assets", "translator"]
