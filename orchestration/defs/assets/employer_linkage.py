"""The employer-linkage asset, between the dbt intermediate layer and the marts.

Reads `intermediate.int_employer_records` and the analysts' overrides seed, links the records into
employers (warehouse/linkage: splink on DuckDB, stable ids) and writes `linkage.int_employer_links`,
which the dbt marts read as a source (same asset key), so the lineage stays one graph.

On the Spark engine it reads both from the files dbt built on Spark, predicts on splink's Spark backend
and writes the links to the lake as well (`lake/linkage/`), where the Spark marts read them
(warehouse/spark.py). The stable-id memory stays in the build database either way.

On DuckDB a build whose stored linkage model is still current links incrementally: only the pairs that new
or changed records can change are predicted (warehouse/linkage/incremental.py); `warehouse build --relink`
trains again and predicts every pair. The Spark engine always relinks in full, and says so in the metadata.
"""

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from warehouse.settings import SPARK, TEMP_SUFFIX

if TYPE_CHECKING:
    from warehouse.linkage import Previous

LINKAGE_GROUP = "intermediate"


@dg.asset(
    name="int_employer_links",
    group_name=LINKAGE_GROUP,
    deps=["int_employer_records", "int_filing_agents", "ref_employer_link_overrides"],
    kinds={"python", "duckdb", "spark"},
    description="Every employer record of every source -> one employer (splink probabilistic linkage, "
    "analysts' overrides applied, employer ids stable across rebuilds).",
)
def int_employer_links(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Link employer records across sources into employers with stable ids."""
    # Imported here: linkage (scipy, splink) is loaded only by a build that links, not by every start-up.
    from warehouse.linkage import link_records
    from warehouse.linkage.store import previous_ids, read_known, read_overrides, records_into, save

    paths = warehouse.paths()
    db = paths.build_db
    previous, next_number = previous_ids(db)
    # What linkage hands to `save` (its profiles and pairs: gigabytes at scale) waits in a folder under build/,
    # removed after saving, or by the next build's clean-up if this one is killed (warehouse/operations).
    with tempfile.TemporaryDirectory(prefix="linkage-", suffix=TEMP_SUFFIX, dir=paths.build_dir) as scratch:
        if warehouse.engine == SPARK:
            result = _link_on_spark(warehouse, previous, next_number, Path(scratch))
        else:
            result = link_records(
                records_into(db),
                previous=previous,
                next_number=next_number,
                overrides=read_overrides(db),
                known=read_known(db),
                relink=warehouse.relink,
                scratch=Path(scratch),
            )
        save(db, result, run_id=context.run.run_id)
    summary = {k: v for k, v in result.summary.items() if k != "model"}
    context.log.info(
        f"linked {summary['records']:,} records into {summary['employers']:,} employers "
        f"({summary['mode']}: {summary['mode_reason']})"
    )
    return dg.MaterializeResult(
        metadata={
            "row_count": summary["records"],
            **summary,
            "ids_merged": len(result.merged_into),
            "model": dg.MetadataValue.json(result.summary.get("model", {})),
        }
    )


def _link_on_spark(warehouse: WarehouseResource, previous: "Previous", next_number: int, scratch: Path):
    from warehouse import spark
    from warehouse.linkage import link_records
    from warehouse.linkage.store import overrides_from, with_agents

    paths = warehouse.paths()
    records = with_agents(
        spark.read_table(paths, "intermediate", "int_employer_records"),
        spark.read_table(paths, "intermediate", "int_filing_agents"),
    )
    overrides = overrides_from(spark.read_table(paths, "reference", "ref_employer_link_overrides"))
    with spark.session(paths) as session:
        result = link_records(
            records, previous=previous, next_number=next_number, overrides=overrides, spark=session, scratch=scratch
        )
    spark.write_links(paths, result.links)
    return result


default_assets = [int_employer_links]

__all__ = ["default_assets", "int_employer_links"]
