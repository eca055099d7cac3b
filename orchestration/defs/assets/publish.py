"""Publishing the build database as the read-only warehouse analysts query."""

import dagster as dg

from orchestration.defs.assets.dbt_models import dbt_models
from orchestration.defs.registry import PUBLISH_GROUP
from orchestration.defs.resources import WarehouseResource
from warehouse.publish import publish


@dg.asset(
    name="published_warehouse",
    group_name=PUBLISH_GROUP,
    deps=list(dbt_models.keys),
    description=(
        "Atomically replaces the published read-only copy with the build database, once every upstream gate passed."
    ),
    kinds={"duckdb"},
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Copy the build database over the published one (atomic rename)."""
    result = publish(warehouse.paths(), run_id=context.run_id)
    marts = {name: rows for name, rows in result.tables.items() if name.startswith("marts.")}
    return dg.MaterializeResult(
        metadata={
            "path": str(result.path),
            "published_at": result.published_at,
            "table_count": len(result.tables),
            "mart_rows": dg.MetadataValue.json(marts),
        }
    )


default_assets = [published_warehouse]

__all__ = ["default_assets", "published_warehouse"]
