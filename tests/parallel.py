"""What the suite needs to run on several pytest-xdist workers (`make test`: `-n auto --dist loadscope`, so
the tests of a module, which may share a module-scoped fixture such as the Spark build, run in one worker):
one temporary folder all workers of a run share, a lock between workers, and an order that keeps both
workers busy. (`--dist loadgroup` with xdist_group marks would be finer, but pytest-xdist 3.8 marks a
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


def has_module_fixture(item: pytest.Item) -> bool:
    """Whether the test uses a fixture scoped to its own module (a Spark build, a second build: the longest
    units of work)."""
    module_id = item.nodeid.split("::", 1)[0]
    return any(
        definition.scope == "module" and definition.baseid == module_id
        for definitions in item._fixtureinfo.name2fixturedefs.values()
        for definition in definitions
    )


def start_the_shared_build_first(items: list[pytest.Item], fixture: str = "built_home") -> None:
    """Order for several workers: the first test needing the shared build, then every test that does not
    need it, then the others, those of modules with a module-scoped fixture first (begun last, the longest
    would leave the other worker idle at the end). The worker that builds is the only one that waits; the
    rest run unit tests."""
    needing = [item for item in items if fixture in item.fixturenames]
    if not needing:
        return
    others = [item for item in items if fixture not in item.fixturenames]
    rest = sorted(needing[1:], key=lambda item: not has_module_fixture(item))
    items[:] = [needing[0], *others, *rest]


def give_the_worker_main_a_file() -> None:
    """pyspark.sql.connect, on import, takes a `__main__` with neither `__spec__` nor `__file__` for a doctest
    run of its own and calls sys.exit(0) ("Skipping doctests") when its optional dependencies are missing.
    A pytest-xdist worker's `__main__` (execnet's) is such a module, so any import of it there, e.g. by Great
    Expectations or the Spark engine, would end the test with SystemExit. Name the file the worker runs."""
    main = sys.modules["__main__"]
    if is_xdist_worker() and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = sys.argv[0] or "pytest-xdist worker"
