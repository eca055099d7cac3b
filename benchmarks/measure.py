"""Wall time and peak resident memory of a command and every process it starts (sampled from /proc)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.2


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    # (unix time, resident bytes of the tree) every SAMPLE_SECONDS: which stage holds the peak.
    timeline: tuple[tuple[float, int], ...] = ()


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The command name (field 2) may hold spaces: the parent pid follows its closing parenthesis.
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def tree_rss_bytes(root: int) -> int:
    """Resident bytes of `root` and all its descendants now."""
    tree, total, pending = _children(), 0, [root]
    while pending:
        pid = pending.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):  # it may have ended meanwhile
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_BYTES
        pending += tree.get(pid, [])
    return total


class PeakRss:
    """Samples the resident memory of a process tree in a thread; `peak_bytes` is the highest sum seen."""

    def __init__(self, root: int):
        self.root = root
        self.peak_bytes = 0
        self.timeline: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = tree_rss_bytes(self.root)
            self.timeline.append((time.time(), rss))
            self.peak_bytes = max(self.peak_bytes, rss)
            self._stop.wait(SAMPLE_SECONDS)


def run_measured(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run `command` to its end; its wall time and the peak RSS of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakRss(process.pid) as peak:
        stdout, stderr = process.communicate()
    return Measured(
        time.perf_counter() - started,
        peak.peak_bytes / 1e6,
        process.returncode,
        stdout,
        stderr,
        tuple(peak.timeline),
    )


class Timer:
    """`with Timer() as t: ...` then `t.seconds`."""

    def __enter__(self) -> Timer:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._started
