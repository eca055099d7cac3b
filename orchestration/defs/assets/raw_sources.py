"""Extract-load assets, built per source table by one factory:

``file_<source>__<kind>``  acquire the published file(s) into the immutable raw archive;
``parsed_<source>__<table>``  parse them to the canonical table, staged as Parquet (gated by a
blocking check, see asset_checks.py);
``raw_<source>__<table>``  load the accepted Parquet into the build database's ``raw`` schema.

Tables published one file per period (H-2A, per fiscal year) are partitioned; a full build runs
every partition in one run (single-run backfill policy). Steps hand over through small files
(warehouse/handoff.py). A file that fails parsing is quarantined with a validation report and the
run stops there, so nothing downstream changes.
"""

from pathlib import Path

import dagster as dg

from expectations.validate import slice_counts
from orchestration.defs.partitions import fiscal_year_partitions
from orchestration.defs.registry import file_asset_name, parsed_asset_name, raw_asset_name, source_group
from orchestration.defs.resources import WarehouseResource
from sources import all_tables
from sources.common.spec import RawTableSpec, SourceSpec
from warehouse.acquire import acquire
from warehouse.audit import record_accepted_load
from warehouse.gate_report import file_entry, reject_unparseable_file
from warehouse.handoff import UNPARTITIONED, load_parsed, load_selection, parsed_path, save_parsed, save_selection
from warehouse.load import ensure_raw_table, merge_raw_table, replace_raw_table
from warehouse.progress import DownloadProgress
from warehouse.stage import FileRejected, stage


def partition_keys(context, table: RawTableSpec) -> list[str]:
    """The partitions this run covers (one, a range, or 'all' for an unpartitioned table)."""
    return list(context.partition_keys) if table.is_partitioned else [UNPARTITIONED]


def input_mode(context, warehouse: WarehouseResource) -> str:
    """Where this run reads files: the drop folder for runs the drop-folder sensor started."""
    return str(warehouse.drop_path()) if context.run.tags.get("warehouse/input") == "drop" else warehouse.input_mode


def load_mode(context, warehouse: WarehouseResource) -> str:
    return context.run.tags.get("warehouse/load_mode") or warehouse.load_mode


def _partitioning(table: RawTableSpec) -> dict:
    if not table.is_partitioned:
        return {}
    return {"partitions_def": fiscal_year_partitions, "backfill_policy": dg.BackfillPolicy.single_run()}


def build_file_asset(spec: SourceSpec, table: RawTableSpec) -> dg.AssetsDefinition:
    @dg.asset(
        name=file_asset_name(spec, table),
        group_name=source_group(spec),
        description=f"{spec.title}: the published file(s) behind {table.contract.table_name}, archived immutably.",
        kinds={"file"},
        metadata={"file_pattern": table.file_pattern, "publisher": spec.publisher, "landing_page": spec.landing_page},
        **_partitioning(table),
    )
    def _file_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        keys = partition_keys(context, table)
        wanted = set(keys)

        progress = DownloadProgress(context.log.info)
        files = acquire(
            spec,
            table,
            mode=input_mode(context, warehouse),
            paths=warehouse.paths(),
            sample_config=warehouse.sample_config(),
            progress=progress,
            mirror=warehouse.download_mirror or None,
            only=(lambda name: table.partition_of(name) in wanted) if table.is_partitioned else None,
        )
        for key in keys:
            chosen = [f for f in files if not table.is_partitioned or table.partition_of(f.filename) == key]
            save_selection(warehouse.paths(), table.contract.table_name, key, chosen)
        if not files:
            context.log.warning(f"no input file for {table.contract.table_name}: its last accepted load is kept")
        return dg.MaterializeResult(
            metadata={
                "files": [f.filename for f in files],
                "sha256": [f.sha256 for f in files],
                "bytes": sum(f.bytes for f in files),
                "urls": [f.url for f in files],
                "input_mode": input_mode(context, warehouse),
            }
        )

    return _file_asset


def build_parsed_asset(spec: SourceSpec, table: RawTableSpec) -> dg.AssetsDefinition:
    name = table.contract.table_name

    @dg.asset(
        name=parsed_asset_name(spec, table),
        group_name=source_group(spec),
        description=f"{name} parsed to its contract and staged as Parquet, not yet accepted.",
        deps=[file_asset_name(spec, table)],
        kinds={"parquet"},
        **_partitioning(table),
    )
    def _parsed_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        paths = warehouse.paths()
        rows, notes = 0, []
        for key in partition_keys(context, table):
            files = load_selection(paths, name, key)
            try:
                parsed = stage(table, files, parsed_path(paths, name, key), partition=key)
            except FileRejected as rejected:
                report = reject_unparseable_file(warehouse.archive(), paths, table, rejected, run_id=context.run.run_id)
                raise dg.Failure(description=report.summary, metadata=report.dagster_metadata()) from rejected.error
            save_parsed(paths, parsed, key)
            rows += parsed.row_count
            notes += list(parsed.notes)
        return dg.MaterializeResult(metadata={"row_count": rows, "notes": notes[:50]})

    return _parsed_asset


def build_raw_asset(spec: SourceSpec, table: RawTableSpec) -> dg.AssetsDefinition:
    name = table.contract.table_name

    @dg.asset(
        name=raw_asset_name(spec, table),
        group_name=source_group(spec),
        description=f"{spec.title}: {table.contract.description}",
        deps=[parsed_asset_name(spec, table)],
        kinds={"duckdb"},
        metadata={"primary_key": list(table.contract.primary_key)},
        **_partitioning(table),
    )
    def _raw_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        db = warehouse.paths().build_db
        loaded, kept = 0, []
        for key in partition_keys(context, table):
            parsed = load_parsed(warehouse.paths(), name, key)
            if not parsed.has_input:
                kept.append(key)
                continue
            parquet = Path(parsed.parquet_path)
            # A partition, or an ingested file, replaces only its own slice; a full build the table.
            if table.is_partitioned or load_mode(context, warehouse) == "merge":
                loaded += merge_raw_table(db, table.contract, parquet, table.replace_key)
            else:
                loaded += replace_raw_table(db, table.contract, parquet)
            record_accepted_load(
                db,
                run_id=context.run.run_id,
                table=name,
                slice_counts=slice_counts(parquet, table.replace_key),
                files=[file_entry(f) for f in parsed.files],
            )
        total = ensure_raw_table(db, table.contract)
        if kept:
            context.log.warning(
                f"{name}: no input file for {kept[:5]}{'...' if len(kept) > 5 else ''}; kept their last load"
            )
        return dg.MaterializeResult(
            metadata={"row_count": total, "rows_loaded": loaded, "load_mode": load_mode(context, warehouse)}
        )

    return _raw_asset


def build_source_assets() -> list[dg.AssetsDefinition]:
    assets: list[dg.AssetsDefinition] = []
    for spec, table in all_tables():
        assets += [build_file_asset(spec, table), build_parsed_asset(spec, table), build_raw_asset(spec, table)]
    return assets


default_assets = build_source_assets()

__all__ = ["build_source_assets", "default_assets", "partition_keys"]
