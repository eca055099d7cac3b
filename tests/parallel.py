"""What the suite needs to run on several pytest-xdist workers (`make test` runs `-n auto`): one temporary
folder all workers of a run share, a lock between workers, and the grouping that keeps tests sharing an
expensive module-scoped fixture (or the Spark session) in one worker, so the fixture is made once."""

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


def module_group(item: pytest.Item) -> str | None:
    """The module's name when the test uses a fixture scoped to its module (made once per worker that runs
    any of the module's tests), else None."""
    module_id = item.nodeid.split("::", 1)[0]
    for definitions in item._fixtureinfo.name2fixturedefs.values():
        for definition in definitions:
            if definition.scope == "module" and definition.baseid == module_id:
                return module_id
    return None


def group_by_shared_fixture(items: list[pytest.Item]) -> None:
    """Mark tests for `--dist loadgroup`: the tests of a module with a module-scoped fixture run in one worker
    (an explicit xdist_group mark, such as the Spark tests', wins)."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None and (group := module_group(item)) is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def start_the_shared_build_first(items: list[pytest.Item], fixture: str = "built_home") -> None:
    """Order for several workers: the first test needing the shared build, then every test that does not
    need it, then the others. The worker that builds is the only one that waits; the rest run unit tests."""
    needing = [item for item in items if fixture in item.fixturenames]
    if not needing:
        return
    others = [item for item in items if fixture not in item.fixturenames]
    items[:] = [needing[0], *others, *needing[1:]]


def give_the_worker_main_a_file() -> None:
    """pyspark.sql.connect, on import, takes a `__main__` with neither `__spec__` nor `__file__` for a doctest
    run of its own and calls sys.exit(0) ("Skipping doctests") when its optional dependencies are missing.
    A pytest-xdist worker's `__main__` (execnet's) is such a module, so any import of it there, e.g. by Great
    Expectations or the Spark engine, would end the test with SystemExit. Name the file the worker runs."""
    main = sys.modules["__main__"]
    if is_xdist_worker() and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = sys.argv[0] or "pytest-xdist worker"
