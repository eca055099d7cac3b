"""What a build step freed goes back to the system before the next step (sources/common/process_memory.py)."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.defs.jobs import build_warehouse, release_unused_memory_after_step
from sources.common.process_memory import release_unused_memory

MB = 2**20


def _resident_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def test_freed_arrow_memory_is_returned_to_the_system():
    strings = pc.cast(pa.array(np.arange(20_000_000)), pa.string())  # ~250 MB in pyarrow's pool
    del strings
    held = _resident_mb()
    release_unused_memory()
    assert held - _resident_mb() > 100, "pyarrow's pool kept the memory of a freed table"


def test_the_build_job_releases_it_after_every_step():
    assert release_unused_memory_after_step in build_warehouse.hooks
