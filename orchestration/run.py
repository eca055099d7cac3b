"""One run of the build job, in-process, for a command line or any other caller above Dagster.

What belongs here: the Dagster instance of a warehouse home (its ``dagster.yaml`` written by one
helper), marking failed the runs a killed process left started, choosing the assets a partial build
runs, executing the job, and turning its events into a plain `RunOutcome` (no Dagster types), which
the caller prints. What does not: printing, exit codes, option parsing (``warehouse_cli``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from orchestration.run_history import run_history_without_a_flush_per_event
from orchestration.tags import HOME_TAG, LAUNCHED_BY_CLI
from warehouse.settings import WarehousePaths

DAGSTER_YAML = "telemetry:\n  enabled: false\n"
BUILD_JOB = "build_warehouse"
PUBLISHED_ASSET = "published_warehouse"


@dataclass(frozen=True)
class StepFailure:
    """A step that failed: its key and the error as it should be shown (first lines, with its cause)."""

    step: str
    message: str
    alert_message: str
    download_error: str | None = None  # the DownloadFailed message, when a download made it fail


@dataclass(frozen=True)
class RunOutcome:
    """What one run did, in plain values."""

    run_id: str
    success: bool
    started_at: str
    finished_at: str
    seconds: float
    dbt_log: Path
    published: bool = False
    # asset (raw table) -> partition ("all" or a fiscal year) -> (outcome, rows loaded)
    table_outcomes: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    failures: tuple[StepFailure, ...] = ()

    def table_outcome(self, table_name: str) -> tuple[str, int]:
        """The one outcome (status, rows loaded) of a run that loaded one file into `table_name`."""
        if table_name not in self.table_outcomes:
            raise RuntimeError(f"the run did not materialize {table_name}")
        ((status, rows),) = self.table_outcomes[table_name].values()
        return status, rows

    @property
    def failed_steps(self) -> list[dict]:
        """The failed steps as the alert summary lists them."""
        return [{"step": f.step, "error": f.alert_message} for f in self.failures]

    @property
    def download_failures(self) -> dict[str, str]:
        """Per source, the first download that failed (its message names the source and the URL)."""
        failures: dict[str, str] = {}
        for failure in self.failures:
            if failure.download_error:
                failures.setdefault(failure.download_error.split(" ")[0].rstrip(":"), failure.download_error)
        return failures


def write_dagster_yaml(dagster_home: Path) -> Path:
    """The instance settings of a warehouse's Dagster home (telemetry off), written once."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return config


def dagster_instance(paths: WarehousePaths):
    """The Dagster instance runs of this home are recorded in: $DAGSTER_HOME, else the home's own."""
    from dagster import DagsterInstance

    if not os.environ.get("DAGSTER_HOME"):
        write_dagster_yaml(paths.dagster_home)
        os.environ["DAGSTER_HOME"] = str(paths.dagster_home)
    return DagsterInstance.get()


def definitions_for(warehouse):
    """The code location's definitions with this warehouse resource."""
    from orchestration.build import build_defs

    return build_defs(resource_overrides={"warehouse": warehouse})


def all_asset_names(defs) -> list[str]:
    return [key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()]


def assets_for(defs, sources: list | None, years: list[str] | None) -> list[str] | None:
    """The assets a build runs: all (None), or the extract-load assets of the named sources (with fiscal
    years alone, of the partitioned sources) and everything downstream of the raw tables."""
    from orchestration.defs.registry import extract_load_asset_names, is_extract_load_asset
    from sources import ALL_SOURCES

    if sources is None and years is None:
        return None
    chosen = sources if sources is not None else [spec for spec in ALL_SOURCES if spec.is_partitioned]
    own = [name for spec in chosen for table in spec.tables for name in extract_load_asset_names(spec, table)]
    return own + [name for name in all_asset_names(defs) if not is_extract_load_asset(name)]


def run_build(
    defs, paths: WarehousePaths, *, assets: list[str] | None = None, tags=None, partition_key=None
) -> RunOutcome:
    """Run the build job in-process (all assets, or `assets`), tagged as launched by the command line,
    which alerts on it itself (the alert sensors leave such runs alone). dbt's own output goes to a log."""
    import dagster as dg

    instance = dagster_instance(paths)
    fail_abandoned_runs(instance, paths)
    dbt_log = paths.build_dir / "dbt_output.log"
    started_at, started = datetime.now(UTC), time.monotonic()
    with _stdout_to(dbt_log), run_history_without_a_flush_per_event(Path(instance.root_directory)):
        result = defs.resolve_job_def(BUILD_JOB).execute_in_process(
            instance=instance,
            asset_selection=None if assets is None else [dg.AssetKey(name) for name in assets],
            run_config={"loggers": {"terminal_progress": {}}},
            partition_key=partition_key,
            tags={**(tags or {}), **LAUNCHED_BY_CLI, HOME_TAG: str(paths.home)},
            raise_on_error=False,
        )
    seconds = time.monotonic() - started
    return RunOutcome(
        run_id=result.run_id,
        success=result.success,
        started_at=started_at.isoformat(timespec="seconds"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=seconds,
        dbt_log=dbt_log,
        published=_materialized(result, PUBLISHED_ASSET),
        table_outcomes=_table_outcomes(result),
        failures=tuple(_failures(result)),
    )


def fail_abandoned_runs(instance, paths: WarehousePaths) -> None:
    """Mark failed the runs a killed process left 'started' in the run history: they run in-process
    under the writer lock, which the caller holds now, so none of this home's is still running."""
    import dagster as dg

    running = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    tags = {**LAUNCHED_BY_CLI, HOME_TAG: str(paths.home)}
    for run in instance.get_runs(dg.RunsFilter(statuses=running, tags=tags)):
        instance.report_run_failed(run, message="the process running it ended without finishing (killed?)")


@contextmanager
def _stdout_to(log_file: Path) -> Iterator[None]:
    """dagster-dbt echoes every dbt log line to stdout; keep the terminal readable, the lines in a file."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "w", encoding="utf-8") as handle, redirect_stdout(handle):
        yield


def _materializations(result):
    for event in result.get_asset_materialization_events():
        yield event.step_materialization_data.materialization


def _materialized(result, asset: str) -> bool:
    return any(m.asset_key.to_user_string() == asset for m in _materializations(result))


def _table_outcomes(result) -> dict[str, dict[str, tuple[str, int]]]:
    outcomes = {}
    for materialization in _materializations(result):
        if "outcomes" in materialization.metadata:
            by_partition = materialization.metadata["outcomes"].value
            outcomes[materialization.asset_key.to_user_string()] = {
                partition: (status, rows) for partition, (status, rows) in by_partition.items()
            }
    return outcomes


def _failures(result) -> Iterator[StepFailure]:
    from orchestration.defs.sensors import failure_message

    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE" or not event.step_failure_data:
            continue
        error = event.step_failure_data.error
        message = error.message.strip() if error else "failed"
        if error and error.cause and "Failure" not in (error.cls_name or ""):
            message += f"\n  caused by: {error.cause.message.strip()}"
        yield StepFailure(event.step_key, message, failure_message(error), _download_error(error))


def _download_error(error) -> str | None:
    """The DownloadFailed message that made a step fail (as Dagster serialised it), or None."""
    from warehouse.ingest.acquire import DownloadFailed

    while error is not None and error.cls_name != DownloadFailed.__name__:
        error = error.cause
    if error is None:
        return None
    return error.message.strip().splitlines()[0].partition(f"{error.cls_name}: ")[2]
