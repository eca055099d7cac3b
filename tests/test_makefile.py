"""`make dagster` serves the run history the CLI writes (DAGSTER_HOME from WAREHOUSE_HOME, as
warehouse/settings.py resolves it), on the port asked for, and stops on SIGTERM without leaving its
webserver, daemon or code server behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from warehouse.settings import WarehousePaths

REPO = Path(__file__).resolve().parents[1]
STOP_WAIT = 150  # seconds
STAMP = ".venv/.installed"  # `-o`: take the installed venv as up to date, never reinstall


def _clean_env(**extra: str) -> dict[str, str]:
    # MAKEFLAGS/MAKELEVEL come from `make test` itself: a sub-make would print "Entering directory".
    dropped = ("WAREHOUSE_HOME", "DAGSTER_HOME", "PORT", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, **extra}


def _dry_run(*args: str, **env: str) -> str:
    result = subprocess.run(
        ["make", "-n", "dagster", "-o", STAMP, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=_clean_env(**env),
    )
    return result.stdout


def test_make_dagster_uses_the_cli_dagster_home_and_takes_a_port():
    command = _dry_run("WAREHOUSE_HOME=/srv/warehouse", "PORT=3001").splitlines()[-1]
    assert command.startswith("exec "), "dagster dev replaces the shell, so signals reach it"
    assert f'DAGSTER_HOME="{WarehousePaths.at("/srv/warehouse").dagster_home}"' in command
    assert 'WAREHOUSE_HOME="/srv/warehouse"' in command and command.endswith("-h 127.0.0.1 -p 3001")

    default = _dry_run().splitlines()[-1]
    assert f'DAGSTER_HOME="{REPO / "data" / "dagster"}"' in default and default.endswith("-p 3000")
    from_environment = _dry_run(WAREHOUSE_HOME="relative/home").splitlines()[-1]
    assert f'DAGSTER_HOME="{REPO / "relative" / "home" / "dagster"}"' in from_environment
    assert 'DAGSTER_HOME="/elsewhere"' in _dry_run(DAGSTER_HOME="/elsewhere"), "as in the CLI, DAGSTER_HOME wins"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serving(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
            return True
    except OSError:
        return False


def _dagster_processes_of(home) -> list[int]:
    """Processes whose environment names this warehouse home (dagster dev and everything it started)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if f"WAREHOUSE_HOME={home}".encode() in environ.split(b"\0"):
            found.append(int(proc.name))
    return found


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.integration
@pytest.mark.alone  # timed: run after the parallel tests (make test), not beside other workers' builds
@pytest.mark.parametrize("sigint", [signal.SIG_DFL, signal.SIG_IGN], ids=["from a terminal", "from a script"])
def test_make_dagster_stops_on_sigterm_with_no_process_left(tmp_path, sigint):
    """Started as from a terminal, or in the background of a script (SIGINT ignored), SIGTERM stops it all."""
    port = _free_port()
    ui = subprocess.Popen(
        ["make", "dagster", "-o", STAMP, f"PORT={port}", f"WAREHOUSE_HOME={tmp_path / 'home'}"],
        cwd=REPO,
        env=_clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: every process it starts can be found
        # From a terminal SIGINT is at its default; a shell running jobs in the background ignores it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),
    )
    try:
        deadline = time.monotonic() + 180
        while not _serving(port):
            assert ui.poll() is None and time.monotonic() < deadline, "make dagster did not serve the UI"
            time.sleep(1)
        assert (tmp_path / "home" / "dagster" / "dagster.yaml").exists()
        ui.send_signal(signal.SIGTERM)
        # The launcher's own steps are bounded (orchestration/dev.py STOP_STEPS, 35 s); the margin is for a
        # machine busy with the other test workers' builds, where Python and dagster run slowly.
        ui.wait(timeout=STOP_WAIT)
        deadline = time.monotonic() + STOP_WAIT
        while _group_alive(ui.pid) and time.monotonic() < deadline:
            time.sleep(1)
        assert not _group_alive(ui.pid), "a process of make dagster outlived it"
        assert not _serving(port), "the webserver outlived make dagster"
        assert not _dagster_processes_of(tmp_path / "home"), "the webserver, daemon or code server outlived it"
    finally:
        if _group_alive(ui.pid):
            os.killpg(ui.pid, signal.SIGKILL)
