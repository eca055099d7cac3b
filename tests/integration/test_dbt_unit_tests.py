"""dbt's unit tests (the `unit_tests:` of `dbt_project/models/**/_unit_tests.yml`) check the models' SQL on fixed
rows, so a build's data cannot fail them: a build leaves them out (orchestration/defs/resources.py) and this
module runs every one of them, once, on a copy of the tiny sample build (dbt reads the parent models' columns
from the database)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.defs.dbt_project import DBT_PROJECT_DIR, ensure_manifest
from orchestration.defs.resources import (
    BUILD_EXCLUDES_DBT_RESOURCE_TYPES,
    DBT_EXCLUDE_RESOURCE_TYPES_ENV,
    WarehouseResource,
)
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration


def _unit_test_ids() -> set[str]:
    return set(json.loads(ensure_manifest().read_text(encoding="utf-8"))["unit_tests"])


def _dbt_unit_tests(build_db: Path, target: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "WAREHOUSE_BUILD_DB": str(build_db)}
    env.pop(DBT_EXCLUDE_RESOURCE_TYPES_ENV, None)
    dbt = Path(sys.executable).with_name("dbt")
    where = ["--project-dir", DBT_PROJECT_DIR, "--profiles-dir", DBT_PROJECT_DIR, "--target-path", target]
    return subprocess.run(
        [dbt, "test", "--select", "test_type:unit", "--target", "dev", *where, "--log-path", target],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_dbt_unit_test_passes(built_home, tmp_path):
    build_db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(WarehousePaths.at(built_home).build_db, build_db)  # dbt opens it read-write
    ran = _dbt_unit_tests(build_db, tmp_path / "target")
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-2000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    statuses = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert set(statuses) == _unit_test_ids() and len(statuses) >= 20, sorted(statuses)
    assert set(statuses.values()) == {"pass"}, statuses


def test_a_build_leaves_the_unit_tests_out_unless_told_otherwise(tmp_path, monkeypatch):
    warehouse = WarehouseResource(home=str(tmp_path))
    monkeypatch.delenv(DBT_EXCLUDE_RESOURCE_TYPES_ENV, raising=False)
    with warehouse.dbt_environment():
        assert os.environ[DBT_EXCLUDE_RESOURCE_TYPES_ENV] == BUILD_EXCLUDES_DBT_RESOURCE_TYPES == "unit_test"
    assert DBT_EXCLUDE_RESOURCE_TYPES_ENV not in os.environ
    monkeypatch.setenv(DBT_EXCLUDE_RESOURCE_TYPES_ENV, "test unit_test")  # as the Spark parity test asks
    with warehouse.dbt_environment():
        assert os.environ[DBT_EXCLUDE_RESOURCE_TYPES_ENV] == "test unit_test"
