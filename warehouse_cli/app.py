"""The command line's shared parts: the Typer app, the consoles, exit codes, common options, and the
steps every writing command takes (the home, the writer lock, the warehouse resource, one build run)."""

from __future__ import annotations

import getpass
import logging
import os
import warnings
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

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
    from warehouse.operations.writer_lock import WriterBusyError, writer_lock

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


EngineOption = typer.Option(
    None,
    "--engine",
    help="Where dbt and employer linkage run: duckdb (default, or $WAREHOUSE_ENGINE) or spark (a local Spark "
    "session over the Parquet lake; needs Java 17+). See docs/scale-out.md.",
)


def _engine(engine: str | None) -> str | None:
    """--engine, checked (None: $WAREHOUSE_ENGINE or duckdb); Spark needs Java, said before anything runs."""
    import shutil
    import subprocess

    from warehouse.settings import ENGINES, SPARK

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


def _source_named(name: str):
    from sources import source as find_source

    try:
        return find_source(name)
    except KeyError as error:
        console.print(f"[red]{error.args[0]}[/red]")
        raise typer.Exit(2) from error


def _read_paths(home: Path | None) -> WarehousePaths:
    """The warehouse's paths for a read of the published copy (nothing is created)."""
    return WarehousePaths.at(home) if home else WarehousePaths.from_env()
