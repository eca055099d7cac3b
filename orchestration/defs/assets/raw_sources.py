"""Extract-load assets, built per source table by one factory:

``file_<source>__<kind>``  acquire the published file(s) into the immutable raw archive;
``parsed_<source>__<table>``  parse them to the canonical table, staged as Parquet;
``raw_<source>__<table>``  gate the staged table (its ``gate`` check, see asset_checks.py) and load it
into the build database's ``raw`` schema only if no `error` rule failed, and write the accepted
table to the Parquet lake (``lake/<source>/<table>/``, warehouse/ingest/lake.py) that other engines read.

Tables published one file per period (H-2A, per fiscal year) are partitioned; a full build runs
every partition in one run (single-run backfill policy). Steps hand over through small files
(warehouse/ingest/handoff.py). A file that fails parsing or its gate is quarantined with its own validation
report and costs only its own table (partition): that table keeps its last accepted load, marked
stale in ``audit.source_status``, while every other table loads and dbt and publish still run.
A table (partition) whose files did not change is not parsed, gated or loaded again
(warehouse/ingest/changes.py), unless the run is forced.
"""

from pathlib import Path

import dagster as dg

from orchestration.defs.asset_checks import GATE, gate_description, gate_result
from orchestration.defs.partitions import fiscal_year_partitions, run_partition_keys
from orchestration.defs.registry import file_asset_name, parsed_asset_name, raw_asset_name, source_group
from orchestration.defs.resources import WarehouseResource
from orchestration.tags import DROP, INGEST_PATH_TAG, INPUT_TAG, LOAD_MODE_TAG
from sources import all_tables
from sources.common.spec import RawTableSpec, SourceSpec
from warehouse.ingest.acquire import FilePartitions, acquire, acquire_file
from warehouse.ingest.changes import is_reload, skip_verdict
from warehouse.ingest.handoff import (
    UNPARTITIONED,
    load_parsed,
    load_selection,
    parsed_path,
    save_parsed,
    save_selection,
)
from warehouse.ingest.lake import lake_table_dir, write_raw_table
from warehouse.ingest.load import ensure_raw_table
from warehouse.ingest.progress import DownloadProgress
from warehouse.ingest.stage import FilesRejected, rejected_table, stage, unchanged_table
from warehouse.quality.audit import table_status
from warehouse.quality.gate import KEPT, LOADED, REJECTED, LoadOutcome, gate_and_load_partitions
from warehouse.quality.validation_report import reject_unparseable_files
from warehouse.settings import ARCHIVE_MODE


def partition_keys(context, table: RawTableSpec) -> list[str]:
    """The partitions this run covers (one, a range, some fiscal years, or 'all' for an unpartitioned table)."""
    return run_partition_keys(context) if table.is_partitioned else [UNPARTITIONED]


def input_mode(context, warehouse: WarehouseResource) -> str:
    """Where this run reads files: one file (`warehouse ingest`, `release`), the drop folder (runs the
    drop-folder sensor started), or the resource's input mode."""
    if INGEST_PATH_TAG in context.run.tags:
        return context.run.tags[INGEST_PATH_TAG]
    return str(warehouse.drop_path()) if context.run.tags.get(INPUT_TAG) == DROP else warehouse.input_mode


def _acquire(
    context,
    spec: SourceSpec,
    table: RawTableSpec,
    warehouse: WarehouseResource,
    wanted: set[str],
    partitions: FilePartitions | None,
):
    ingest_path = context.run.tags.get(INGEST_PATH_TAG)
    if ingest_path:
        return acquire_file(spec, Path(ingest_path), paths=warehouse.paths())
    return acquire(
        spec,
        table,
        mode=input_mode(context, warehouse),
        paths=warehouse.paths(),
        sample_config=warehouse.sample_config(),
        progress=DownloadProgress(context.log.info),
        mirror=warehouse.download_mirror or None,
        only=(lambda path: partitions.of(path) in wanted) if partitions else None,
        drop_folder=warehouse.drop_path(),
    )


def load_mode(context, warehouse: WarehouseResource) -> str:
    """A rebuild from the archive merges: a new dropped file replaces only the slices it carries."""
    if context.run.tags.get(LOAD_MODE_TAG):
        return context.run.tags[LOAD_MODE_TAG]
    return "merge" if input_mode(context, warehouse) == ARCHIVE_MODE else warehouse.load_mode


def merges(context, table: RawTableSpec, warehouse: WarehouseResource) -> bool:
    """Does a load replace only the slices its files carry (a partition always), not the whole table?"""
    return table.is_partitioned or load_mode(context, warehouse) == "merge"


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
        partitions = (
            FilePartitions(table, warehouse.paths(), recorded=not warehouse.force) if table.is_partitioned else None
        )
        files = _acquire(context, spec, table, warehouse, set(keys), partitions)
        partition = {f.path: partitions.of(Path(f.path), f.sha256) for f in files} if partitions else {}
        for key in keys:
            chosen = [f for f in files if not table.is_partitioned or partition[f.path] == key]
            save_selection(warehouse.paths(), table.contract.table_name, key, chosen)
        if not files:
            context.log.warning(
                f"no input file for {table.contract.table_name} (names matching {table.file_pattern!r}): "
                "its last accepted load is kept"
            )
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
        description=f"{name} parsed to its contract and staged as Parquet, not yet accepted. A file that "
        "cannot be parsed is quarantined with its own report; its table keeps its last accepted load.",
        deps=[file_asset_name(spec, table)],
        kinds={"parquet"},
        **_partitioning(table),
    )
    def _parsed_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        paths = warehouse.paths()
        rows, notes, rejected, unchanged = 0, [], [], []
        statuses = table_status(paths.build_db, name)  # read once: parsing records no status
        for key in partition_keys(context, table):
            parsed = _parse_partition(context, spec, table, warehouse, key, statuses.get(key))
            save_parsed(paths, parsed, key)
            rows += parsed.row_count
            notes += list(parsed.notes)
            rejected += [f["filename"] for r in parsed.rejections for f in r["files"]]
            unchanged += [key] if parsed.unchanged else []
        return dg.MaterializeResult(
            metadata={"row_count": rows, "rejected_files": rejected, "unchanged": unchanged, "notes": notes[:50]}
        )

    return _parsed_asset


def _parse_partition(
    context, spec: SourceSpec, table: RawTableSpec, warehouse: WarehouseResource, key: str, status: dict | None
):
    """Parse one partition's selected files to Parquet, unless they did not change since the last run
    (`status`: the slice's row of audit.source_status, None when it was never loaded)."""
    paths = warehouse.paths()
    name = table.contract.table_name
    files = load_selection(paths, name, key)
    sha256s = [f.sha256 for f in files]
    reload = is_reload(status, sha256s, from_archive=input_mode(context, warehouse) == ARCHIVE_MODE)
    merge = merges(context, table, warehouse)
    single_file = INGEST_PATH_TAG in context.run.tags  # `ingest`, `release`: gate it, also if rejected before
    verdict = (
        None
        if warehouse.force
        else skip_verdict(status, sha256s, merge=merge, reload=reload, regate_rejected=single_file)
    )
    if verdict:
        return unchanged_table(table, files, key, verdict)
    try:
        target = parsed_path(paths, name, key)
        return stage(table, files, target, partition=key, reload=reload, sheets=paths.sheets_dir(name))
    except FilesRejected as error:
        reports = reject_unparseable_files(
            warehouse.archive(), paths, table, error.rejected, run_id=context.run.run_id, partition=key
        )
        return rejected_table(table, files, [r.to_dict() for r in reports], key)


def build_raw_asset(spec: SourceSpec, table: RawTableSpec) -> dg.AssetsDefinition:
    name = table.contract.table_name
    key = dg.AssetKey(raw_asset_name(spec, table))

    @dg.asset(
        name=raw_asset_name(spec, table),
        group_name=source_group(spec),
        description=f"{spec.title}: {table.contract.description}",
        deps=[parsed_asset_name(spec, table)],
        kinds={"duckdb"},
        metadata={"primary_key": list(table.contract.primary_key)},
        check_specs=[dg.AssetCheckSpec(GATE, asset=key, description=gate_description(spec, table))],
        **_partitioning(table),
    )
    def _raw_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        merge = merges(context, table, warehouse)
        outcomes = []
        staged = [load_parsed(warehouse.paths(), name, partition) for partition in partition_keys(context, table)]
        run_id = context.run.run_id
        for outcome in gate_and_load_partitions(spec, table, staged, warehouse=warehouse, run_id=run_id, merge=merge):
            _log_outcome(context, outcome)
            outcomes.append(outcome)
        total = ensure_raw_table(warehouse.paths().build_db, table.contract)
        _write_lake(warehouse, table, outcomes)
        yield dg.MaterializeResult(metadata=raw_metadata(outcomes, total, load_mode(context, warehouse)))
        yield gate_result(key, outcomes)

    return _raw_asset


def _write_lake(warehouse: WarehouseResource, table: RawTableSpec, outcomes: list[LoadOutcome]) -> None:
    """The lake mirrors the raw table: rewritten when a load changed it (or the lake lacks it)."""
    paths = warehouse.paths()
    if any(o.status == LOADED for o in outcomes) or not lake_table_dir(paths, table.contract.table_name).exists():
        partition_column = table.replace_key[0] if table.is_partitioned else None
        write_raw_table(paths, table.contract, partition_column)


def _log_outcome(context, outcome: LoadOutcome) -> None:
    """Rejections at error level (shown at the terminal); warnings at info (in the UI and the audit)."""
    for report in outcome.reports:
        if report.errors:
            context.log.error(report.summary)
        elif report.warnings:
            context.log.info(report.summary)


def raw_metadata(outcomes: list[LoadOutcome], total: int, mode: str) -> dict:
    """What a raw asset's materialization says: rows now in the table, rows loaded, what was kept and why,
    and each partition's outcome (`outcomes`: the CLI prints one line per table from it)."""
    kept = [o.partition for o in outcomes if o.status in KEPT]
    rejected = {
        o.partition: [f["filename"] for r in o.reports for f in r.files] for o in outcomes if o.status == REJECTED
    }
    return {
        "row_count": total,
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "gate_seconds": round(sum(o.gate_seconds for o in outcomes), 3),
        "gx_setup_seconds": round(sum(o.gx_setup_seconds for o in outcomes), 3),
        "load_mode": mode,
        "status": "stale: rejected " + ", ".join(f for files in rejected.values() for f in files)
        if rejected
        else "fresh",
        "rejected": dg.MetadataValue.json(rejected),
        "kept_last_load": kept[:50],
        "outcomes": dg.MetadataValue.json({o.partition: [o.status, o.rows_loaded] for o in outcomes}),
        **_difference(outcomes),
    }


def _difference(outcomes: list[LoadOutcome]) -> dict:
    """Loaded by content difference (WHD): rows new, changed, gone and kept."""
    differences = {o.partition: o.difference for o in outcomes if o.difference}
    return {"difference": dg.MetadataValue.json(differences)} if differences else {}


def build_source_assets() -> list[dg.AssetsDefinition]:
    assets: list[dg.AssetsDefinition] = []
    for spec, table in all_tables():
        assets += [build_file_asset(spec, table), build_parsed_asset(spec, table), build_raw_asset(spec, table)]
    return assets


default_assets = build_source_assets()

__all__ = ["INGEST_PATH_TAG", "build_source_assets", "default_assets", "partition_keys"]
