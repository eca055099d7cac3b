"""Publishing the build database as the read-only warehouse analysts query, and the report leadership reads."""

from pathlib import Path

import dagster as dg

from orchestration.defs.assets.dbt_models import current_inputs, dbt_marts, dbt_models
from orchestration.defs.dbt_project import dbt_project, ensure_manifest
from orchestration.defs.registry import PUBLISH_GROUP
from orchestration.defs.resources import WarehouseResource
from warehouse.publish.catalog import comment_tables
from warehouse.publish.versions import publish, write_into_current
from warehouse.settings import SPARK
from warehouse.spark import import_into_build_db


@dg.asset(
    name="published_warehouse",
    group_name=PUBLISH_GROUP,
    deps=[*dbt_models.keys, *dbt_marts.keys],
    description=(
        "Publishes the build database as a new read-only version (DuckDB file readable by 1.x clients, Parquet of "
        "every mart, datapackage.json) and makes it current atomically, once dbt built and tested every model "
        "(a table whose new file was rejected keeps its last accepted load: audit.source_status)."
    ),
    kinds={"duckdb"},
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Publish the build database as a new version and make it current (atomic rename)."""
    if warehouse.engine == SPARK:
        # The Spark engine's tables (Parquet) replace the build database's, read by DuckDB: the same files.
        copied = import_into_build_db(warehouse.paths(), Path(dbt_project.project_dir) / "seeds")
        comment_tables(warehouse.paths().build_db, ensure_manifest(), list(copied))
        context.log.info(f"copied {len(copied)} tables dbt built on Spark into the build database")
    result = publish(
        warehouse.paths(),
        run_id=context.run_id,
        manifest=ensure_manifest(),
        keep=warehouse.keep_versions,
        inputs=current_inputs(warehouse),
    )
    marts = {name: rows for name, rows in result.tables.items() if name.startswith("marts.")}
    return dg.MaterializeResult(
        metadata={
            "path": str(result.path),
            "version": result.version,
            "published_at": result.published_at,
            "table_count": len(result.tables),
            "mart_rows": dg.MetadataValue.json(marts),
        }
    )


@dg.asset(
    name="published_report",
    group_name=PUBLISH_GROUP,
    deps=[published_warehouse],
    description=(
        "The report for leadership: one self-contained HTML file (trends, top sectors and states, enforcement gap, "
        "leads, data coverage and quality) written from the published copy into its current version."
    ),
    kinds={"html"},
)
def published_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Write report.html from the published warehouse into its current version."""
    from warehouse.access.report import write_report  # pandas and altair: imported only when a build publishes

    report = write_into_current(warehouse.paths(), write_report)
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(report)), "size_bytes": report.stat().st_size}
    )


default_assets = [published_warehouse, published_report]

__all__ = ["default_assets", "published_report", "published_warehouse"]
