"""Resources, configured from environment variables (never read inside assets).

- ``WAREHOUSE_HOME``: root of all data (default ``./data``).
- ``WAREHOUSE_SOURCE``: where inputs of runs Dagster launches come from (warehouse/settings.py):
  ``archive`` (default: each table's last accepted files, plus new files in the drop folder),
  ``download``, ``sample`` or a folder.
- ``WAREHOUSE_SAMPLE_SCALE`` / ``WAREHOUSE_SAMPLE_SEED``: the embedded sample's size and seed.
- ``WAREHOUSE_MAX_ROW_DROP``: share of rows a load may lose against the last accepted one (0.5).
- ``WAREHOUSE_DOWNLOAD_MIRROR``: fetch ``https://host/path`` from ``<mirror>/host/path`` instead.
  (``WAREHOUSE_DOWNLOAD_TOKEN``, a secret, is read where a download starts: never a resource setting.)
- ``WAREHOUSE_DROP_FOLDER``: folder the drop-folder sensor watches and a plain build reads new files
  from (default ``$WAREHOUSE_HOME/drop``).
- ``WAREHOUSE_KEEP_VERSIONS``: how many published versions to keep for rollback (default 5).
- ``WAREHOUSE_ENGINE``: ``duckdb`` (default) or ``spark``: where dbt and the employer linkage run
  (warehouse/spark.py; the CLI has ``--engine``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import Field, PrivateAttr

from orchestration.defs.dbt_project import dbt_project
from sources.common.archive import RawArchive
from sources.common.sample_world import SampleConfig
from warehouse.operations.writer_lock import acquire_writer_lock, release_writer_lock
from warehouse.settings import (
    DEFAULT_HOME,
    DEFAULT_KEEP_VERSIONS,
    DEFAULT_SAMPLE_SCALE,
    DEFAULT_SAMPLE_SEED,
    DEFAULT_SOURCE,
    DUCKDB,
    DUCKDB_MEMORY_LIMIT_ENV,
    SPARK,
    WarehousePaths,
    duckdb_memory_limit,
    environment_set,
    resource_settings_from_env,
)
from warehouse.spark import DBT_TARGETS

# dbt's unit tests check the models' SQL on fixed rows, so a build's data cannot fail them: the test suite
# runs them (tests/integration/test_dbt_unit_tests.py), a build leaves them out (~5 s a build, on the marts'
# critical path), as dbt advises. DBT_EXCLUDE_RESOURCE_TYPES set in the environment replaces this.
DBT_EXCLUDE_RESOURCE_TYPES_ENV = "DBT_EXCLUDE_RESOURCE_TYPES"
BUILD_EXCLUDES_DBT_RESOURCE_TYPES = "unit_test"


class WarehouseResource(dg.ConfigurableResource):
    """Where the warehouse lives and where its raw inputs come from."""

    home: str = DEFAULT_HOME
    input_mode: str = DEFAULT_SOURCE
    sample_scale: float = DEFAULT_SAMPLE_SCALE
    sample_seed: int = DEFAULT_SAMPLE_SEED
    # "replace": a raw table is replaced by the files of this run (a full build);
    # "merge": only the slices (replace_key values) present in this run's files are replaced (ingest).
    load_mode: str = "replace"
    # The row-count rule fails when a slice has more than this share fewer rows than last time.
    max_row_drop_share: float = 0.5
    # Download from a mirror instead of the publishers (https://host/path -> <mirror>/host/path).
    download_mirror: str = ""
    # Where people drop downloaded files for the sensor to load (default <home>/drop).
    drop_folder: str = ""
    # Tables whose row-count drop a person accepts on purpose for this run, who, and why (kept in audit).
    accept_row_drop: list[str] = Field(default_factory=list)
    accept_row_drop_reason: str = ""
    operator: str = ""
    # Published versions kept for `warehouse rollback` (the newest, current one included).
    keep_versions: int = DEFAULT_KEEP_VERSIONS
    # Parse, gate and load every table and rebuild and publish, even what did not change (--force).
    force: bool = False
    # Train the employer-linkage model again and predict every pair, even when the stored model is current.
    relink: bool = False
    # Where dbt and the employer linkage run: "duckdb" (the build database) or "spark" (warehouse/spark.py).
    engine: str = DUCKDB

    _holds_writer_lock: bool = PrivateAttr(default=False)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run holds the home's writer lock from start to end (warehouse/operations/writer_lock.py); a run the CLI
        executes in-process re-enters the CLI's. Sensors, which only read, initialize it outside a run."""
        run = context.dagster_run
        if run is None:
            return
        acquire_writer_lock(self.paths(), f"dagster run {run.run_id} of {run.job_name}")
        self._holds_writer_lock = True

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._holds_writer_lock:
            release_writer_lock(self.paths())
            self._holds_writer_lock = False

    def paths(self) -> WarehousePaths:
        return WarehousePaths.at(self.home).ensure()

    def drop_path(self) -> Path:
        return Path(self.drop_folder) if self.drop_folder else self.paths().drop_dir

    def archive(self) -> RawArchive:
        return RawArchive(self.paths().raw_archive)

    def sample_config(self) -> SampleConfig:
        return SampleConfig(scale=self.sample_scale, seed=self.sample_seed)

    def dbt_args(self) -> list[str]:
        """The dbt target of the engine (dbt_project/profiles.yml)."""
        return ["--target", DBT_TARGETS[self.engine]]

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """Point dbt's profile at this warehouse's build database, with the build's DuckDB memory limit
        (on Spark: its lake and Spark folder), without dbt's unit tests, for the duration of a dbt call."""
        wanted = {
            "WAREHOUSE_BUILD_DB": str(self.paths().build_db),
            DUCKDB_MEMORY_LIMIT_ENV: duckdb_memory_limit(),
            DBT_EXCLUDE_RESOURCE_TYPES_ENV: os.environ.get(
                DBT_EXCLUDE_RESOURCE_TYPES_ENV, BUILD_EXCLUDES_DBT_RESOURCE_TYPES
            ),
        }
        with environment_set(wanted):
            if self.engine == SPARK:
                from warehouse import spark

                with spark.dbt_environment(self.paths()):
                    yield
            else:
                yield


class WarehouseDbtResource(DbtCliResource):
    """dagster-dbt's dbt resource without two fixed costs of each dbt call: it learns dbt's version from
    the installed package instead of running `dbt --version` (which asks PyPI for the latest release:
    seconds per build, and a network call from an offline build), and it loads no dbt adapter into this
    process (dagster-dbt's fetch_row_counts and fetch_column_metadata need one; the assets use neither)."""

    @cached_property
    def _cli_version(self) -> version.Version:  # dagster-dbt runs `dbt --version` here
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):  # ~1-2 s a call: the profile, the adapter, dbt's macros
        return None


def warehouse_from_env(**overrides) -> WarehouseResource:
    """The warehouse resource as the environment configures it (warehouse.settings), with explicit
    overrides on top."""
    settings = resource_settings_from_env()
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return WarehouseResource(**settings)


def default_resources() -> dict[str, object]:
    return {
        "warehouse": warehouse_from_env(),
        "dbt": WarehouseDbtResource(project_dir=dbt_project),
    }


__all__ = ["WarehouseDbtResource", "WarehouseResource", "default_resources", "warehouse_from_env"]
