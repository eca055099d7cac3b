"""`warehouse docs --serve` builds the dbt documentation and serves it until Ctrl-C, and every
model, seed and column in the published warehouse is described (the catalog is what is really in
the database)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, timeout_seconds: float, server: subprocess.Popen) -> bytes:
    """GET `url`, retrying while the server is still generating the site."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(1)


def test_dbt_docs_are_served_and_every_column_is_described(built_home):
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "warehouse"), "docs", "--serve", "--port", str(port)],
        env={**os.environ, "WAREHOUSE_HOME": str(built_home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # As from a terminal: SIGINT at its default. A suite started in the background (nohup, `&`)
        # hands its children an ignored SIGINT, and Python then never raises KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        index = _get(f"{base}/index.html", 600, server)
        manifest = json.loads(_get(f"{base}/manifest.json", 30, server))
        catalog = json.loads(_get(f"{base}/catalog.json", 30, server))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output, _ = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()  # never leave a server behind; the test fails on the timeout
            raise
    assert b"<html" in index.lower()
    assert server.returncode == 0, output
    assert f"Serving the dbt docs on {base}" in output
    assert "stopped" in output
    undocumented = []
    for unique_id, entry in catalog["nodes"].items():
        node = manifest["nodes"][unique_id]
        if node["resource_type"] not in ("model", "seed"):
            continue
        if not node["description"].strip():
            undocumented.append(unique_id)
        described = {name.lower(): column["description"].strip() for name, column in node["columns"].items()}
        undocumented += [f"{unique_id}.{c}" for c in entry["columns"] if not described.get(c.lower())]
    assert undocumented == []
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert {"mart_industry_year", "mart_region_year", "mart_enforcement_gap", "mart_trends", "fct_whd_case"} <= {
        m["name"] for m in models
    }
    for source in manifest["sources"].values():
        assert source["description"].strip()
        assert all(c["description"].strip() for c in source["columns"].values())
