"""dbt models (staging -> intermediate -> marts, plus reference seeds) as Dagster assets.

dbt sources map to the assets that write them (same key as the DuckDB table: the
``raw_<source>__<table>`` assets, and ``int_employer_links``, the Python employer linkage), so the
lineage is one graph; dbt tests become asset checks. `dbt build` runs twice: seeds, staging and
intermediate before the employer linkage, the marts after it.
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


MARTS = "path:models/marts"


@dbt_assets(
    manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=translator, exclude=MARTS, name="dbt_models"
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Build (seed, run, test) the seeds, staging and intermediate models against the build database."""
    with warehouse.dbt_environment():
        yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=translator, select=MARTS, name="dbt_marts"
)
def dbt_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Build and test the marts, once employer linkage has run."""
    with warehouse.dbt_environment():
        yield from dbt.cli(["build"], context=context).stream()


default_assets = [dbt_models, dbt_marts]

__all__ = ["dbt_marts", "dbt_models", "default_assets", "translator"]
