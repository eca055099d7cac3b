"""Faults that lose nothing: `warehouse build` killed with SIGKILL at each stage (download, parse,
load, dbt, publish) leaves the published warehouse intact and readable, and the next build completes
without manual cleanup; a second build started while one runs is refused at once; analysts reading
the published copy the whole time see no error and never a half-published warehouse.

One home, the kills in sequence, then one final forced build, to keep CI time low. The stage a build
is in is read from what it prints (one line per step) and from the files it writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.integration.conftest import run_cli, sample_dir
from warehouse.access.query import run_query
from warehouse.operations.writer_lock import writer_lock
from warehouse.settings import PUBLISH_INFO, WarehousePaths
from warehouse_cli.app import EXIT_BUSY

WAREHOUSE = str(Path(sys.executable).parent / "warehouse")
MIN_READS = 1000
STAGE_TIMEOUT = 300.0

# Runs beside the builds, as an analyst would: each read opens the published copy read-only, checks in
# that one snapshot that the catalog's row counts are the tables' real counts, and records which build
# it saw (the run that loaded every table; a forced build reloads them all).
READER = """
import json, sys, time
from pathlib import Path
from warehouse.access.query import published_connection
from warehouse.settings import WarehousePaths

paths, stop = WarehousePaths.at(sys.argv[1]), Path(sys.argv[2])
reads, errors, seen = 0, [], []
while reads < int(sys.argv[3]) or not stop.exists():
    try:
        with published_connection(paths) as con:
            catalog = dict(con.execute(
                "select table_schema || '.' || table_name, row_count from audit.table_catalog "
                "where table_type = 'table'").fetchall())
            for table in ("marts.mart_industry_year", "marts.fct_whd_case", "raw.raw_whd__compliance_actions"):
                real = con.execute(f"select count(*) from {table}").fetchone()[0]
                if catalog.get(table) != real:
                    errors.append(f"{table}: catalog says {catalog.get(table)} rows, the table has {real}")
            (build,) = con.execute(
                "select string_agg(distinct run_id, ',' order by run_id) from audit.source_status").fetchone()
        if not seen or seen[-1] != build:
            seen.append(build)
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    reads += 1
    if reads == 1:
        print("reading", flush=True)
    time.sleep(0.03)
print(json.dumps({"reads": reads, "errors": errors[:20], "error_count": len(errors), "builds_seen": seen}))
"""


class _Build:
    """`warehouse build ...` in its own process group, its stderr lines collected as they come."""

    def __init__(self, *args: str, env: dict | None = None):
        self.process = subprocess.Popen(
            [WAREHOUSE, "build", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + STAGE_TIMEOUT
        while not ready():
            assert self.process.poll() is None, f"the build ended before {what}:\n" + "\n".join(self.lines[-40:])
            assert time.monotonic() < deadline, f"no {what} within {STAGE_TIMEOUT:.0f}s:\n" + "\n".join(
                self.lines[-40:]
            )
            time.sleep(0.05)

    def started(self, step: str) -> bool:
        return any(line.startswith(f"… {step}") for line in self.lines)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # the CLI and its dbt child, like a power cut
        self.process.wait()


@contextmanager
def _stalling_mirror(files: dict[str, Path]) -> Iterator[tuple[str, threading.Event]]:
    """A local mirror of the publishers' paths that sends half of each file, then stalls; yields its URL
    and an event set once half a file was sent."""
    stall, half_sent = threading.Event(), threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            data = files[self.path].read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            half_sent.set()
            stall.wait(STAGE_TIMEOUT)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", half_sent
    finally:
        stall.set()
        server.shutdown()
        server.server_close()


def _whd_mirror_files(home: Path) -> dict[str, Path]:
    from sources import source

    (table,) = source("whd").tables
    urls = {r.filename: urlsplit(r.url) for r in table.remote_files()}
    return {f"/{url.netloc}{url.path}": sample_dir(home) / name for name, url in urls.items()}


def _published(paths: WarehousePaths) -> tuple[str, str, int]:
    """Which version is current, the run that published it, and a mart's rows read through a query."""
    info = json.loads((paths.published_dir / PUBLISH_INFO).read_text(encoding="utf-8"))
    rows = run_query("select count(*) from marts.fct_whd_case", paths).rows[0][0]
    return os.readlink(paths.published_current), info["run_id"], rows


def _has_partial_download(paths: WarehousePaths) -> bool:
    return any((paths.raw_archive / ".tmp").glob("*.part"))


def _dbt_built_a_model(paths: WarehousePaths) -> bool:
    log = paths.build_dir / "dbt_output.log"
    return log.exists() and "OK created" in log.read_text(encoding="utf-8", errors="replace")


def _publish_half_written(paths: WarehousePaths) -> bool:
    return any((folder / "warehouse.duckdb").exists() for folder in paths.published_versions.glob(".*.partial"))


def _runs_left_started() -> list[str]:
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        running = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
        return [run.run_id for run in instance.get_runs(dg.RunsFilter(statuses=running))]


def _leftovers(paths: WarehousePaths) -> list[Path]:
    hidden = [*paths.published_versions.glob(".*"), *paths.published_dir.glob(".*")]
    return [*hidden, *paths.build_dir.rglob("*.tmp"), *(paths.raw_archive / ".tmp").glob("tmp*")]


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen]]:
    """Processes a test starts; any still running when it ends (a failed assertion) is killed."""
    processes: list[subprocess.Popen] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_builds_killed_at_every_stage_lose_nothing_and_readers_never_see_half_a_warehouse(home_copy, tmp_path, spawned):
    paths = WarehousePaths.at(home_copy)
    published = _published(paths)
    stop_reading = tmp_path / "stop-reading"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home_copy), str(stop_reading), str(MIN_READS)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    spawned.append(reader)
    assert reader.stdout.readline().strip() == "reading"

    def build(*args: str, env: dict | None = None) -> _Build:
        started = _Build(*args, env=env)
        spawned.append(started.process)
        return started

    def killed_at(stage: str, build: _Build, ready: Callable[[], bool]) -> None:
        build.wait_for(ready, f"{stage} stage")
        build.kill()
        assert _published(paths) == published, f"killed at {stage}: the published warehouse changed"

    with _stalling_mirror(_whd_mirror_files(home_copy)) as (mirror, half_sent):
        download = build("--force", "--only", "whd", "--source", "download", env={"WAREHOUSE_DOWNLOAD_MIRROR": mirror})
        killed_at("download", download, lambda: half_sent.is_set() and _has_partial_download(paths))

    parse = build("--force")
    parse.wait_for(lambda: parse.started("file_"), "first step")
    second = run_cli("build", "--home", str(home_copy))
    assert second.exit_code == EXIT_BUSY, second.output
    assert f"another build is running: pid {parse.process.pid}, `warehouse build`" in second.output
    killed_at("parse", parse, lambda: parse.started("parsed_h2a__disclosure"))

    load = build("--force")
    killed_at(
        "load", load, lambda: load.started("raw_h2a__disclosure") and paths.build_db.with_suffix(".duckdb.wal").exists()
    )

    dbt = build("--force", "--only", "mspa")
    killed_at("dbt", dbt, lambda: dbt.started("dbt_models") and _dbt_built_a_model(paths))

    publish = build("--force", "--only", "mspa")
    killed_at("publish", publish, lambda: _publish_half_written(paths))

    final = build("--force")
    for step in ("parsed_", "dbt_models", "published_warehouse"):  # analysts' CLI during the build
        final.wait_for(lambda step=step: final.started(step), f"step {step}")
        query = run_cli("query", "select count(*) as n from marts.fct_whd_case", "--format", "csv")
        assert query.exit_code == 0 and query.stdout.split() == ["n", str(published[2])], query.output
    assert final.process.wait(timeout=900) == 0, "\n".join(final.lines[-60:])
    stop_reading.touch()
    reads = json.loads(reader.communicate(timeout=300)[0].splitlines()[-1])

    version, run_id, rows = _published(paths)
    assert version != published[0] and run_id != published[1] and rows == published[2]
    assert not _leftovers(paths), "the next build cleaned up what the killed ones left"
    with writer_lock(paths, "test"):  # no stale lock
        pass
    assert not _runs_left_started(), "the killed builds' runs are marked failed in the run history"
    assert reads["reads"] >= MIN_READS
    assert reads["error_count"] == 0, reads["errors"]
    assert reads["builds_seen"] == [published[1], run_id], "readers saw the old build, then the new one, never back"
