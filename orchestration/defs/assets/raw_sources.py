"""Extract-load assets, built per source table by one factory:

``file_<source>__<kind>``  acquire the published file(s) into the immutable raw archive;
``parsed_<source>__<table>``  parse them to the canonical table, staged as Parquet (gated by
blocking checks, see asset_checks.py);
``raw_<source>__<table>``  load the accepted Parquet into the build database's ``raw`` schema.

A file that fails parsing is quarantined in the archive with a validation report and the run
fails there, so nothing downstream changes.
"""

import dagster as dg

from expectations.validate import slice_counts
from orchestration.defs.registry import file_asset_name, parsed_asset_name, raw_asset_name, source_group
from orchestration.defs.resources import WarehouseResource
from sources import all_tables
from sources.common.archive import ArchivedFile
from sources.common.spec import RawTableSpec, SourceSpec
from warehouse.acquire import acquire
from warehouse.audit import record_accepted_load
from warehouse.gate_report import file_entry, reject_unparseable_file
from warehouse.load import ensure_raw_table, merge_raw_table, replace_raw_table
from warehouse.stage import FileRejected, ParsedTable, stage


def build_file_asset(spec: SourceSpec, table: RawTableSpec) -> dg.AssetsDefinition:
    @dg.asset(
        name=file_asset_name(spec, table),
        group_name=source_group(spec),
        description=f"{spec.title}: the published file(s) behind {table.contract.table_name}, archived immutably.",
        kinds={"file"},
        metadata={"file_pattern": table.file_pattern, "publisher": spec.publisher, "landing_page": spec.landing_page},
    )
    def _file_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> list[ArchivedFile]:
        def progress(name: str, done: int, total: int | None) -> None:
            if total and done == total:
                context.log.info(f"downloaded {name}: {done:,} bytes")

        files = acquire(
            spec,
            table,
            mode=warehouse.input_mode,
            paths=warehouse.paths(),
            sample_config=warehouse.sample_config(),
            progress=progress,
            mirror=warehouse.download_mirror or None,
        )
        context.add_output_metadata(
            {
                "files": [f.filename for f in files],
                "sha256": [f.sha256 for f in files],
                "bytes": sum(f.bytes for f in files),
                "urls": [f.url for f in files],
                "input_mode": warehouse.input_mode,
            }
        )
        return files

    return _file_asset


def build_parsed_asset(spec: SourceSpec, table: RawTableSpec) -> dg.AssetsDefinition:
    @dg.asset(
        name=parsed_asset_name(spec, table),
        group_name=source_group(spec),
        description=f"{table.contract.table_name} parsed to its contract and staged as Parquet, not yet accepted.",
        ins={"files": dg.AssetIn(file_asset_name(spec, table))},
        kinds={"parquet"},
    )
    def _parsed_asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, files: list[ArchivedFile]
    ) -> ParsedTable:
        try:
            parsed = stage(table, files, warehouse.paths().parsed_dir)
        except FileRejected as rejected:
            report = reject_unparseable_file(
                warehouse.archive(), warehouse.paths(), table, rejected, run_id=context.run_id
            )
            raise dg.Failure(description=report.summary, metadata=report.dagster_metadata()) from rejected.error
        context.add_output_metadata(parsed.to_metadata())
        return parsed

    return _parsed_asset


def build_raw_asset(spec: SourceSpec, table: RawTableSpec) -> dg.AssetsDefinition:
    @dg.asset(
        name=raw_asset_name(spec, table),
        group_name=source_group(spec),
        description=f"{spec.title}: {table.contract.description}",
        ins={"parsed": dg.AssetIn(parsed_asset_name(spec, table))},
        kinds={"duckdb"},
        metadata={"primary_key": list(table.contract.primary_key)},
    )
    def _raw_asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, parsed: ParsedTable
    ) -> dg.MaterializeResult:
        from pathlib import Path

        db = warehouse.paths().build_db
        if not parsed.has_input:
            rows = ensure_raw_table(db, table.contract)
            context.log.warning(
                f"{table.contract.table_name}: no input file this run; kept {rows:,} rows of the last accepted load"
            )
            return dg.MaterializeResult(metadata={"row_count": rows, "files": [], "load_mode": "unchanged"})
        parquet = Path(parsed.parquet_path)
        if warehouse.load_mode == "merge":
            rows = merge_raw_table(db, table.contract, parquet, table.replace_key)
        else:
            rows = replace_raw_table(db, table.contract, parquet)
        record_accepted_load(
            db,
            run_id=context.run_id,
            table=table.contract.table_name,
            slice_counts=slice_counts(parquet, table.replace_key),
            files=[file_entry(f) for f in parsed.files],
        )
        return dg.MaterializeResult(
            metadata={"row_count": rows, "files": [f.filename for f in parsed.files], "load_mode": warehouse.load_mode}
        )

    return _raw_asset


def build_source_assets() -> list[dg.AssetsDefinition]:
    assets: list[dg.AssetsDefinition] = []
    for spec, table in all_tables():
        assets += [build_file_asset(spec, table), build_parsed_asset(spec, table), build_raw_asset(spec, table)]
    return assets


default_assets = build_source_assets()

__all__ = ["build_source_assets", "default_assets"]
