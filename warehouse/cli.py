"""`warehouse`: the command line for data engineers and analysts.

    warehouse build [--source sample|download|DIR]   run the Dagster build job in-process
    warehouse ingest SOURCE --file PATH              parse, gate and load one file
    warehouse query "SQL"                            read-only SQL on the published warehouse
    warehouse sample --out DIR [--scale N]           write sample files in their real names
    warehouse status                                 what is published, rejected, quarantined
    warehouse docs                                   dbt documentation site of the published warehouse
    warehouse contracts [--write]                    regenerate/check files made from contracts

Heavy libraries (Dagster, dbt, Great Expectations) are imported inside commands, so `--help`
and `query` stay fast.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from warehouse.settings import HOME_ENV, WarehousePaths

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Open labor-enforcement data warehouse.")
console = Console(stderr=True)
out = Console()

HomeOption = typer.Option(None, "--home", help=f"Warehouse root (default ${HOME_ENV} or ./data).")


def _paths(home: Path | None) -> WarehousePaths:
    paths = WarehousePaths.at(home) if home else WarehousePaths.from_env()
    os.environ[HOME_ENV] = str(paths.home)  # one truth for every child process (dbt)
    return paths.ensure()


def _dagster_instance(paths: WarehousePaths):
    from dagster import DagsterInstance

    if not os.environ.get("DAGSTER_HOME"):
        paths.dagster_home.mkdir(parents=True, exist_ok=True)
        config = paths.dagster_home / "dagster.yaml"
        if not config.exists():
            config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
        os.environ["DAGSTER_HOME"] = str(paths.dagster_home)
    return DagsterInstance.get()


def _defs(paths: WarehousePaths, *, source: str, scale: float | None, load_mode: str = "replace"):
    from orchestration.build import build_defs
    from orchestration.defs.resources import warehouse_from_env

    warehouse = warehouse_from_env(home=str(paths.home), input_mode=source, sample_scale=scale, load_mode=load_mode)
    return build_defs(resource_overrides={"warehouse": warehouse})


def _normalise_source(source: str) -> str:
    if source in ("sample", "download"):
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


@app.command()
def build(
    source: str = typer.Option(
        "sample",
        "--source",
        "-s",
        help="'sample' (embedded, offline), 'download' (live), or a folder of downloaded files.",
    ),
    scale: float = typer.Option(None, "--scale", help="Sample size factor (1 = real size). Default 0.01."),
    home: Path = HomeOption,
) -> None:
    """Build the whole warehouse: acquire, parse, gate, load, dbt build, publish."""
    import time

    paths = _paths(home)
    source = _normalise_source(source)
    console.print(f"[bold]Building the warehouse[/bold] from {source} into {paths.home}")
    started = time.monotonic()
    defs = _defs(paths, source=source, scale=scale)
    from orchestration.defs.partitions import FULL_RANGE_TAGS

    with _dbt_output_to(paths.build_dir / "dbt_output.log"):
        result = defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=_dagster_instance(paths),
            run_config={"loggers": {"terminal_progress": {}}},
            tags=FULL_RANGE_TAGS,
            raise_on_error=False,
        )
    took = time.monotonic() - started
    if not result.success:
        _print_failure(result, paths)
        raise typer.Exit(1)
    console.print(f"[green]Build succeeded[/green] in {took:.0f}s (run {result.run_id}).")
    _print_published_summary(paths)


@contextmanager
def _dbt_output_to(log_file: Path):
    """dagster-dbt echoes every dbt log line to stdout; keep the terminal readable, the lines in a file."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "w", encoding="utf-8") as handle, redirect_stdout(handle):
        yield
    console.print(f"dbt output: {log_file}")


def _print_failure(result, paths: WarehousePaths) -> None:
    from warehouse.publish import last_publish

    console.print("[red bold]Build failed[/red bold]; nothing new was published.")
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE" and event.step_failure_data:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "failed"
            if error and error.cause and "Failure" not in (error.cls_name or ""):
                message += f"\n  caused by: {error.cause.message.strip()}"
            console.print(f"[red]✗ {event.step_key}[/red]\n  " + "\n  ".join(message.splitlines()[:40]))
    published = last_publish(paths)
    if published:
        console.print(
            f"The last good warehouse (published {published['published_at']}) is still at {published['path']}."
        )
    console.print(f"Validation reports: {paths.reports_dir}")


def _print_published_summary(paths: WarehousePaths) -> None:
    from warehouse.publish import last_publish

    info = last_publish(paths) or {"tables": {}}
    table = Table(title="Published warehouse", show_lines=False)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in info["tables"].items():
        if name.split(".")[0] in ("raw", "marts", "audit"):
            table.add_row(name, f"{rows:,}")
    out.print(table)
    out.print(f"Published read-only copy: [bold]{paths.published_db}[/bold]")
    out.print('Query it:  warehouse query "select * from marts.mart_industry_year limit 5"')
    out.print(f"       or:  duckdb -readonly {paths.published_db}")


@app.command()
def ingest(
    source_name: str = typer.Argument(..., metavar="SOURCE", help="Source name: whd, h2a, qcew, debarment, ..."),
    file: Path = typer.Option(
        ..., "--file", "-f", exists=True, dir_okay=False, help="The file, under its real published name."
    ),
    home: Path = HomeOption,
) -> None:
    """Load one file through parse and gates into the build database; report rows or failures."""
    from sources import source as find_source

    paths = _paths(home)
    try:
        spec = find_source(source_name)
    except KeyError as error:
        console.print(f"[red]{error.args[0]}[/red]")
        raise typer.Exit(2) from error
    tables = [t for t in spec.tables if t.matches(file.name)]
    if not tables:
        patterns = "; ".join(t.file_pattern for t in spec.tables)
        console.print(
            f"[red]{file.name} is not a {spec.name} file name this warehouse knows (expected {patterns}).[/red]"
        )
        raise typer.Exit(2)
    table = tables[0]
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder) / file.name
        staged.symlink_to(file.resolve())
        defs = _defs(paths, source=folder, scale=None, load_mode="merge")
        from orchestration.defs.registry import file_asset_name, parsed_asset_name, raw_asset_name

        keys = [file_asset_name(spec, table), parsed_asset_name(spec, table), raw_asset_name(spec, table)]
        import dagster as dg

        job = defs.resolve_job_def("build_warehouse")
        with _dbt_output_to(paths.build_dir / "dbt_output.log"):
            result = job.execute_in_process(
                instance=_dagster_instance(paths),
                asset_selection=[dg.AssetKey(k) for k in keys],
                run_config={"loggers": {"terminal_progress": {}}},
                partition_key=_partition_of(table, file.name),
                raise_on_error=False,
            )
    if not result.success:
        _print_failure(result, paths)
        raise typer.Exit(1)
    rows = _materialized_rows(result, raw_asset_name(spec, table))
    out.print(
        f"[green]Loaded[/green] {rows:,} rows from {file.name} into raw.{table.contract.table_name} ({paths.build_db})."
    )
    out.print("Run `warehouse build` to rebuild the marts and publish.")


def _partition_of(table, filename: str) -> str | None:
    """The partition a file loads into: its fiscal year for H-2A, none for whole-table files."""
    from orchestration.defs.partitions import fiscal_year_partitions

    if not table.is_partitioned:
        return None
    key = table.partition_of(filename)
    known = fiscal_year_partitions.get_partition_keys()
    if key not in known:
        console.print(f"[red]{filename}: fiscal year {key} is outside the partitions {known[0]}..{known[-1]}[/red]")
        raise typer.Exit(2)
    return key


def _materialized_rows(result, asset_name: str) -> int:
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key.to_user_string() == asset_name:
            return int(materialization.metadata["rows_loaded"].value)
    return 0


@app.command()
def query(
    sql: str = typer.Argument(..., help="SQL to run on the published warehouse (read-only)."),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    limit: int = typer.Option(1000, "--limit", help="Print at most this many rows."),
    home: Path = HomeOption,
) -> None:
    """Run read-only SQL on the published warehouse."""
    import duckdb

    from warehouse.query import NotPublishedError, run_query

    paths = WarehousePaths.at(home) if home else WarehousePaths.from_env()
    try:
        result = run_query(sql, paths, limit=limit)
    except NotPublishedError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    except duckdb.Error as error:
        console.print(f"[red]query failed: {error}[/red]")
        raise typer.Exit(1) from error
    _print_rows(result.columns, result.rows, output_format)


def _print_rows(columns: list[str], rows: list[tuple], output_format: str) -> None:
    if output_format == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif output_format == "json":
        out.print_json(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str))
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row))
        out.print(table)
        out.print(f"{len(rows)} row(s)")


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

    paths = WarehousePaths.at(home) if home else WarehousePaths.from_env()
    published = last_publish(paths)
    out.print(f"Published: {published['published_at'] + ' at ' + published['path'] if published else 'nothing yet'}")
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
def docs(home: Path = HomeOption) -> None:
    """Generate the dbt documentation site (models, columns, lineage) of the published warehouse."""
    from warehouse.dbt_docs import generate_docs

    paths = _paths(home)
    try:
        site = generate_docs(paths)
    except RuntimeError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    out.print(f"dbt docs written to {site}")
    out.print(f"Serve them:  cd {site} && python -m http.server 8080   (then open http://127.0.0.1:8080)")


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
