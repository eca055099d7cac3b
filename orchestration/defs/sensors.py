"""Sensors: a run starts when a new (or changed) file appears in the local drop folder; an alert
goes out when a run of the build job fails, rejects a file or leaves a table stale.

Agencies that download files by hand drop them, under their published names, into
``$WAREHOUSE_DROP_FOLDER`` (default ``$WAREHOUSE_HOME/drop``). For each new file the sensor asks
for one run that loads it into its table -- only its fiscal year for H-2A -- and rebuilds the
dbt models and the published warehouse. The run's tags tell the file assets to read the drop
folder and the raw assets to replace only the slices the file carries.

Alerts (warehouse/operations/alerts.py, $WAREHOUSE_ALERT_WEBHOOK) cover the runs the daemon launches: the
weekly schedule, the drop-folder sensor, launches from the UI. Runs the CLI executes in-process are
in the same run history but tagged LAUNCHED_BY_CLI: the CLI alerts on them itself, so the sensors
skip them and no run is alerted twice. The alert sensors run by default (they only POST when the
webhook is set); the schedule and the drop-folder sensor are off until turned on.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.defs.jobs import build_warehouse
from orchestration.defs.registry import extract_load_asset_names, is_extract_load_asset
from orchestration.defs.resources import WarehouseResource
from orchestration.tags import DROP, FILE_TAG, INPUT_TAG, LAUNCHED_BY_CLI, LAUNCHED_BY_TAG, LOAD_MODE_TAG
from sources import all_tables
from warehouse.ingest.acquire import visible_files
from warehouse.operations.alerts import alert_on_run as alert_run


def drop_folder_requests(
    folder: Path, seen: dict[str, str], downstream: list[dg.AssetKey]
) -> tuple[list[dg.RunRequest], dict[str, str]]:
    """Run requests for files in `folder` not in `seen` (name -> size:mtime), and the new cursor."""
    requests: list[dg.RunRequest] = []
    current: dict[str, str] = {}
    if not folder.is_dir():
        return requests, seen
    for path in visible_files(folder):
        tables = [(spec, table) for spec, table in all_tables() if table.matches(path.name)]
        if not tables:
            continue
        stat = path.stat()
        current[path.name] = f"{stat.st_size}:{int(stat.st_mtime)}"
        if seen.get(path.name) == current[path.name]:
            continue
        spec, table = tables[0]
        keys = [dg.AssetKey(name) for name in extract_load_asset_names(spec, table)]
        requests.append(
            dg.RunRequest(
                run_key=f"{path.name}:{current[path.name]}",
                asset_selection=keys + downstream,
                partition_key=table.partition_of(path) if table.is_partitioned else None,
                tags={INPUT_TAG: DROP, LOAD_MODE_TAG: "merge", FILE_TAG: path.name},
            )
        )
    return requests, {**seen, **current}


@dg.sensor(
    name="new_files_in_drop_folder",
    job=build_warehouse,
    minimum_interval_seconds=60,
    description="Loads files dropped into $WAREHOUSE_DROP_FOLDER (published names), then rebuilds and publishes.",
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def new_files_in_drop_folder(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    seen = json.loads(context.cursor) if context.cursor else {}
    graph = context.repository_def.asset_graph
    downstream = [key for key in graph.get_all_asset_keys() if not is_extract_load_asset(key.to_user_string())]
    requests, cursor = drop_folder_requests(warehouse.drop_path(), seen, downstream)
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    if not requests:
        return dg.SkipReason(f"no new file in {warehouse.drop_path()}")
    return requests


@dg.run_status_sensor(
    name="alert_on_rejected_or_stale_build",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[build_warehouse],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="POSTs a summary to $WAREHOUSE_ALERT_WEBHOOK when a build run rejected a file or left a table "
    "stale (runs the CLI executes alert from the CLI).",
)
def alert_on_rejected_or_stale_build(context: dg.RunStatusSensorContext, warehouse: WarehouseResource):
    return alert_on_run(context, warehouse, failed_steps=[])


@dg.run_failure_sensor(
    name="alert_on_failed_build",
    monitored_jobs=[build_warehouse],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="POSTs a summary to $WAREHOUSE_ALERT_WEBHOOK when a build run failed (runs the CLI executes "
    "alert from the CLI).",
)
def alert_on_failed_build(context: dg.RunFailureSensorContext, warehouse: WarehouseResource):
    failed = [
        {"step": event.step_key, "error": failure_message(event.event_specific_data.error)}
        for event in context.get_step_failure_events()
    ]
    return alert_on_run(
        context, warehouse, failed_steps=failed or [{"step": None, "error": context.failure_event.message}]
    )


def alert_on_run(context: dg.RunStatusSensorContext, warehouse: WarehouseResource, failed_steps: list[dict]):
    """Send the run's summary when it needs an alert (warehouse.operations.alerts); say why not otherwise."""
    run = context.dagster_run
    if run.tags.get(LAUNCHED_BY_TAG) == LAUNCHED_BY_CLI[LAUNCHED_BY_TAG]:
        return dg.SkipReason(f"run {run.run_id} was launched by the CLI, which alerts on it itself")
    stats = context.instance.get_run_stats(run.run_id)
    outcome = alert_run(
        warehouse.paths(),
        run_id=run.run_id,
        launched_by="dagster",
        started_at=_iso(stats.start_time),
        finished_at=_iso(stats.end_time),
        build_seconds=stats.end_time - stats.start_time if stats.start_time and stats.end_time else None,
        failed_steps=failed_steps,
    )
    if outcome.problem:
        context.log.warning(outcome.message)
    return None if outcome.sent else dg.SkipReason(outcome.message)


def _iso(timestamp: float | None) -> str | None:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds") if timestamp else None


def failure_message(error) -> str:
    """The first line of what made a step fail: the innermost cause of the error Dagster wraps it in."""
    while error is not None and error.cause is not None:
        error = error.cause
    text = (error.message if error is not None else "").strip()
    return text.splitlines()[0] if text else "failed"


default_sensors = [new_files_in_drop_folder, alert_on_rejected_or_stale_build, alert_on_failed_build]

__all__ = [
    "alert_on_failed_build",
    "alert_on_rejected_or_stale_build",
    "default_sensors",
    "drop_folder_requests",
    "failure_message",
    "new_files_in_drop_folder",
]
