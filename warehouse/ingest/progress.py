"""Download progress: a bar on the terminal (when stderr is one) and a log line every 10%.

The ~200 MB WHD zip takes minutes on a slow link; people want to see it move. Small files
(below 1 MB) are not reported.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

_MIN_BYTES = 1 << 20
_WIDTH = 30


class DownloadProgress:
    """A `ProgressCallback` (file name, bytes done, total or None) for `fetch_to_archive`."""

    def __init__(self, log: Callable[[str], None], stream=None):
        self.log = log
        self.stream = stream if stream is not None else sys.stderr
        self._last_decile: dict[str, int] = {}
        self._started: dict[str, float] = {}

    def __call__(self, name: str, done: int, total: int | None) -> None:
        started = self._started.setdefault(name, time.monotonic())
        if total is None or total < _MIN_BYTES:
            return
        share = min(done / total, 1.0)
        decile = int(share * 10)
        if decile > self._last_decile.get(name, -1):
            self._last_decile[name] = decile
            rate = done / max(time.monotonic() - started, 1e-6) / 1e6
            self.log(f"downloading {name}: {share:.0%} of {total / 1e6:,.1f} MB ({rate:,.1f} MB/s)")
        if getattr(self.stream, "isatty", lambda: False)():
            filled = int(share * _WIDTH)
            bar = "#" * filled + "." * (_WIDTH - filled)
            end = "\n" if done >= total else ""
            self.stream.write(f"\r    {name} [{bar}] {share:4.0%} {done / 1e6:8.1f}/{total / 1e6:.1f} MB{end}")
            self.stream.flush()
