"""Alerts: a failed, partly rejected or stale build POSTs a JSON summary to $WAREHOUSE_ALERT_WEBHOOK.

The CLI alerts on the builds it runs (`warehouse build`, `warehouse publish`); the Dagster run-status
sensors (orchestration/defs/sensors.py) on every other run of the build job (schedule, drop-folder
sensor, UI), so no run is alerted twice. The webhook URL is a secret (it often carries a token): only
its scheme and host are ever shown. A webhook that times out or fails never fails the build: the
problem is logged as a warning and returned.

    {"status": "failed" | "rejected" | "stale", "run_id": ..., "launched_by": "cli" | "dagster",
     "started_at": ..., "finished_at": ..., "build_seconds": ..., "failed_steps": [{"step", "error"}],
     "rejected": [{"table", "partition", "file", "sha256", "reason", "report"}],
     "stale": [{"table", "partition", "status", "last_accepted_file", "rejected_file", "report"}],
     "published_version": ... | null, "warehouse_home": ...}
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

import requests

from warehouse.quality.audit import FRESH, source_status
from warehouse.settings import ALERT_TIMEOUT_SECONDS, WarehousePaths, alert_webhook_from_env

log = logging.getLogger(__name__)

FAILED, REJECTED, STALE, OK = "failed", "rejected", "stale", "ok"


@dataclass(frozen=True)
class BuildSummary:
    """What an alert says about one build run."""

    status: str
    run_id: str
    launched_by: str
    started_at: str | None
    finished_at: str | None
    build_seconds: float | None
    warehouse_home: str
    published_version: str | None = None
    failed_steps: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)

    @property
    def needs_alert(self) -> bool:
        return self.status != OK


def summarize(
    paths: WarehousePaths,
    *,
    run_id: str,
    launched_by: str,
    started_at: str | None,
    finished_at: str | None,
    build_seconds: float | None,
    failed_steps: list[dict] = (),
    published_version: str | None = None,
) -> BuildSummary:
    """The summary of a finished run, from its failed steps and the build database's audit.source_status.

    Args:
        failed_steps: {"step": step key, "error": message} for each step that failed.
    """
    not_fresh = [row for row in source_status(paths.build_db) if row["status"] != FRESH]
    rejected = [_rejection(row) for row in not_fresh if row["run_id"] == run_id]
    status = FAILED if failed_steps else REJECTED if rejected else STALE if not_fresh else OK
    return BuildSummary(
        status=status,
        run_id=run_id,
        launched_by=launched_by,
        started_at=started_at,
        finished_at=finished_at,
        build_seconds=None if build_seconds is None else round(build_seconds, 1),
        warehouse_home=str(paths.home),
        published_version=published_version,
        failed_steps=list(failed_steps),
        rejected=rejected,
        stale=[_stale(row) for row in not_fresh],
    )


def _rejection(row: dict) -> dict:
    return {
        "table": row["table_name"],
        "partition": row["partition_key"],
        "file": row["rejected_file"],
        "sha256": row["rejected_sha256"],
        "reason": (row["rejection_reason"] or "")[:1000],
        "report": row["report_path"],
    }


def _stale(row: dict) -> dict:
    return {
        "table": row["table_name"],
        "partition": row["partition_key"],
        "status": row["status"],
        "last_accepted_file": row["last_accepted_file"],
        "rejected_file": row["rejected_file"],
        "report": row["report_path"],
    }


@dataclass(frozen=True)
class AlertOutcome:
    """What alerting on one run did: sent, skipped (and why), or a webhook problem (a warning)."""

    sent: bool
    message: str
    problem: bool = False


def alert_on_run(
    paths: WarehousePaths,
    *,
    run_id: str,
    launched_by: str,
    started_at: str | None,
    finished_at: str | None,
    build_seconds: float | None,
    failed_steps: list[dict],
) -> AlertOutcome:
    """The one alert path of the command line and the run-status sensors: summarize the run and POST it
    to $WAREHOUSE_ALERT_WEBHOOK when it failed, rejected a file or left a table stale. Never raises."""
    from warehouse.publish.versions import newest_version

    url = alert_webhook_from_env()
    if not url:
        return AlertOutcome(False, "no alert webhook set ($WAREHOUSE_ALERT_WEBHOOK)")
    newest = newest_version(paths)
    summary = summarize(
        paths,
        run_id=run_id,
        launched_by=launched_by,
        started_at=started_at,
        finished_at=finished_at,
        build_seconds=build_seconds,
        failed_steps=failed_steps,
        published_version=newest.name if newest and newest.run_id == run_id else None,
    )
    if not summary.needs_alert:
        return AlertOutcome(False, f"run {run_id}: every table fresh, nothing to alert")
    problem = send_alert(summary, url)
    if problem:
        return AlertOutcome(False, problem, problem=True)
    return AlertOutcome(True, f"Alert ({summary.status}) sent to {redacted(url)}.")


def send_alert(summary: BuildSummary, url: str | None = None, timeout: float = ALERT_TIMEOUT_SECONDS) -> str | None:
    """POST the summary to the webhook ($WAREHOUSE_ALERT_WEBHOOK unless `url`) within `timeout` seconds
    in all (a webhook that answers one byte at a time cannot hold the build: the deadline is total,
    not per read).

    Returns None when the webhook accepted it, else what went wrong, naming the webhook by scheme and
    host only; the caller shows it once (the command line prints it, a sensor logs it). Never raises.
    """
    url = url or alert_webhook_from_env()
    if not url:
        return "no webhook configured"
    outcome: dict[str, object] = {}

    def post() -> None:
        try:
            outcome["response"] = requests.post(url, json=asdict(summary), timeout=timeout)
        except requests.Timeout:  # requests' own read timeout can end the thread just before the join gives up
            outcome["timed_out"] = True
        except requests.RequestException as error:  # its text may hold the URL's path or query: not shown
            outcome["error"] = type(error).__name__

    sender = threading.Thread(target=post, name="alert", daemon=True)
    sender.start()
    sender.join(timeout)
    if sender.is_alive() or "timed_out" in outcome:
        return f"alert to {redacted(url)} failed: no answer within {timeout:g}s"
    if "error" in outcome:
        return f"alert to {redacted(url)} failed: {outcome['error']}"
    response = outcome["response"]
    if not response.ok:
        return f"alert to {redacted(url)} failed: HTTP {response.status_code}"
    return None


def redacted(url: str) -> str:
    """The webhook as it may be shown: scheme and host (and port), never its path, query or user."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # not a number: show none
        port = None
    return f"{parts.scheme}://{parts.hostname or '?'}" + (f":{port}" if port else "")
