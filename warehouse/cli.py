"""`warehouse`: the command line for data engineers and analysts.

    warehouse build [--source sample|download|DIR]   run the Dagster build job in-process: by default from
      [--only SOURCE] [--fiscal-year N] [--force]    the raw archive, skipping what did not change;
      [--engine duckdb|spark]                        dbt and linkage on DuckDB (default) or a local Spark
    warehouse publish [--engine duckdb|spark]        dbt and publish on the build database as it is
    warehouse ingest SOURCE --file PATH              parse, gate and load one file
    warehouse release FILE                           gate a quarantined file again; load it if it passes
    warehouse query "SQL" | --sql-file PATH          read-only SQL on the published warehouse
    warehouse tables | describe TABLE | search WORD  what the published warehouse holds
    warehouse shell                                  interactive read-only SQL prompt
    warehouse versions | rollback [--to VERSION]     the kept published versions; restore one
    warehouse sample --out DIR [--scale N]           write sample files in their real names
    warehouse status                                 what is published, rejected, quarantined
    warehouse docs [--serve]                         dbt documentation site of the published warehouse
    warehouse report [--output DIR]                  the HTML report for leadership, from the published warehouse
    warehouse contracts [--write]                    regenerate/check files made from contracts

Heavy libraries (Dagster, dbt, Great Expectations) are imported inside commands, so `--help`
and `query` stay fast.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from warehouse.settings import HOME_ENV, WarehousePaths

# We rely on Dagster features it labels beta/preview (partitioned checks, backfill policies) knowingly;
# their warnings would only bury the progress lines.
warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview)")
# Great Expectations imports pyspark when it is installed (the Spark engine), and pyspark warns about
# pandas 3 on import; nothing here runs pandas on Spark (docs/scale-out.md).
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
# When nothing changed the dbt step builds nothing, and Dagster would warn once per dbt test left without a result.
logging.getLogger("dagster._core.execution.plan.active").setLevel(logging.ERROR)

EXIT_REJECTED_FILES = 3  # built and published, but some file was rejected: its table kept its last load
EXIT_BUSY = 4  # another build (or ingest, release, publish, rollback) is writing this warehouse: nothing was done

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Open labor-enforcement data warehouse.")
console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

HomeOption = typer.Option(None, "--home", help=f"Warehouse root (default ${HOME_ENV} or ./data).")
AcceptRowDropOption = typer.Option(
    None,
    "--accept-row-drop",
    metavar="TABLE",
    help="Accept on purpose that TABLE (e.g. raw_whd__compliance_actions) lost many rows since its last load; "
    "recorded with who, when and --reason in audit.row_drop_acceptances. Repeatable.",
)
ReasonOption = typer.Option("", "--reason", help="Why the row drop is legitimate (required with --accept-row-drop).")


def _paths(home: Path | None) -> WarehousePaths:
    paths = _read_paths(home)
    os.environ[HOME_ENV] = str(paths.home)  # one truth for every child process (dbt)
    return paths.ensure()


@contextmanager
def _sole_writer(paths: WarehousePaths, command: str):
    """Hold the home's writer lock while `command` writes the build database or publishes; refuse at once,
    saying who holds it, when another writer runs. A full disk or read-only folder is one clear line."""
    from sources.common.storage import StorageError
    from warehouse.writer_lock import WriterBusyError, writer_lock

    try:
        with writer_lock(paths, f"warehouse {command}"):
            yield
    except WriterBusyError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(EXIT_BUSY) from error
    except StorageError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error


def _warehouse_resource(paths: WarehousePaths, *, source: str, **overrides):
    """The warehouse resource as the environment configures it, for this home and input; a setting
    with a value that cannot be used is a clear error."""
    from orchestration.defs.resources import warehouse_from_env

    try:
        return warehouse_from_env(home=str(paths.home), input_mode=source, operator=getpass.getuser(), **overrides)
    except ValueError as error:  # a setting (environment variable) with a value that cannot be used
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error


def _run(defs, paths: WarehousePaths, **options):
    """Run the build job (orchestration.run) and say where dbt's output went."""
    from orchestration.run import run_build

    outcome = run_build(defs, paths, **options)
    console.print(f"dbt output: {outcome.dbt_log}")
    return outcome


def _check_row_drop_options(accept_row_drop: list[str] | None, reason: str) -> None:
    from sources import all_tables

    known = {table.contract.table_name for _, table in all_tables()}
    unknown = sorted(set(accept_row_drop or []) - known)
    if unknown:
        console.print(f"[red]--accept-row-drop: unknown table(s) {unknown}; known: {sorted(known)}[/red]")
        raise typer.Exit(2)
    if accept_row_drop and not reason.strip():
        console.print("[red]--accept-row-drop needs --reason: say why the drop is legitimate (kept in audit).[/red]")
        raise typer.Exit(2)


def _normalise_source(source: str | None) -> str:
    from warehouse.settings import ARCHIVE_MODE, DOWNLOAD_MODE, SAMPLE_MODE

    if source is None:
        return ARCHIVE_MODE
    if source in (SAMPLE_MODE, DOWNLOAD_MODE):
        return source
    from warehouse.acquire import recognised_files

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
            what = "is not a year" if not year.isdigit() else f"is not an H-2A fiscal year ({known[0]}..{known[-1]})"
            console.print(f"[red]--fiscal-year: {year!r} {what}[/red]")
            raise typer.Exit(2)
    if sources is not None and not any(spec.is_partitioned for spec in sources):
        console.print("[red]--fiscal-year picks H-2A fiscal years: add h2a to --only (or leave --only out).[/red]")
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
    help="Rebuild only these sources' raw tables (whd, h2a, qcew, debarment, mspa); the others keep their last "
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
EngineOption = typer.Option(
    None,
    "--engine",
    help="Where dbt and employer linkage run: duckdb (default, or $WAREHOUSE_ENGINE) or spark (a local Spark "
    "session over the Parquet lake; needs Java 17+). See docs/scale-out.md.",
)


@app.command()
def build(
    source: str = SourceOption,
    only: str = OnlyOption,
    fiscal_year: list[str] = FiscalYearOption,
    force: bool = ForceOption,
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
        engine=_engine(engine),
    )
    with _sole_writer(paths, "build"):
        if mode == ARCHIVE_MODE:
            _require_archive_inputs(paths, warehouse.drop_path())
        console.print(f"[bold]Building the warehouse[/bold] from {_source_label(mode, warehouse)} into {paths.home}")
        defs = definitions_for(warehouse)
        tags = fiscal_years_tags(years) if years else FULL_RANGE_TAGS
        _finish_build(paths, _run(defs, paths, assets=assets_for(defs, sources, years), tags=tags))


def _engine(engine: str | None) -> str | None:
    """--engine, checked (None: $WAREHOUSE_ENGINE or duckdb); Spark needs Java, said before anything runs."""
    import shutil
    import subprocess

    from warehouse.spark import ENGINES, SPARK

    if engine is None:
        return None
    if engine not in ENGINES:
        console.print(f"[red]--engine must be one of {', '.join(ENGINES)}; got {engine!r}[/red]")
        raise typer.Exit(2)
    if engine == SPARK:
        java = shutil.which("java")
        if java is None or subprocess.run([java, "-version"], capture_output=True).returncode != 0:
            console.print(
                "[red]--engine spark needs Java 17 or later (`java -version`), e.g. Debian's "
                "openjdk-17-jre-headless.[/red]"
            )
            raise typer.Exit(2)
    return engine


def _source_label(mode: str, warehouse) -> str:
    from warehouse.settings import ARCHIVE_MODE

    if mode == ARCHIVE_MODE:
        return f"the raw archive (each table's last accepted files) and new files in {warehouse.drop_path()}"
    return mode


def _require_archive_inputs(paths: WarehousePaths, drop_folder: Path) -> None:
    """A plain build on an empty archive says there is nothing to build, and how to start."""
    from warehouse.acquire import archive_has_inputs

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
    from warehouse.acquire import OFFLINE_HINT, unreachable_publishers
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


def _print_nothing_published(paths: WarehousePaths) -> None:
    from warehouse.publish import newest_version, versions

    newest = newest_version(paths)
    current = next((v for v in versions(paths) if v.is_current), None)
    label = f"version {newest.name} (run {newest.run_id})" if newest else "publish"
    console.print(
        f"[green]Nothing changed[/green] since the newest published {label}: dbt, linkage and publish were "
        "skipped and nothing was published. `--force` rebuilds everything."
    )
    if newest and current and current.name != newest.name:
        console.print(
            f"The current version is {current.name} (rolled back); `warehouse publish` publishes the build again."
        )


def _print_table_outcomes(outcome) -> None:
    """One line per raw table the run touched: loaded, rejected, or unchanged and kept (per fiscal year)."""
    for table, by_partition in sorted(outcome.table_outcomes.items()):
        out.print(f"  {table}: {_outcome_text(by_partition)}")


def _outcome_text(by_partition: dict[str, list]) -> str:
    """'unchanged, kept', or per outcome the fiscal years it applies to (listed when few, else counted)."""
    from warehouse.gate import LOADED, OUTCOMES

    if list(by_partition) == ["all"]:
        status, rows = by_partition["all"]
        return f"{status} ({rows:,} rows)" if status == LOADED else status
    parts = []
    for status in OUTCOMES:
        partitions = sorted(p for p, (outcome, _) in by_partition.items() if outcome == status)
        if not partitions:
            continue
        years = ", ".join(partitions) if len(partitions) <= 4 else f"{len(partitions)} fiscal years"
        rows = sum(by_partition[p][1] for p in partitions)
        parts.append(f"{status}: {years}" + (f" ({rows:,} rows)" if status == LOADED else ""))
    return "; ".join(parts)


def _alert(paths: WarehousePaths, outcome) -> None:
    """POST the run's summary to $WAREHOUSE_ALERT_WEBHOOK when it failed, rejected a file or left a table
    stale; a webhook problem is a warning, never a failed build."""
    from warehouse.alerts import redacted, send_alert, summarize
    from warehouse.publish import newest_version
    from warehouse.settings import alert_webhook_from_env

    url = alert_webhook_from_env()
    if not url:
        return
    newest = newest_version(paths)
    summary = summarize(
        paths,
        run_id=outcome.run_id,
        launched_by="cli",
        started_at=outcome.started_at,
        finished_at=outcome.finished_at,
        build_seconds=outcome.seconds,
        failed_steps=outcome.failed_steps if not outcome.success else [],
        published_version=newest.name if newest and newest.run_id == outcome.run_id else None,
    )
    if not summary.needs_alert:
        return
    problem = send_alert(summary, url)
    if problem:
        console.print(f"[yellow]warning: {problem}[/yellow]")
    else:
        console.print(f"Alert ({summary.status}) sent to {redacted(url)}.")


def _print_source_status(db_path: Path) -> None:
    """One line per table: fresh, or stale because a newest file was rejected (per H-2A fiscal year), and
    the rows set aside at parsing from the files it holds."""
    from warehouse.audit import FRESH, rejected_row_counts, source_status

    set_aside = rejected_row_counts(db_path)
    by_table: dict[str, list[dict]] = {}
    for row in source_status(db_path):
        by_table.setdefault(row["table_name"], []).append(row)
    if not by_table:
        return
    table = Table(title="Source status (audit.source_status)")
    for column in ("table", "status", "last accepted file(s)", "loaded at", "rows", "rows set aside"):
        table.add_column(column, justify="right" if column.startswith("rows") else "left")
    for name, rows in sorted(by_table.items()):
        stale = [r for r in rows if r["status"] != FRESH]
        status = "; ".join(_stale_label(r) for r in stale) if stale else FRESH
        files = sorted({f for r in rows if r["last_accepted_file"] for f in r["last_accepted_file"].split(", ")})
        loaded = max((r["loaded_at"] for r in rows if r["loaded_at"]), default=None)
        table.add_row(
            name,
            f"[red]{status}[/red]" if stale else status,
            files[0] + (f" (+{len(files) - 1} more)" if len(files) > 1 else "") if files else "-",
            str(loaded or "-")[:19],
            f"{sum(r['row_count'] for r in rows):,}",
            f"[yellow]{set_aside[name]:,}[/yellow]" if set_aside.get(name) else "0",
        )
    out.print(table)
    if set_aside:
        out.print("Rows set aside at parsing (a value that does not parse, a blank key): audit.rejected_rows.")


def _stale_label(row: dict) -> str:
    return (f"[{row['partition_key']}] " if row["partition_key"] != "all" else "") + row["status"]


def _rejected_in_run(db_path: Path, run_id: str) -> list[dict]:
    from warehouse.audit import FRESH, source_status

    return [row for row in source_status(db_path) if row["run_id"] == run_id and row["status"] != FRESH]


def _print_rejections(rows: list[dict]) -> None:
    """One line per rejected load (table or fiscal-year partition), with its reason and report."""
    for row in rows:
        where = row["table_name"] + (f" [{row['partition_key']}]" if row["partition_key"] != "all" else "")
        kept = (
            f"keeps {row['last_accepted_file']} ({row['row_count']:,} rows)"
            if row["last_accepted_file"]
            else f"has no accepted load yet ({row['row_count']:,} rows)"
        )
        console.print(f"[red]✗ {where}[/red]: {row['status']}; {kept}")
        console.print(f"    {(row['rejection_reason'] or '')[:400]}")
        for report in filter(None, (row["report_path"] or "").split(", ")):
            console.print(f"    report: {report}")


def _print_failure(outcome, paths: WarehousePaths) -> None:
    from warehouse.acquire import OFFLINE_HINT
    from warehouse.publish import last_publish

    console.print(f"[red bold]Build failed[/red bold] (run {outcome.run_id}); nothing new was published.")
    downloads = outcome.download_failures
    for message in downloads.values():
        console.print(f"[red]✗[/red] {message}")
    if downloads:
        console.print(OFFLINE_HINT)
    for failure in outcome.failures:
        if failure.download_error is None:
            console.print(f"[red]✗ {failure.step}[/red]\n  " + "\n  ".join(failure.message.splitlines()[:40]))
    published = last_publish(paths)
    if published:
        console.print(
            f"The last good warehouse (published {published['published_at']}) is still at {published['path']}."
        )
    console.print(f"Validation reports: {paths.reports_dir}")


def _print_published_summary(paths: WarehousePaths) -> None:
    from warehouse.publish import last_publish
    from warehouse.report import REPORT_FILE

    info = last_publish(paths) or {"tables": {}}
    table = Table(title="Published warehouse", show_lines=False)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in info["tables"].items():
        if name.split(".")[0] in ("raw", "marts", "audit"):
            table.add_row(name, f"{rows:,}")
    out.print(table)
    out.print(f"Published read-only copy: [bold]{paths.published_db}[/bold]")
    report = paths.published_dir / REPORT_FILE
    if report.is_file():
        out.print(f"Report for leadership:    [bold]{report}[/bold]")
    out.print('Query it:  warehouse query "select * from marts.mart_industry_year limit 5"')
    out.print("Explore:   warehouse tables | warehouse describe mart_industry_year | warehouse shell")


@app.command()
def ingest(
    source_name: str = typer.Argument(..., metavar="SOURCE", help="Source name: whd, h2a, qcew, debarment, mspa."),
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
    from warehouse.changes import UNCHANGED

    paths = _paths(home)
    spec = _source_named(source_name)
    _check_row_drop_options(accept_row_drop, reason)
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


def _check_archivable_name(file: Path) -> None:
    """The raw archive keeps a file under its own name: refuse now a name it cannot take (hidden, manifest.json)."""
    from sources.common.archive import UnsafeNameError, check_plain_name

    try:
        check_plain_name(file.name, what="file name")
    except UnsafeNameError as error:
        console.print(f"[red]{error}: rename the file (e.g. a copy) and ingest that.[/red]")
        raise typer.Exit(2) from error


def _source_named(name: str):
    from sources import source as find_source

    try:
        return find_source(name)
    except KeyError as error:
        console.print(f"[red]{error.args[0]}[/red]")
        raise typer.Exit(2) from error


def _load_one_file(paths: WarehousePaths, warehouse, spec, table, file: Path, partition: str | None):
    """Run one table's file -> parsed -> raw assets on this one file (its partition only); a failed run exits 1."""
    from orchestration.defs.assets.raw_sources import INGEST_PATH_TAG
    from orchestration.defs.registry import extract_load_asset_names
    from orchestration.run import definitions_for

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
    from warehouse.audit import source_status
    from warehouse.settings import ARCHIVE_MODE

    paths = _paths(home)
    with _sole_writer(paths, "publish"):
        if not source_status(paths.build_db):
            console.print(
                f"[red]Nothing to publish: {paths.build_db} holds no loaded table yet; run `warehouse build`.[/red]"
            )
            raise typer.Exit(2)
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


OUTPUT_FORMATS = ("table", "csv", "json")
DEFAULT_TABLE_ROWS = 1000  # the table view prints at most this many rows unless --limit says otherwise


@app.command()
def query(
    sql: str = typer.Argument(None, help="SQL to run on the published warehouse (read-only)."),
    sql_file: Path = typer.Option(None, "--sql-file", help="Read the SQL from this file instead of the argument."),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    limit: int = typer.Option(
        None,
        "--limit",
        min=1,
        help=f"At most this many rows (default: all for csv/json, {DEFAULT_TABLE_ROWS} for table).",
    ),
    output: Path = typer.Option(None, "--output", "-o", help="Write the csv/json to this file (atomically)."),
    home: Path = HomeOption,
) -> None:
    """Run read-only SQL on the published warehouse."""
    from warehouse.query import run_query

    text = _sql_text(sql, sql_file)
    _check_output(output_format, output)
    shown = limit if limit is not None or output_format != "table" else DEFAULT_TABLE_ROWS
    result = _guarded(lambda: run_query(text, _read_paths(home), limit=shown))
    if output:
        _write_rows_to(output, result.columns, result.rows, output_format)
        console.print(f"wrote {len(result.rows):,} row(s) to {output}")
    else:
        _print_rows(result.columns, result.rows, output_format)
    if result.was_cut:
        hint = f" (--limit {limit})" if limit is not None else "; use --format csv --output FILE for all"
        console.print(f"[yellow]showing {len(result.rows):,} of {result.total_rows:,} rows[/yellow]{hint}")


def _sql_text(sql: str | None, sql_file: Path | None) -> str:
    """The SQL from the argument or --sql-file (exactly one); blank SQL is refused."""
    if (sql is None) == (sql_file is None):
        problem = "both an SQL argument and --sql-file" if sql is not None else "no SQL"
        console.print(f"[red]query: got {problem}; give the SQL as the argument or with --sql-file PATH.[/red]")
        raise typer.Exit(2)
    if sql_file is not None:
        try:
            sql = sql_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            console.print(f"[red]--sql-file: cannot read {sql_file}: {error}[/red]")
            raise typer.Exit(2) from error
    if not sql.strip():
        where = f"{sql_file} is empty" if sql_file is not None else "the SQL argument is empty"
        console.print(f"[red]query: no SQL to run: {where}.[/red]")
        raise typer.Exit(2)
    return sql


def _check_output(output_format: str, output: Path | None) -> None:
    if output_format not in OUTPUT_FORMATS:
        console.print(f"[red]--format must be one of {', '.join(OUTPUT_FORMATS)}; got {output_format!r}[/red]")
        raise typer.Exit(2)
    if output is not None and output_format == "table":
        console.print("[red]--output writes csv or json: add --format csv (or json).[/red]")
        raise typer.Exit(2)


def _print_rows(columns: list[str], rows: list[tuple], output_format: str) -> None:
    if output_format == "csv":
        _write_rows(sys.stdout, columns, rows, output_format)
    elif output_format == "json":
        out.print_json(_json_rows(columns, rows))
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row))
        out.print(table)
        out.print(f"{len(rows)} row(s)")


def _write_rows(handle, columns: list[str], rows: list[tuple], output_format: str) -> None:
    """csv or json text of the rows into an open text file."""
    if output_format == "csv":
        import csv

        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        handle.write(_json_rows(columns, rows))


def _json_rows(columns: list[str], rows: list[tuple]) -> str:
    return json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str)


def _write_rows_to(path: Path, columns: list[str], rows: list[tuple], output_format: str) -> None:
    """Write the rows to `path` through a temporary file renamed over it, so a reader never sees half."""
    path = path.expanduser()
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            _write_rows(handle, columns, rows, output_format)
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        console.print(f"[red]--output: cannot write {path}: {error}[/red]")
        raise typer.Exit(1) from error


def _read_paths(home: Path | None) -> WarehousePaths:
    """The warehouse's paths for a read of the published copy (nothing is created)."""
    return WarehousePaths.at(home) if home else WarehousePaths.from_env()


@app.command()
def tables(home: Path = HomeOption) -> None:
    """List every table and view of the published warehouse: description, grain, rows."""
    from warehouse.catalog import list_tables

    listing = _name_table("table", "description", "grain", "rows")
    for table in _guarded(lambda: list_tables(_read_paths(home))):
        listing.add_row(table.name, _first_sentence(table.description), table.grain, _rows_text(table.row_count))
    out.print(listing)


def _name_table(name: str, *columns: str, title: str | None = None) -> Table:
    """A rich table whose first column (a table or column name) is never cut, so it can be copied."""
    table = Table(title=title)
    table.add_column(name, no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right" if column == "rows" else "left")
    return table


def _first_sentence(text: str) -> str:
    sentence, dot, _ = text.partition(". ")
    return sentence + dot.strip()


def _rows_text(rows: int | None) -> str:
    return "" if rows is None else f"{rows:,}"


@app.command()
def describe(
    name: str = typer.Argument(..., metavar="TABLE", help="schema.table, or a table name (e.g. mart_trends)."),
    home: Path = HomeOption,
) -> None:
    """Describe one table: what it holds, its grain and rows, and every column with type and description."""
    from warehouse.catalog import describe_table

    table, columns = _guarded(lambda: describe_table(_read_paths(home), name))
    out.print(f"[bold]{table.name}[/bold] ({table.table_type}, {_rows_text(table.row_count)} rows)")
    out.print(f"grain: {table.grain or '-'}")
    out.print(table.description or "(no description)")
    listing = _name_table("column", "type", "description")
    for column in columns:
        listing.add_row(column.name, column.data_type, column.description)
    out.print(listing)


@app.command()
def search(
    word: str = typer.Argument(..., help="Text to find in table and column names and descriptions."),
    home: Path = HomeOption,
) -> None:
    """Find the tables and columns whose name or description contains WORD (case-insensitive)."""
    from warehouse.catalog import search as search_catalog

    if not word.strip():
        console.print("[red]search: give a word to look for.[/red]")
        raise typer.Exit(2)
    found_tables, found_columns = _guarded(lambda: search_catalog(_read_paths(home), word))
    if not found_tables and not found_columns:
        out.print(f"Nothing matches {word!r}; `warehouse tables` lists every table.")
        raise typer.Exit(1)
    if found_tables:
        listing = _name_table("table", "description", title=f"Tables matching {word!r}")
        for table in found_tables:
            listing.add_row(table.name, table.description)
        out.print(listing)
    if found_columns:
        listing = _name_table("table", "column", "type", "description", title=f"Columns matching {word!r}")
        for column in found_columns:
            listing.add_row(column.table, column.name, column.data_type, column.description)
        out.print(listing)


@app.command()
def shell(home: Path = HomeOption) -> None:
    """An interactive read-only SQL prompt on the published warehouse (end statements with ';')."""
    from warehouse.query import run_query
    from warehouse.shell import SqlShell

    paths = _read_paths(home)

    def run(sql: str) -> None:
        try:
            result = run_query(sql, paths, limit=DEFAULT_TABLE_ROWS)
        except _read_errors() as error:
            console.print(f"[red]{error}[/red]")  # and the prompt stays open
            return
        if result.columns:
            _print_rows(result.columns, result.rows, "table")
        if result.was_cut:
            console.print(f"[yellow]showing {len(result.rows):,} of {result.total_rows:,} rows[/yellow]")

    _guarded(lambda: run_query("SELECT 1", paths))  # fail now, not at the first statement, if nothing is published
    SqlShell(
        run, intro=f"Read-only SQL on {paths.published_db}. End statements with ';'; .quit or Ctrl-D leaves."
    ).cmdloop()


@app.command()
def sample(
    out_dir: Path = typer.Option(..., "--out", "-o", help="Folder to write the sample files into."),
    scale: float = typer.Option(0.01, "--scale", help="Size factor: 1 is about real size."),
    seed: int = typer.Option(20261125, "--seed", help="Random seed (same seed, same bytes)."),
) -> None:
    """Write the sample files in their real publication names and formats, plus the ground truth."""
    from sources.common.sample_world import SampleConfig
    from warehouse.acquire import write_sample

    written = write_sample(
        out_dir, SampleConfig(scale=scale, seed=seed), on_source=lambda s: console.print(f"writing {s} ...")
    )
    for path in written:
        out.print(f"{path}  ({path.stat().st_size:,} bytes)")


@app.command()
def status(home: Path = HomeOption) -> None:
    """Show the published warehouse, quarantined raw files and the latest validation reports."""
    from sources import ALL_SOURCES
    from sources.common.archive import RawArchive
    from warehouse.publish import last_publish

    paths = _read_paths(home)
    published = last_publish(paths)
    out.print(f"Published: {_published_label(published) if published else 'nothing yet'}")
    _print_source_status(paths.published_db if published else paths.build_db)
    archive = RawArchive(paths.raw_archive)
    quarantined = [f for spec in ALL_SOURCES for f in archive.files(spec.name) if f.is_quarantined]
    out.print(f"Quarantined raw files: {len(quarantined)}")
    for archived in quarantined:
        out.print(
            f"  {archived.source}/{archived.version}/{archived.filename}  (see {archived.folder / 'QUARANTINED.txt'})"
        )
    reports = sorted(paths.reports_dir.glob("*.txt"))[-5:] if paths.reports_dir.exists() else []
    for report in reports:
        out.print(f"--- {report.name}\n{report.read_text(encoding='utf-8')}")


@app.command()
def versions(home: Path = HomeOption) -> None:
    """List the kept published versions (the newest WAREHOUSE_KEEP_VERSIONS, default 5)."""
    from warehouse.publish import versions as kept_versions

    kept = kept_versions(_read_paths(home))
    if not kept:
        out.print("No published version yet: run `warehouse build`.")
        return
    listing = Table("version", "published at", "run id", "tables", "current")
    for version in kept:
        listing.add_row(
            version.name,
            version.published_at,
            version.run_id or "",
            str(version.table_count),
            "*" if version.is_current else "",
        )
    out.print(listing)


@app.command()
def rollback(
    to: str = typer.Option(None, "--to", metavar="VERSION", help="The version to restore (see `warehouse versions`)."),
    home: Path = HomeOption,
) -> None:
    """Make an earlier published version current again (default: the one before the current one)."""
    from warehouse.publish import rollback as restore

    paths = _read_paths(home)
    with _sole_writer(paths, "rollback"):
        restored = _guarded(lambda: restore(paths, to))
    out.print(
        f"Restored version {restored.name} (published {restored.published_at}, run {restored.run_id}, "
        f"{restored.table_count} tables) as {paths.published_db}."
    )


def _published_label(info: dict) -> str:
    version = f" (version {info['version']})" if info.get("version") else ""
    return f"{info['published_at']}{version} at {info['path']}"


@app.command()
def docs(
    serve: bool = typer.Option(False, "--serve", help="Then serve the site on 127.0.0.1 until Ctrl-C."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to serve on (with --serve)."),
    home: Path = HomeOption,
) -> None:
    """Generate the dbt documentation site (models, columns, lineage) of the published warehouse."""
    from warehouse.dbt_docs import docs_server, generate_docs

    paths = _paths(home)
    try:
        site = generate_docs(paths)
    except RuntimeError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    out.print(f"dbt docs written to {site}")
    if not serve:
        out.print("Serve them:  warehouse docs --serve   (then open http://127.0.0.1:8080)")
        return
    try:
        server = docs_server(site, port)
    except OSError as error:
        console.print(f"[red]cannot serve on 127.0.0.1:{port}: {error}; choose another --port[/red]")
        raise typer.Exit(1) from error
    out.print(f"Serving the dbt docs on http://127.0.0.1:{server.server_port} (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.print("stopped")
    finally:
        server.server_close()


@app.command()
def report(
    output: Path = typer.Option(
        None, "--output", "-o", help="Folder to write report.html into (default: the current published version)."
    ),
    home: Path = HomeOption,
) -> None:
    """Write the report for leadership (report.html: trends, top sectors and states, leads, data quality)."""
    from warehouse.publish import write_into_current
    from warehouse.report import write_report

    paths = _read_paths(home)
    try:
        if output:
            written = write_report(paths.published_db, output)
        else:
            with _sole_writer(paths, "report"):  # it writes into the current published version
                written = write_into_current(paths, write_report)
    except FileNotFoundError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    out.print(str(written))


@app.command()
def contracts(
    write: bool = typer.Option(False, "--write", help="Regenerate the files instead of checking them."),
) -> None:
    """Check (or regenerate) dbt _sources.yml and docs/contracts.md from the source contracts."""
    from warehouse.contracts_docs import stale_files, write_all

    if write:
        for path in write_all():
            out.print(f"wrote {path}")
        return
    stale = stale_files()
    for path in stale:
        console.print(f"[red]out of date: {path}[/red] (run `warehouse contracts --write`)")
    raise typer.Exit(1 if stale else 0)


LEAD_COLUMNS = (
    "lead_rank, employer_id, employer_name, state_code, naics_sector, score, h2a_workers_certified, "
    "whd_cases, back_wages, reasons"
)


@app.command()
def leads(
    state: str = typer.Option(None, "--state", help="Two-letter state code, e.g. NC."),
    industry: str = typer.Option(None, "--industry", help="NAICS sector, e.g. 11 (agriculture) or 31 (31-33)."),
    top: int = typer.Option(20, "--top", help="How many leads to print."),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    home: Path = HomeOption,
) -> None:
    """Print the ranked employer leads (marts.mart_employer_leads): which employers to look at and why."""
    sql = f"""SELECT {LEAD_COLUMNS} FROM marts.mart_employer_leads
        WHERE ($state IS NULL OR state_code = upper($state))
          AND ($sector IS NULL OR naics_sector = $sector OR naics_sector LIKE $sector || '-%'
               OR naics_sector LIKE '%-' || $sector)
        ORDER BY lead_rank, employer_id LIMIT $top"""
    result = _published_query(sql, home, params={"state": state, "sector": industry, "top": top})
    if not result.rows:
        out.print("No lead matches these filters.")
        return
    _print_rows(result.columns, result.rows, output_format)


@app.command()
def employer(
    name_or_id: str = typer.Argument(..., metavar="NAME_OR_ID", help="An employer id (E00001234) or part of a name."),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    home: Path = HomeOption,
) -> None:
    """Print one employer's records across every source: WHD cases, H-2A filings, debarments, MSPA."""
    from warehouse.employer import RECORD_SECTIONS, find_employers

    paths = _read_paths(home)
    matches = _guarded(lambda: find_employers(name_or_id, paths))
    if not matches:
        console.print(f"[red]No employer matches {name_or_id!r}.[/red]")
        raise typer.Exit(1)
    if len(matches) > 1:
        out.print(f"{len(matches)} employers match {name_or_id!r}; showing the first (use an id to pick another):")
        _print_rows(["employer_id", "employer_name", "state_code", "records"], matches[:20], output_format)
    employer_id = matches[0][0]
    for title, sql in RECORD_SECTIONS:
        result = _published_query(sql, home, params={"employer_id": employer_id})
        if result.rows:
            out.print(f"[bold]{title}[/bold]")
            _print_rows(result.columns, result.rows, output_format)


def _published_query(sql: str, home: Path | None, *, params: dict):
    from warehouse.query import run_query

    paths = _read_paths(home)
    return _guarded(lambda: run_query(sql, paths, params=params))


def _guarded(action):
    """Run a read of the published warehouse; print a clear error instead of a traceback."""
    try:
        return action()
    except _read_errors() as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error


def _read_errors() -> tuple[type[Exception], ...]:
    """Errors of a read of the published warehouse that are the user's to fix: printed, no traceback."""
    import duckdb

    from warehouse.catalog import UnknownTableError
    from warehouse.publish import UnknownVersionError
    from warehouse.query import EmptyQueryError, NotPublishedError, ReadOnlyError

    return NotPublishedError, EmptyQueryError, ReadOnlyError, UnknownTableError, UnknownVersionError, duckdb.Error


@app.command("linkage-eval")
def linkage_eval(
    scale: float = typer.Option(1.0, "--scale", help="Sample size (1 = real size) for the sample ground truth."),
    real: bool = typer.Option(False, "--real", help="Score on the real hand-judged H-2A pairs instead."),
    home: Path = HomeOption,
) -> None:
    """Score employer linkage: pairwise precision, recall and F1, and the seconds linkage took.

    Sample truth: the sample's ground_truth_employers.csv at --scale (the sample warehouse is built once
    under WAREHOUSE_HOME/eval/). Real truth (--real): the hand-judged pairs of FY2012/FY2016 H-2A filings
    in tests/fixtures/real/linkage/. The last line is `precision=... recall=... f1=... seconds=...`.
    """
    from warehouse.linkage.evaluation_runs import evaluate_real, evaluate_sample

    paths = _paths(home)
    if real:
        report = evaluate_real()
    else:
        report = evaluate_sample(paths, scale, build=lambda eval_home: _build_sample(eval_home, scale))
    for line in report.details:
        out.print(line)
    print(report.scores.line(report.seconds))


def _build_sample(eval_home: Path, scale: float) -> None:
    """Build the sample warehouse the evaluation reads (the same job as `warehouse build`)."""
    from orchestration.defs.partitions import FULL_RANGE_TAGS
    from orchestration.run import definitions_for
    from warehouse.settings import SAMPLE_MODE

    console.print(f"building the scale-{scale:g} sample warehouse in {eval_home} (once) ...")
    eval_paths = WarehousePaths.at(eval_home).ensure()
    warehouse = _warehouse_resource(eval_paths, source=SAMPLE_MODE, sample_scale=scale)
    result = _run(definitions_for(warehouse), eval_paths, tags=FULL_RANGE_TAGS)
    if not result.success:
        _print_failure(result, eval_paths)
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
