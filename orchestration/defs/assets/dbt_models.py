"""dbt models (staging -> intermediate -> marts, plus reference seeds) as Dagster assets.

dbt sources map to the assets that write them (same key as the DuckDB table: the
``raw_<source>__<table>`` assets, and ``int_employer_links``, the Python employer linkage), so the
lineage is one graph; dbt tests become asset checks. `dbt build` runs twice: seeds, staging and
intermediate before the employer linkage, the marts after it.

When the build holds exactly the inputs the newest published version was made from (same files per
table, same statuses, same dbt and linkage code: warehouse/ingest/changes.py), `dbt_models` materializes
nothing, so Dagster skips the linkage, the marts and the publish step too: nothing changed, nothing
is published -- unless the current published version fails verification (a file changed, missing or
replaced, a broken link: warehouse.publish.versions.verify_published); then it is rebuilt and published anew.
A forced run (`warehouse build --force`, `warehouse publish`) always rebuilds.

When something changed, each dbt asset builds only the models downstream of it (the raw tables loaded
since its last build, and the employer links); the others keep their last build and are reported as
kept (orchestration/defs/dbt_selection.py, docs/incremental.md).

The engine (WarehouseResource.engine) picks dbt's target: the build database (DuckDB), or the same
models on Spark over the Parquet lake (`--target spark`, warehouse/spark.py).
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.dbt_project import (
    dbt_project,
    ensure_manifest,
    keep_the_parse,
    target_with_the_last_parse,
    transform_code_version,
)
from orchestration.defs.dbt_selection import (
    STARTED,
    SUCCEEDED,
    last_build,
    loaded_tables,
    plan_build,
    record_build,
    scope_names,
)
from orchestration.defs.resources import WarehouseResource
from warehouse.ingest.changes import inputs_digest
from warehouse.publish.versions import newest_inputs, verify_published
from warehouse.settings import DUCKDB

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
LINKS = "int_employer_links"  # the employer-linkage asset, a dbt source of the marts


@dbt_assets(
    manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=translator, exclude=MARTS, name="dbt_models"
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Build (seed, run, test) the seeds, staging and intermediate models against the build database."""
    if not (warehouse.force or warehouse.relink) and newest_inputs(warehouse.paths()) == current_inputs(warehouse):
        problems = verify_published(warehouse.paths())
        if not problems:
            context.log.info("nothing changed since the newest published version: dbt, linkage and publish skipped")
            return
        # Never trust a damaged published copy: publish the build database anew.
        context.log.warning("the current published version fails verification: " + "; ".join(problems))
    yield from _build(context, dbt, warehouse, "dbt_models")


@dbt_assets(
    manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=translator, select=MARTS, name="dbt_marts"
)
def dbt_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Build and test the marts, once employer linkage has run."""
    yield from _build(context, dbt, warehouse, "dbt_marts")


def _changed(context, db, asset: str, previous: dict | None) -> set[str]:
    """The dbt sources changed since the asset's last build started (all of them count when never built)."""
    since = previous["started_at"] if previous else datetime.min
    changed = loaded_tables(db, since)
    linked = context.instance.get_latest_materialization_event(dg.AssetKey(LINKS))
    if (
        asset == "dbt_marts"
        and linked is not None
        and datetime.fromtimestamp(linked.timestamp, UTC) > since.replace(tzinfo=UTC)
    ):
        changed.add(f"linkage.{LINKS}")
    return changed


def _build(context, dbt: DbtCliResource, warehouse: WarehouseResource, asset: str):
    """`dbt build` of the models downstream of what changed (orchestration/defs/dbt_selection.py); the
    asset's other models keep their last build and are reported as kept, so the steps after them still run."""
    db, code = warehouse.paths().build_db, transform_code_version()
    manifest = _manifest()
    scope = scope_names(manifest, [key.path[-1] for key in context.assets_def.keys])
    previous = last_build(db, asset, warehouse.engine)
    changed = _changed(context, db, asset, previous)
    plan = plan_build(manifest, scope, changed, previous=previous, code_version=code, force=warehouse.force)
    context.log.info(
        f"{asset}: "
        + (f"full build ({plan.reason})" if plan.full else f"only the models {plan.reason}")
        + (f"; {len(plan.kept)} of {len(scope)} kept as last built" if plan.kept else "")
    )
    record = {"run_id": context.run_id, "asset": asset, "engine": warehouse.engine, "code_version": code, "plan": plan}
    record_build(db, status=STARTED, **record)
    for name in plan.kept:  # in dependency order, before the rebuilt models (none of which they depend on)
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(name), metadata={"rebuilt": False, "kept": f"not {plan.reason}"}
        )
    saved_parse = warehouse.paths().build_dir / f"dbt_partial_parse.{warehouse.engine}.msgpack"  # this home's last
    target = target_with_the_last_parse(f"{asset}-{context.run_id[:7]}", saved_parse)
    with warehouse.dbt_environment():
        args = ["build", *warehouse.dbt_args(), *plan.exclude_args()]
        yield from dbt.cli(args, context=context, target_path=target).stream()
    keep_the_parse(target, saved_parse)
    record_build(db, status=SUCCEEDED, **record)


@cache
def _manifest() -> dict:
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


def current_inputs(warehouse: WarehouseResource) -> str:
    """The digest of what the build database's marts are made from (recorded by each publish); the
    engine counts too (Spark after DuckDB rebuilds), the DuckDB digest is as it always was."""
    engine = "" if warehouse.engine == DUCKDB else f":{warehouse.engine}"
    return inputs_digest(warehouse.paths().build_db, transform_code_version() + engine)


default_assets = [dbt_models, dbt_marts]

__all__ = ["current_inputs", "dbt_marts", "dbt_models", "default_assets", "translator"]
