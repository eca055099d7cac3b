"""Commands that build and load: build, ingest, release, publish."""

from __future__ import annotations

from pathlib import Path

import typer

from sources import SOURCE_MODULES
from warehouse.settings import WarehousePaths
from warehouse_cli.app import (
    EXIT_REJECTED_FILES,
    AcceptRowDropOption,
    EngineOption,
    HomeOption,
    ReasonOption,
    _check_row_drop_options,
    _engine,
    _paths,
    _run,
    _sole_writer,
    _source_named,
    _warehouse_resource,
    app,
    console,
    out,
)
from warehouse_cli.render import (
    _print_damage,
    _print_failure,
    _print_nothing_published,
    _print_published_summary,
    _print_rejections,
    _print_source_status,
    _print_table_outcomes,
    _rejected_in_run,
)

SOURCE_NAMES = ", ".join(SOURCE_MODULES)  # the sources, listed once (sources.SOURCE_MODULES)


def _normalise_source(source: str | None) -> str:
    from warehouse.settings import ARCHIVE_MODE, DOWNLOAD_MODE, SAMPLE_MODE

    if source is None:
        return ARCHIVE_MODE
    if source in (SAMPLE_MODE, DOWNLOAD_MODE):
        return source
    from warehouse.ingest.acquire import recognised_files

    folder = Path(source).expanduser().resolve()
    if not folder.is_dir():
        console.print(f"[red]--source must be 'sample', 'download' or an existing folder; got {source!r}[/red]")
        raise typer.Exit(2)
    if not recognised_files(folder):
        console.print(
            f"[red]{folder} holds no file under a name this warehouse recognises[/red] (see docs/data-sources.md)."
        )
        raise typer.Exit(2)
    return str(folder)


def _only_sources(only: str | None) -> list | None:
    """The sources `--only whd,h2a` names (None: every source); an unknown name is a clear error."""
    from sources import ALL_SOURCES

    if only is None:
        return None
    names = [name.strip() for name in only.split(",") if name.strip()]
    known = [spec.name for spec in ALL_SOURCES]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        console.print(f"[red]--only: unknown source(s) {unknown or [only]}; known: {', '.join(known)}[/red]")
        raise typer.Exit(2)
    return [spec for spec in ALL_SOURCES if spec.name in names]


def _fiscal_years(values: list[str] | None, sources: list | None) -> list[str] | None:
    """The fiscal years `--fiscal-year 2016 --fiscal-year 2018,2019` names, checked against the partitions."""
    from orchestration.defs.partitions import fiscal_year_partitions

    if not values:
        return None
    known = fiscal_year_partitions.get_partition_keys()
    years = sorted({year.strip() for value in values for year in value.split(",") if year.strip()})
    for year in years:
        if year not in known:
            what = (
                "is not a year"
                if not year.isdigit()
                else f"is not an H-2A or H-2B fiscal year ({known[0]}..{known[-1]})"
            )
            console.print(f"[red]--fiscal-year: {year!r} {what}[/red]")
            raise typer.Exit(2)
    if sources is not None and not any(spec.is_partitioned for spec in sources):
        console.print(
            "[red]--fiscal-year picks H-2A and H-2B fiscal years: add h2a or h2b to --only (or leave --only out).[/red]"
        )
        raise typer.Exit(2)
    return years


SourceOption = typer.Option(
    None,
    "--source",
    "-s",
    help="Where the files come from: 'sample' (embedded, offline), 'download' (live), or a folder of "
    "downloaded files. Default: the raw archive (each table's last accepted files) plus new files in the drop folder.",
)


OnlyOption = typer.Option(
    None,
    "--only",
    metavar="SOURCE[,SOURCE]",
    help=f"Rebuild only these sources' raw tables ({SOURCE_NAMES}); the others keep their last "
    "load. dbt and publish still run.",
)


FiscalYearOption = typer.Option(
    None,
    "--fiscal-year",
    metavar="YEAR[,YEAR]",
    help="Rebuild only these H-2A fiscal years (repeatable, or a comma list); other years keep their last load.",
)


ForceOption = typer.Option(
    False, "--force", help="Parse, gate and load every table and rebuild and publish, even what did not change."
)
RelinkOption = typer.Option(
    False,
    "--relink",
    help="Train the employer-linkage model again and predict every pair (a full relink), rebuilding what follows "
    "even if no input changed. Without it, linkage predicts only what new or changed records change.",
)


@app.command()
def build(
    source: str = SourceOption,
    only: str = OnlyOption,
    fiscal_year: list[str] = FiscalYearOption,
    force: bool = ForceOption,
    relink: bool = RelinkOption,
    scale: float = typer.Option(None, "--scale", help="Sample size factor (1 = real size). Default 0.01."),
    accept_row_drop: list[str] = AcceptRowDropOption,
    reason: str = ReasonOption,
    engine: str = EngineOption,
    home: Path = HomeOption,
) -> None:
    """Build the warehouse: acquire, parse, gate, load, dbt build, publish -- skipping what did not change.

    Without --source it rebuilds from the raw archive: each table's last accepted files (so a file
    loaded with `warehouse ingest` stays), plus files new in the drop folder. A table whose files did
    not change is not parsed, gated or loaded again; dbt and publish run only when an input changed.

    Exit codes: 0 built (published, or nothing changed); 3 built and published, but some files were
    rejected (their tables kept their last accepted load, see `warehouse status`); 1 failed, nothing
    new published; 2 a usage error (e.g. nothing to build yet); 4 another build is running.
    """
    from orchestration.defs.partitions import FULL_RANGE_TAGS, fiscal_years_tags
    from orchestration.run import assets_for, definitions_for
    from warehouse.settings import ARCHIVE_MODE, DOWNLOAD_MODE

    paths = _paths(home)
    mode = _normalise_source(source)
    sources = _only_sources(only)
    years = _fiscal_years(fiscal_year, sources)
    _check_row_drop_options(accept_row_drop, reason)
    if mode == DOWNLOAD_MODE:
        _require_reachable_publishers(sources)
    warehouse = _warehouse_resource(
        paths,
        source=mode,
        sample_scale=scale,
        accept_row_drop=list(accept_row_drop or []),
        accept_row_drop_reason=reason,
        force=force,
        relink=relink,
        engine=_engine(engine),
    )
    with _sole_writer(paths, "build"):
        if mode == ARCHIVE_MODE:
            _require_archive_inputs(paths, warehouse.drop_path())
        _print_damage(paths, then="this build publishes a new version from the build database")
        console.print(f"[bold]Building the warehouse[/bold] from {_source_label(mode, warehouse)} into {paths.home}")
        defs = definitions_for(warehouse)
        tags = fiscal_years_tags(years) if years else FULL_RANGE_TAGS
        _finish_build(paths, _run(defs, paths, assets=assets_for(defs, sources, years), tags=tags))


def _source_label(mode: str, warehouse) -> str:
    from warehouse.settings import ARCHIVE_MODE

    if mode == ARCHIVE_MODE:
        return f"the raw archive (each table's last accepted files) and new files in {warehouse.drop_path()}"
    return mode


def _require_archive_inputs(paths: WarehousePaths, drop_folder: Path) -> None:
    """A plain build on an empty archive says there is nothing to build, and how to start."""
    from warehouse.ingest.acquire import archive_has_inputs

    if archive_has_inputs(paths, drop_folder):
        return
    console.print(
        f"[red]Nothing to build: the raw archive ({paths.raw_archive}) holds no accepted file yet and the drop "
        f"folder ({drop_folder}) no new one.[/red] Start with one of:\n"
        "  warehouse build --source sample      the embedded sample (offline)\n"
        "  warehouse build --source download    the real files from DOL and BLS\n"
        "  warehouse build --source DIR         a folder of files you downloaded, under their published names"
    )
    raise typer.Exit(2)


def _require_reachable_publishers(sources: list | None) -> None:
    """A download build stops before it starts when a publisher cannot be connected to: one line per
    source, and what to do instead (no retries for minutes, nothing touched)."""
    from sources import ALL_SOURCES
    from warehouse.ingest.acquire import OFFLINE_HINT, unreachable_publishers
    from warehouse.settings import download_mirror_from_env

    try:
        mirror = download_mirror_from_env() or None
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    problems = unreachable_publishers(sources or ALL_SOURCES, mirror=mirror)
    if not problems:
        return
    console.print(
        "[red bold]Cannot download[/red bold]: nothing was fetched or built; the published warehouse is unchanged."
    )
    for problem in problems.values():
        console.print(f"[red]✗[/red] {problem}")
    console.print(OFFLINE_HINT)
    raise typer.Exit(1)


def _finish_build(paths: WarehousePaths, outcome, succeeded: str = "Build succeeded") -> None:
    """Say what the run did (per table, rejected, published or nothing changed), alert, and exit."""
    if not outcome.success:
        _print_failure(outcome, paths)
        _alert(paths, outcome)
        raise typer.Exit(1)
    _print_table_outcomes(outcome)
    rejected = _rejected_in_run(paths.build_db, outcome.run_id)
    if rejected:
        console.print(
            f"[yellow bold]Built with {len(rejected)} rejected load(s)[/yellow bold] in {outcome.seconds:.0f}s "
            f"(run {outcome.run_id}); each table below kept its last accepted load:"
        )
        _print_rejections(rejected)
    elif outcome.published:
        console.print(f"[green]{succeeded}[/green] in {outcome.seconds:.0f}s (run {outcome.run_id}).")
    if outcome.published:
        _print_published_summary(paths)
    else:
        _print_nothing_published(paths)
    _print_source_status(paths.published_db if outcome.published else paths.build_db)
    _alert(paths, outcome)
    if rejected:
        raise typer.Exit(EXIT_REJECTED_FILES)


def _alert(paths: WarehousePaths, outcome) -> None:
    """Alert on the run (warehouse.operations.alerts, the same path as the sensors'); a webhook problem is a warning."""
    from warehouse.operations.alerts import alert_on_run

    alert = alert_on_run(
        paths,
        run_id=outcome.run_id,
        launched_by="cli",
        started_at=outcome.started_at,
        finished_at=outcome.finished_at,
        build_seconds=outcome.seconds,
        failed_steps=outcome.failed_steps if not outcome.success else [],
    )
    if alert.problem:
        console.print(f"[yellow]warning: {alert.message}[/yellow]")
    elif alert.sent:
        console.print(alert.message)


@app.command()
def ingest(
    source_name: str = typer.Argument(..., metavar="SOURCE", help=f"Source name: {SOURCE_NAMES}."),
    file: Path = typer.Option(
        ..., "--file", "-f", exists=True, dir_okay=False, help="The file, under any name: its contents tell its layout."
    ),
    accept_row_drop: list[str] = AcceptRowDropOption,
    reason: str = ReasonOption,
    home: Path = HomeOption,
) -> None:
    """Load one file through parse and gates into the build database; report rows or failures.

    The file is recognised by its contents (header, sheet and PDF headings), so any file name works;
    H-2A files go to the fiscal year their sheet name, file name or decision dates give. A plain
    `warehouse build` afterwards keeps it: it rebuilds from each table's last accepted files.
    """
    from warehouse.ingest.changes import UNCHANGED

    paths = _paths(home)
    spec = _source_named(source_name)
    _check_row_drop_options(accept_row_drop, reason)
    _check_regular_file(file)
    _check_archivable_name(file)
    table = _table_for(spec, file)
    partition = _partition_of(table, file)
    console.print(f"{file.name}: {table.contract.table_name}" + (f", fiscal year {partition}" if partition else ""))
    warehouse = _warehouse_resource(
        paths,
        source=str(file),
        load_mode="merge",
        accept_row_drop=list(accept_row_drop or []),
        accept_row_drop_reason=reason,
    )
    with _sole_writer(paths, "ingest"):
        result = _load_one_file(paths, warehouse, spec, table, file, partition)
        status, rows = result.table_outcome(table.contract.table_name)
        if status == UNCHANGED:
            out.print(f"{file.name} is already loaded in raw.{table.contract.table_name} (same sha256): {UNCHANGED}.")
            return
        rejected = _rejected_in_run(paths.build_db, result.run_id)
        if rejected:
            console.print(
                f"[red bold]Rejected[/red bold] {file.name}: nothing was loaded; the table keeps its last load."
            )
            _print_rejections(rejected)
            raise typer.Exit(1)
        where = f"raw.{table.contract.table_name} ({paths.build_db})"
        out.print(f"[green]Loaded[/green] {rows:,} rows from {file.name} into {where}.")
        out.print("Run `warehouse build` to rebuild the marts and publish (it keeps this file).")


def _check_regular_file(file: Path) -> None:
    """Only a regular file is read: a FIFO would hang and a device (/dev/zero) never end."""
    if not file.is_file():
        console.print(
            f"[red]{file} is not a regular file (a pipe, a device or a socket): save it to a file first.[/red]"
        )
        raise typer.Exit(2)


def _check_archivable_name(file: Path) -> None:
    """The raw archive keeps a file under its own name: refuse now a name it cannot take (hidden, manifest.json)."""
    from sources.common.archive import UnsafeNameError, check_plain_name

    try:
        check_plain_name(file.name, what="file name")
    except UnsafeNameError as error:
        console.print(f"[red]{error}: rename the file (e.g. a copy) and ingest that.[/red]")
        raise typer.Exit(2) from error


def _load_one_file(paths: WarehousePaths, warehouse, spec, table, file: Path, partition: str | None):
    """Run one table's file -> parsed -> raw assets on this one file (its partition only); a failed run exits 1."""
    from orchestration.defs.registry import extract_load_asset_names
    from orchestration.run import definitions_for
    from orchestration.tags import INGEST_PATH_TAG

    result = _run(
        definitions_for(warehouse),
        paths,
        assets=extract_load_asset_names(spec, table),
        tags={INGEST_PATH_TAG: str(Path(file).resolve())},
        partition_key=partition,
    )
    if not result.success:
        _print_failure(result, paths)
        raise typer.Exit(1)
    return result


@app.command()
def release(
    file: str = typer.Argument(
        ...,
        metavar="FILE",
        help="The quarantined file: its name, source/version/name as `warehouse status` lists it, its path in the "
        "raw archive, or the start of its sha256.",
    ),
    accept_row_drop: list[str] = AcceptRowDropOption,
    reason: str = ReasonOption,
    home: Path = HomeOption,
) -> None:
    """Take a quarantined file back once what rejected it is fixed: gate it again and load it if it passes.

    The same bytes are gated again (with today's rules and layouts; --accept-row-drop for a legitimate
    drop in rows). A file that passes is loaded into its table (H-2A: its fiscal year); who released it,
    when, and the rejection and report that had quarantined it go to audit.quarantine_releases, and the
    report stays beside the file as RELEASED.json. A corrected copy with other bytes is a new file:
    `warehouse ingest` it.
    """
    paths = _paths(home)
    _check_row_drop_options(accept_row_drop, reason)
    with _sole_writer(paths, "release"):
        _release(paths, file, accept_row_drop, reason)


def _release(paths: WarehousePaths, file: str, accept_row_drop: list[str] | None, reason: str) -> None:
    archived = _quarantined_file(paths, file)
    spec = _source_named(archived.source)
    report = archived.quarantine_report()
    table = next((t for t in spec.tables if t.contract.table_name == report.get("table")), None) or _table_for(
        spec, Path(archived.path)
    )
    partition = report.get("partition") if table.is_partitioned else None
    where = table.contract.table_name + (f" [{partition}]" if partition else "")
    console.print(f"Releasing {archived.source}/{archived.version}/{archived.filename} ({where}): gating it again")
    warehouse = _warehouse_resource(
        paths,
        source=archived.path,
        load_mode="merge",
        accept_row_drop=list(accept_row_drop or []),
        accept_row_drop_reason=reason,
    )
    result = _load_one_file(paths, warehouse, spec, table, Path(archived.path), partition)
    rejected = _rejected_in_run(paths.build_db, result.run_id)
    if rejected:
        console.print(f"[red bold]{archived.filename} still fails its gate[/red bold]: it stays quarantined.")
        _print_rejections(rejected)
        raise typer.Exit(1)
    _, rows = result.table_outcome(table.contract.table_name)
    out.print(
        f"[green]Released[/green] {archived.filename}: {rows:,} rows loaded into raw.{where}. Its quarantine report "
        f"stays in audit.quarantine_releases and beside it ({archived.folder / 'RELEASED.json'})."
    )
    out.print("Run `warehouse publish` (or `warehouse build`) to rebuild the marts and publish.")


def _quarantined_file(paths: WarehousePaths, wanted: str):
    """The one quarantined archived file `wanted` names (name, source/version/name, path or sha256 start)."""
    from sources import ALL_SOURCES
    from sources.common.archive import RawArchive

    archive = RawArchive(paths.raw_archive)
    archived = [f for spec in ALL_SOURCES for f in archive.files(spec.name)]
    matches = [f for f in archived if _names(f, wanted)]
    quarantined = [f for f in matches if f.is_quarantined]
    if len(quarantined) == 1:
        return quarantined[0]
    if len(quarantined) > 1:
        listed = ", ".join(f"{f.source}/{f.version}/{f.filename}" for f in quarantined)
        console.print(
            f"[red]{wanted!r} names {len(quarantined)} quarantined files ({listed}): give source/version/name.[/red]"
        )
    elif matches:
        console.print(f"[red]{wanted!r} is not quarantined: it was accepted or released already.[/red]")
    else:
        listed = ", ".join(f"{f.source}/{f.version}/{f.filename}" for f in archived if f.is_quarantined) or "none"
        console.print(f"[red]No archived file matches {wanted!r}; quarantined files: {listed}.[/red]")
    raise typer.Exit(2)


def _names(archived, wanted: str) -> bool:
    if wanted in (archived.filename, f"{archived.source}/{archived.version}/{archived.filename}", archived.path):
        return True
    if len(wanted) >= 8 and archived.sha256.startswith(wanted.lower()):
        return True
    return Path(wanted).expanduser().resolve() == Path(archived.path)


@app.command()
def publish(engine: str = EngineOption, home: Path = HomeOption) -> None:
    """Publish the build database as it is: rebuild the dbt models and linkage from its raw tables, then
    publish a new version -- without fetching, parsing or loading anything (e.g. after a rollback, a
    release or a manual fix). dbt always runs: a fix may be anywhere in the build database.

    Exit codes: 0 published; 1 failed (e.g. a dbt test), nothing new published; 2 nothing to publish.
    """
    from orchestration.defs.registry import is_extract_load_asset
    from orchestration.run import all_asset_names, definitions_for
    from warehouse.quality.audit import source_status
    from warehouse.settings import ARCHIVE_MODE

    paths = _paths(home)
    with _sole_writer(paths, "publish"):
        if not source_status(paths.build_db):
            console.print(
                f"[red]Nothing to publish: {paths.build_db} holds no loaded table yet; run `warehouse build`.[/red]"
            )
            raise typer.Exit(2)
        _print_damage(paths, then="publishing a new version from the build database")
        warehouse = _warehouse_resource(paths, source=ARCHIVE_MODE, force=True, engine=_engine(engine))
        defs = definitions_for(warehouse)
        console.print(f"[bold]Publishing[/bold] the build database {paths.build_db}")
        assets = [name for name in all_asset_names(defs) if not is_extract_load_asset(name)]
        _finish_build(paths, _run(defs, paths, assets=assets), succeeded="Published")


def _table_for(spec, file: Path):
    """The table a file belongs to: by its contents first, then by its published name.

    A file neither recognises is tried with each table's parser, so the error names the closest
    layout with its missing and extra columns.
    """
    recognised = [t for t in spec.tables if t.recognise and t.recognise(file)]
    named = [t for t in spec.tables if t.matches(file.name)]
    if recognised or named or len(spec.tables) == 1:
        return (recognised or named or list(spec.tables))[0]
    errors = {}
    for table in spec.tables:
        try:
            table.parse_file(file, file=file.name, sha256="-")
        except Exception as error:
            errors[table.contract.table_name] = error
    kinds = {str(e) for e in errors.values() if getattr(e, "rule", None) == "file_kind"}
    if len(kinds) == 1:  # a file of another kind: one line saying what it is and what to do
        console.print(kinds.pop(), style="red", markup=False)
        raise typer.Exit(1)
    console.print(f"[red]{file.name} has no layout of the {spec.name} tables:[/red]")
    for name, error in errors.items():
        console.print(f"  {name}: {error}")
    raise typer.Exit(1)


def _partition_of(table, file: Path) -> str | None:
    """The partition a file loads into: its fiscal year for H-2A, none for whole-table files."""
    from orchestration.defs.partitions import fiscal_year_partitions
    from sources.common.errors import ParseError

    if not table.is_partitioned:
        return None
    try:
        key = table.partition_of(file)
    except ParseError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    known = fiscal_year_partitions.get_partition_keys()
    if key not in known:
        console.print(f"[red]{file.name}: fiscal year {key} is outside the partitions {known[0]}..{known[-1]}[/red]")
        raise typer.Exit(2)
    return key
