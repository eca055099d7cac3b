"""A tiny warehouse built once per test session through the real CLI (the same Dagster job as
`make demo`), shared read-only by the integration tests; tests that break things copy it first."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orchestration.run import write_dagster_yaml
from tests.parallel import exclusive_lock, shared_temp_root
from warehouse.settings import WarehousePaths
from warehouse_cli import app

BUILD_SCALE = "0.004"


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="session")
def built_home(tmp_path_factory) -> Path:
    """Built once per `pytest` run, also under pytest-xdist: the first worker to need it builds it in the
    run's shared temporary folder while holding a lock; the others wait and then read the same home."""
    root = shared_temp_root(tmp_path_factory)
    home, done = root / "built" / "home", root / "built" / "done"
    with exclusive_lock(root / "built.lock"):
        if not done.exists():
            shutil.rmtree(home.parent, ignore_errors=True)  # what a failed build in another worker left
            _build_sample_home(home)
            done.touch()
    return home


def _build_sample_home(home: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAREHOUSE_HOME", str(home))
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        (home / "dagster").mkdir(parents=True)
        write_dagster_yaml(home / "dagster")
        result = run_cli("build", "--source", "sample", "--scale", BUILD_SCALE, "--home", str(home))
    assert result.exit_code == 0, result.output


@pytest.fixture
def home_copy(built_home, tmp_path, monkeypatch) -> Path:
    """A private copy of the built warehouse for tests that load bad files into it."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home, symlinks=True)
    monkeypatch.setenv("WAREHOUSE_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return home


def sample_dir(home: Path) -> Path:
    (folder,) = WarehousePaths.at(home).samples.glob("scale-*")
    return folder


def write_xlsx(path: Path, sheets: list[tuple[str, list[list]]]) -> Path:
    """Write rows as an .xlsx the way OFLC does: one sheet per entry, dates as date cells."""
    import datetime

    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with xlsxwriter.Workbook(str(path)) as workbook:
        date_format = workbook.add_format({"num_format": "m/d/yyyy h:mm:ss"})
        for name, rows in sheets:
            sheet = workbook.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if isinstance(value, (datetime.date, datetime.datetime)):
                        moment = (
                            value
                            if isinstance(value, datetime.datetime)
                            else datetime.datetime.combine(value, datetime.time())
                        )
                        sheet.write_datetime(r, c, moment, date_format)
                    elif value not in ("", None):
                        sheet.write(r, c, value)
    return path


@contextmanager
def dagster_ui(home: Path, timeout_seconds: float = 120):
    """Serve the Dagster UI for `home`'s run history; yields a function running GraphQL queries
    against the same API the browser UI uses."""
    import json
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DAGSTER_HOME": str(home / "dagster"), "WAREHOUSE_HOME": str(home)}
    repo = Path(__file__).resolve().parents[2]
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def graphql(query: str) -> dict:
        request = urllib.request.Request(
            f"{base}/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = json.loads(response.read())
        assert "errors" not in payload, payload
        return payload["data"]

    try:
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                graphql("{ version }")
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the Dagster UI did not start") from None
                time.sleep(1)
        yield graphql
    finally:
        server.terminate()
        server.wait(timeout=30)
