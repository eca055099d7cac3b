"""Issue #17, alerts: a failed, partly rejected or stale build POSTs a JSON summary to
$WAREHOUSE_ALERT_WEBHOOK (a local HTTP server on 127.0.0.1 here) -- from the CLI for the builds it runs,
from the Dagster run-status sensors for the runs the daemon launches, never twice for one run; a
webhook that fails never fails the build, and its secret never shows."""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
import pytest

from orchestration.build import build_defs
from orchestration.defs.registry import extract_load_asset_names
from orchestration.defs.resources import warehouse_from_env
from orchestration.defs.sensors import alert_on_failed_build, alert_on_rejected_or_stale_build
from sources import whd
from tests.integration.conftest import run_cli
from tests.integration.test_gates_reject_bad_files import _set_column, _simple_rows, _whd_lines, _write_whd

pytestmark = pytest.mark.integration

SECRET = "s3cr3t-T0KEN"
WHD_ASSETS = [dg.AssetKey(name) for name in extract_load_asset_names(whd.SOURCE, whd.SOURCE.tables[0])]


@pytest.fixture
def webhook(httpserver, monkeypatch):
    httpserver.expect_request(f"/hooks/{SECRET}", method="POST").respond_with_data("ok")
    monkeypatch.setenv("WAREHOUSE_ALERT_WEBHOOK", httpserver.url_for(f"/hooks/{SECRET}?token={SECRET}"))
    return httpserver


def _alerts(httpserver) -> list[dict]:
    return [json.loads(request.data) for request, _ in httpserver.log if request.path.startswith("/hooks/")]


def _bad_whd_folder(home: Path, folder: Path) -> Path:
    member, lines = _whd_lines(home)
    return _write_whd(folder, member, _set_column(lines, "BW_ATP_AMT", b"-7", set(_simple_rows(lines)[:2])))


def test_the_cli_alerts_on_a_failed_build(home_copy, webhook, monkeypatch):
    webhook.expect_request(re.compile("^/mirror/.*")).respond_with_data("Not Found", status=404)
    monkeypatch.setenv("WAREHOUSE_DOWNLOAD_MIRROR", webhook.url_for("/mirror"))
    result = run_cli("build", "--only", "whd", "--source", "download", "--home", str(home_copy))
    assert result.exit_code == 1, result.output
    (alert,) = _alerts(webhook)
    assert alert["status"] == "failed" and alert["launched_by"] == "cli" and alert["published_version"] is None
    (failed,) = alert["failed_steps"]
    assert failed["step"] == "file_whd__enforcement" and "HTTP 404" in failed["error"]
    assert alert["run_id"] in result.output and alert["build_seconds"] > 0 and alert["finished_at"]
    assert f"Alert (failed) sent to http://127.0.0.1:{webhook.port}." in result.output
    assert SECRET not in result.output


def test_the_cli_alerts_on_a_rejected_then_stale_build_and_a_broken_webhook_is_only_a_warning(
    home_copy, webhook, tmp_path, monkeypatch
):
    folder = _bad_whd_folder(home_copy, tmp_path / "inputs").parent
    rejected = run_cli("build", "--only", "whd", "--source", str(folder), "--home", str(home_copy))
    assert rejected.exit_code == 3, rejected.output
    (alert,) = _alerts(webhook)
    assert alert["status"] == "rejected" and alert["published_version"], "published with the table kept"
    (table,) = alert["rejected"]
    assert (table["table"], table["partition"], table["file"]) == (
        "raw_whd__compliance_actions",
        "all",
        "WHD_enforcement.zip",
    )
    assert "money_non_negative" in table["reason"] and Path(table["report"]).exists()
    assert [s["table"] for s in alert["stale"]] == ["raw_whd__compliance_actions"]

    again = run_cli("build", "--home", str(home_copy))
    assert again.exit_code == 0, again.output
    assert "Nothing changed" in again.output
    stale = _alerts(webhook)[-1]
    assert stale["status"] == "stale" and stale["rejected"] == [] and stale["stale"][0]["report"] == table["report"]

    monkeypatch.setenv("WAREHOUSE_ALERT_WEBHOOK", f"http://127.0.0.1:{webhook.port}/missing/{SECRET}?token={SECRET}")
    broken = run_cli("build", "--only", "whd", "--source", str(folder), "--home", str(home_copy))
    assert broken.exit_code == 0, broken.output
    assert "raw_whd__compliance_actions: unchanged, still rejected" in broken.output, "the same bad file: not re-gated"
    assert f"warning: alert to http://127.0.0.1:{webhook.port} failed: HTTP 500" in broken.output
    assert SECRET not in broken.output


def _event(instance: dg.DagsterInstance, run_id: str, kind: dg.DagsterEventType) -> dg.DagsterEvent:
    (record,) = instance.get_records_for_run(run_id, of_type=kind).records
    return record.event_log_entry.dagster_event


def test_the_sensors_alert_on_runs_the_daemon_launches_but_not_on_cli_runs(home_copy, webhook, tmp_path):
    instance = dg.DagsterInstance.get()
    bad = _bad_whd_folder(home_copy, tmp_path / "inputs")
    warehouse = warehouse_from_env(home=str(home_copy), input_mode=str(bad.parent))
    defs = build_defs(resource_overrides={"warehouse": warehouse})
    job = defs.resolve_job_def("build_warehouse")
    run = job.execute_in_process(instance=instance, asset_selection=WHD_ASSETS, raise_on_error=False)
    assert run.success

    scopes = ExitStack()  # the warehouse resource has a run lifecycle (writer lock): sensor contexts are entered

    def status_context(run_id: str, name: str, kind: dg.DagsterEventType):
        context = dg.build_run_status_sensor_context(
            sensor_name=name,
            dagster_event=_event(instance, run_id, kind),
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(run_id),
            resources={"warehouse": warehouse},
        )
        return scopes.enter_context(context)

    context = status_context(run.run_id, "alert_on_rejected_or_stale_build", dg.DagsterEventType.RUN_SUCCESS)
    assert alert_on_rejected_or_stale_build(context) is None
    (alert,) = _alerts(webhook)
    assert (alert["status"], alert["run_id"], alert["launched_by"]) == ("rejected", run.run_id, "dagster")
    assert alert["rejected"][0]["file"] == "WHD_enforcement.zip" and alert["build_seconds"] is not None

    cli = run_cli("ingest", "whd", "--file", str(bad), "--home", str(home_copy))
    assert cli.exit_code == 1 and "Rejected" in cli.output
    (cli_run,) = instance.get_runs(limit=1)
    context = status_context(cli_run.run_id, "alert_on_rejected_or_stale_build", dg.DagsterEventType.RUN_SUCCESS)
    skipped = alert_on_rejected_or_stale_build(context)
    assert isinstance(skipped, dg.SkipReason) and "launched by the CLI" in skipped.skip_message
    assert len(_alerts(webhook)) == 1, "a CLI run is alerted by the CLI only"

    missing = warehouse_from_env(home=str(home_copy), input_mode=str(tmp_path / "no such folder"))
    failed = (
        build_defs(resource_overrides={"warehouse": missing})
        .resolve_job_def("build_warehouse")
        .execute_in_process(instance=instance, asset_selection=WHD_ASSETS, raise_on_error=False)
    )
    assert not failed.success
    context = status_context(failed.run_id, "alert_on_failed_build", dg.DagsterEventType.RUN_FAILURE)
    assert alert_on_failed_build(context.for_run_failure()) is None
    alert = _alerts(webhook)[-1]
    assert alert["status"] == "failed" and alert["run_id"] == failed.run_id
    assert alert["failed_steps"][0]["step"] == "file_whd__enforcement"
    assert "no such folder" in alert["failed_steps"][0]["error"]
    running = dg.DefaultSensorStatus.RUNNING
    assert alert_on_failed_build.default_status == alert_on_rejected_or_stale_build.default_status == running
