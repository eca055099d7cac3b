"""Seconds of the steps of a linkage run, for its summary (benchmarks/linkage.py prints them)."""

from __future__ import annotations

import time


class Steps:
    """Seconds each step took, from the last step's end (or the start) to this one's."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.monotonic()

    def done(self, step: str) -> None:
        now = time.monotonic()
        self.seconds[step] = round(now - self._last, 2)
        self._last = now
