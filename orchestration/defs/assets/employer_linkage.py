"""The employer-linkage asset, between the dbt intermediate layer and the marts.

Reads `intermediate.int_employer_records` and the analysts' overrides seed, links the records into
employers (warehouse/linkage: splink on DuckDB, stable ids) and writes `linkage.int_employer_links`,
which the dbt marts read as a source (same asset key), so the lineage stays one graph.
"""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from warehouse.linkage import link_records
from warehouse.linkage.store import previous_ids, read_overrides, read_records, save

LINKAGE_GROUP = "intermediate"


@dg.asset(
    name="int_employer_links",
    group_name=LINKAGE_GROUP,
    deps=["int_employer_records", "ref_employer_link_overrides"],
    kinds={"python", "duckdb"},
    description="Every employer record of every source -> one employer (splink probabilistic linkage, "
    "analysts' overrides applied, employer ids stable across rebuilds).",
)
def int_employer_links(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Link employer records across sources into employers with stable ids."""
    db = warehouse.paths().build_db
    previous, next_number = previous_ids(db)
    result = link_records(read_records(db), previous=previous, next_number=next_number, overrides=read_overrides(db))
    save(db, result, run_id=context.run.run_id)
    summary = {k: v for k, v in result.summary.items() if k != "model"}
    context.log.info(f"linked {summary['records']:,} records into {summary['employers']:,} employers")
    return dg.MaterializeResult(
        metadata={
            "row_count": summary["records"],
            **summary,
            "ids_merged": len(result.merged_into),
            "model": dg.MetadataValue.json(result.summary.get("model", {})),
        }
    )


default_assets = [int_employer_links]

__all__ = ["default_assets", "int_employer_links"]
