"""Shared pytest fixtures: a small sample world and per-test warehouse homes."""

from __future__ import annotations

import pytest

from sources.common.sample_world import SampleConfig, World

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
