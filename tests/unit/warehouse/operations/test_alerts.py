"""Alerts: the summary of a failed, rejected or stale build, POSTed as JSON to the webhook; a webhook that
fails or hangs never raises, and its URL (a secret) is shown by scheme and host only."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from werkzeug import Response

from warehouse.operations.alerts import FAILED, OK, REJECTED, STALE, redacted, send_alert, summarize
from warehouse.quality.audit import record_source_status
from warehouse.settings import WarehousePaths

SECRET = "T0KEN-s3cr3t"


@pytest.fixture
def paths(tmp_path) -> WarehousePaths:
    return WarehousePaths.at(tmp_path / "home").ensure()


def _summary(paths: WarehousePaths, run_id: str = "run-2", failed_steps=()):
    return summarize(
        paths,
        run_id=run_id,
        launched_by="cli",
        started_at="2026-01-05T06:00:00+00:00",
        finished_at="2026-01-05T06:03:00+00:00",
        build_seconds=180.04,
        failed_steps=list(failed_steps),
    )


def _reject(paths: WarehousePaths, run_id: str) -> None:
    good = [{"filename": "WHD_enforcement.zip", "sha256": "a" * 64}]
    record_source_status(paths.build_db, run_id="run-1", table="raw_whd", partition="all", files=good, row_count=5)
    record_source_status(
        paths.build_db,
        run_id=run_id,
        table="raw_whd",
        partition="all",
        files=[{"filename": "bad.zip", "sha256": "b" * 64}],
        row_count=5,
        rejection="FAILED money_non_negative: 3 failing",
        report_path="/reports/r.json",
    )


def test_the_status_says_failed_rejected_stale_or_ok(paths):
    assert _summary(paths).status == OK and not _summary(paths).needs_alert
    _reject(paths, "run-2")
    rejected = _summary(paths)
    assert rejected.status == REJECTED and rejected.needs_alert
    assert rejected.rejected == [
        {
            "table": "raw_whd",
            "partition": "all",
            "file": "bad.zip",
            "sha256": "b" * 64,
            "reason": "FAILED money_non_negative: 3 failing",
            "report": "/reports/r.json",
        }
    ]
    later = _summary(paths, run_id="run-3")
    assert later.status == STALE and later.rejected == [], "rejected in an earlier run: stale now"
    assert later.stale[0]["table"] == "raw_whd" and later.stale[0]["last_accepted_file"] == "WHD_enforcement.zip"
    failed = _summary(paths, run_id="run-3", failed_steps=[{"step": "dbt_models", "error": "a dbt test failed"}])
    assert failed.status == FAILED


def test_the_summary_is_posted_as_json(paths, httpserver):
    _reject(paths, "run-2")
    httpserver.expect_oneshot_request(f"/hooks/{SECRET}", method="POST").respond_with_data("ok")
    assert send_alert(_summary(paths), httpserver.url_for(f"/hooks/{SECRET}")) is None
    (request, _), *_ = httpserver.log
    payload = json.loads(request.data)
    assert payload["status"] == REJECTED and payload["run_id"] == "run-2" and payload["build_seconds"] == 180.0
    assert payload["rejected"][0]["report"] == "/reports/r.json"
    assert payload["started_at"] == "2026-01-05T06:00:00+00:00" and payload["launched_by"] == "cli"


def test_a_failing_or_hanging_webhook_is_a_warning_without_its_secret(paths, httpserver, caplog):
    _reject(paths, "run-2")
    summary = _summary(paths)
    httpserver.expect_request("/down").respond_with_data("no", status=503)
    httpserver.expect_request("/slow").respond_with_handler(lambda request: time.sleep(2) or Response("late"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]

    assert send_alert(summary, httpserver.url_for(f"/down?token={SECRET}")) == (
        f"alert to http://127.0.0.1:{httpserver.port} failed: HTTP 503"
    )
    slow = send_alert(summary, httpserver.url_for(f"/slow?token={SECRET}"), timeout=0.3)
    assert slow == f"alert to http://127.0.0.1:{httpserver.port} failed: no answer within 0.3s"
    refused = send_alert(summary, f"http://user:{SECRET}@127.0.0.1:{closed}/hooks/{SECRET}", timeout=2)
    assert refused == f"alert to http://127.0.0.1:{closed} failed: ConnectionError"
    assert all(SECRET not in problem for problem in (slow, refused)), "the webhook's secret is never shown"


def test_a_webhook_that_drips_one_byte_at_a_time_cannot_hold_the_build(paths):
    """Each byte arrives within the per-read timeout; the deadline is on the whole POST."""
    _reject(paths, "run-3")
    stop = threading.Event()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def drip() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            while not stop.wait(0.1):
                try:
                    connection.sendall(b"x")
                except OSError:
                    return

    dripping = threading.Thread(target=drip, daemon=True)
    dripping.start()
    started = time.monotonic()
    try:
        problem = send_alert(_summary(paths), f"http://127.0.0.1:{port}/hooks/{SECRET}", timeout=0.5)
    finally:
        stop.set()
        server.close()
    assert time.monotonic() - started < 2
    assert problem == f"alert to http://127.0.0.1:{port} failed: no answer within 0.5s"


def test_only_scheme_and_host_of_the_webhook_are_shown():
    assert redacted(f"https://user:{SECRET}@hooks.example.org:8443/services/{SECRET}?k={SECRET}") == (
        "https://hooks.example.org:8443"
    )
    assert redacted("https://hooks.example.org/x") == "https://hooks.example.org"
