"""`make dagster`: `dagster dev` that stops, with everything it started, on SIGTERM or Ctrl-C however it
was started.

A script that starts it in the background leaves SIGINT ignored in it, and `dagster dev` stops its
webserver, daemon and code server only on SIGINT; a slow machine may also take long to stop them. This
launcher runs `dagster dev` in a process group of its own with SIGINT at its default, and on SIGTERM or
SIGINT asks that group to stop (SIGINT), then insists (SIGTERM), then kills it (SIGKILL), each after a
bounded wait, so nothing it started outlives it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration.run import write_dagster_yaml

# (signal, seconds to wait for the group to end after sending it)
STOP_STEPS = ((signal.SIGINT, 20.0), (signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0))


def main(argv: list[str]) -> int:
    if os.environ.get("DAGSTER_HOME"):
        write_dagster_yaml(Path(os.environ["DAGSTER_HOME"]))  # the one writer of the instance settings
    dagster = Path(sys.executable).parent / "dagster"
    child = subprocess.Popen(
        [str(dagster), "dev", *argv],
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )

    def stop(signum, frame) -> None:
        stop_group(child)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = child.wait()
    stop_group(child)  # dagster dev ended by itself: leave none of its children behind
    return code


def stop_group(child: subprocess.Popen) -> None:
    """Stop the child's process group, politely first; return once no process of it is left."""
    for sig, seconds in STOP_STEPS:
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            child.poll()
            if not _group_alive(child.pid):
                return
            time.sleep(0.2)


def _group_alive(group: int) -> bool:
    """Whether a live process of the group is left. An exited one whose parent is gone may stay a zombie
    until init reaps it (some container inits never do): it holds nothing and does not count."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state not in ("Z", "X"):
            return True
    return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
