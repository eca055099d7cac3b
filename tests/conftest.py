"""Shared pytest fixtures: a small sample world and per-test warehouse homes."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

from sources.common.sample_world import SampleConfig, World
from tests import parallel

# Property tests: reproducible on CI (derandomize: the same examples every run; print_blob: a failure
# prints the blob that replays it with @reproduce_failure). HYPOTHESIS_PROFILE=dev explores new examples.
settings.register_profile(
    "ci", derandomize=True, print_blob=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, print_blob=True)
# A first look at a failure without minutes of shrinking (slow parsers on a busy machine).
settings.register_profile(
    "no-shrink", parent=settings.get_profile("ci"), phases=[p for p in Phase if p != Phase.shrink]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
parallel.give_the_worker_main_a_file()

# Small enough for unit tests to run in seconds, large enough for every planted pattern.
TEST_SCALE = 0.004


@pytest.fixture
def world() -> World:
    return World(SampleConfig(scale=TEST_SCALE, seed=7))


@pytest.fixture
def warehouse_home(tmp_path, monkeypatch):
    home = tmp_path / "warehouse_home"
    monkeypatch.setenv("WAREHOUSE_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver on 127.0.0.1 (its default, localhost, may resolve to ::1 first)."""
    return ("127.0.0.1", 0)


def pytest_sessionstart(session):
    """Before pytest-xdist starts its workers: parse the dbt project once if its manifest is stale, so two
    workers' first builds never parse it into the same dbt_project/target at once."""
    if parallel.is_xdist_worker() or getattr(session.config.option, "numprocesses", None) in (None, 0):
        return
    from orchestration.defs.dbt_project import ensure_manifest

    ensure_manifest()


def pytest_collection_modifyitems(config, items):
    if parallel.is_xdist_worker():
        parallel.longest_first(items)
