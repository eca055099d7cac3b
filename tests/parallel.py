"""What the suite needs to run on several pytest-xdist workers (`make test`: `-n auto --dist loadscope
--no-loadscope-reorder`, so the tests of a module, which may share a module-scoped fixture such as the Spark
build, run in one worker, and the modules are handed out in the order set here rather than by their number
of tests): one temporary folder all workers of a run share, a lock between workers, and an order that keeps
both workers busy. (`--dist loadgroup` with xdist_group marks would be finer, but pytest-xdist 3.8 marks a
group by rewriting `item._nodeid`, which pytest 9.2 no longer reads: the marks are ignored.)"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def is_xdist_worker() -> bool:
    return "PYTEST_XDIST_WORKER" in os.environ


def shared_temp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder: a worker's own folder (popen-gwN) sits in the one all workers share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if is_xdist_worker() else base


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on `path` (blocking) for the block: one worker at a time."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Seconds each module's tests took on two workers (`.ci/run` on a fresh clone with
# PYTEST_ARGS="--durations=100", 2026-12-06 23:48, summed, the shared build included where a module's
# first test waited for it); the modules not listed take seconds. Only the order depends on it: a
# rough figure is enough, and a new long module belongs here.
LONG_MODULES = {
    "tests/integration/test_plain_build_rebuilds_from_the_archive.py": 654,
    "tests/integration/test_spark_parity.py": 461,
    "tests/integration/test_killed_builds_lose_nothing.py": 368,
    "tests/integration/test_employer_ids_are_stable.py": 285,
    "tests/integration/test_benchmarks_smoke.py": 271,
    "tests/test_code_quality.py": 208,
    "tests/integration/test_gates_reject_bad_files.py": 150,
    "tests/integration/test_real_h2a_files_of_many_eras_publish.py": 126,
    "tests/integration/test_same_inputs_build_the_same_warehouse.py": 109,
    "tests/integration/test_weekly_update.py": 98,
    "tests/integration/test_release_and_publish.py": 92,
    "tests/integration/test_alerts.py": 91,
    "tests/unit/warehouse/linkage/test_linkage_quality.py": 88,
    "tests/integration/test_download_operations.py": 85,
    "tests/integration/test_drop_folder_reloads_one_fiscal_year.py": 71,
    "tests/integration/test_real_rows_never_stop_a_build.py": 56,
    "tests/unit/sources/test_whd_parse.py": 44,
    "tests/integration/test_real_files_load_under_any_name.py": 36,
    "tests/unit/warehouse/linkage/test_linkage_incremental.py": 34,
    "tests/integration/test_dbt_unit_tests.py": 31,
    "tests/integration/test_emerging_tail.py": 28,
}


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def longest_first(items: list[pytest.Item], fixture: str = "built_home") -> None:
    """Order for several workers (`--dist loadscope --no-loadscope-reorder`: a module is a unit of work,
    handed out in this order): the long modules first, longest first, so that what is left at the end
    is short and no worker idles while another finishes a long one; the unit tests last. The first
    module is the longest needing the shared build (its worker builds it), then those not needing it,
    so the other worker has work of its own instead of waiting for the build."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(_module(item), []).append(item)
    long = sorted((m for m in modules if m in LONG_MODULES), key=LONG_MODULES.__getitem__, reverse=True)
    needs_build = {m for m in long if any(fixture in item.fixturenames for item in modules[m])}
    builder = [m for m in long if m in needs_build][:1]
    first = [*builder, *(m for m in long if m not in needs_build)]
    order = [*first, *(m for m in long if m not in first), *(m for m in modules if m not in LONG_MODULES)]
    items[:] = [item for module in order for item in modules[module]]


def give_the_worker_main_a_file() -> None:
    """pyspark.sql.connect, on import, takes a `__main__` with neither `__spec__` nor `__file__` for a doctest
    run of its own and calls sys.exit(0) ("Skipping doctests") when its optional dependencies are missing.
    A pytest-xdist worker's `__main__` (execnet's) is such a module, so any import of it there, e.g. by Great
    Expectations or the Spark engine, would end the test with SystemExit. Name the file the worker runs."""
    main = sys.modules["__main__"]
    if is_xdist_worker() and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = sys.argv[0] or "pytest-xdist worker"
