"""Where everything lives: one root (``WAREHOUSE_HOME``, default ``./data``) and fixed sub-paths.

raw/                     immutable raw archive (see sources/common/archive.py)
sample/<config>/         generated sample files in their real names
build/warehouse.duckdb   the build database (one writer: the pipeline)
build/parsed/            parsed tables as Parquet, gated before load
lake/<source>/<table>/   the gated raw layer as Parquet, for any engine (warehouse/ingest/lake.py); H-2A tables
                         one folder per fiscal year (file_fiscal_year=N/); lake/linkage/ the employer links
spark/                   the Spark engine's metastore and tables (`--engine spark`, warehouse/spark.py)
published/               what analysts read (warehouse/publish/versions.py):
  versions/<UTC time>/   the last published versions, each complete and read-only: warehouse.duckdb,
                         published.json (with every other file's sha256), datapackage.json, parquet/
  current                link to the version analysts read
  warehouse.duckdb, ...  links to current/warehouse.duckdb, ... (one per file of the current version)
reports/                 validation reports of rejected loads
drop/                    files dropped by hand for the drop-folder sensor and a plain build (WAREHOUSE_DROP_FOLDER)
dagster/                 Dagster instance storage for `warehouse build` runs (DAGSTER_HOME, if set, wins)
writer.lock              held by the one process writing the build database or publishing
                         (warehouse/operations/writer_lock.py)

Settings read from the environment here (others are read where the resource is configured,
orchestration/defs/resources.py): where inputs come from, how many rows of a file may be set aside,
where alerts go, and what an analyst query may hold in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sources.common.duckdb_memory import (  # noqa: F401  (the build's DuckDB memory limit: one setting)
    DUCKDB_MEMORY_LIMIT_ENV,
    duckdb_memory_limit,
)

HOME_ENV = "WAREHOUSE_HOME"
DEFAULT_HOME = "data"
PUBLISHED_DB = "warehouse.duckdb"
PUBLISH_INFO = "published.json"
# The storage format of the build database and of every published copy. DuckDB 2.x writes storage format
# 69 by default, which no 1.x client opens; a version string makes it write an older format: "vX.Y.0" is
# readable by clients from X.Y on. v1.1.0 is the oldest that round-trips our warehouse (a v1.0.0 file
# written by 2.0.1 fails in 1.0 clients on primary keys); it costs ~14% in size against v1.5.0 at scale 1
# and keeps every client from 1.1 to 2.x reading. A file keeps the format it was created in, so a build
# database created in it is published by copying the file (warehouse/publish/versions.py copy_database).
STORAGE_VERSION = "v1.1.0"
TEMP_SUFFIX = ".tmp"  # a file under build/ being written; renamed into place once complete

# Where a build takes its inputs: the raw archive's last accepted files (plus new files in the drop
# folder), the embedded sample, a live download, or any other value: a folder of downloaded files.
ARCHIVE_MODE = "archive"
SAMPLE_MODE = "sample"
DOWNLOAD_MODE = "download"
SOURCE_ENV = "WAREHOUSE_SOURCE"  # for runs Dagster launches (schedule, UI); the CLI has --source
DEFAULT_SOURCE = ARCHIVE_MODE  # the sample only when asked for: never overwrite ingested files by default

# Downloads: fetch https://host/path from <mirror>/host/path; send this token as `Authorization: Bearer`.
# The token is read where a download starts, never kept in a resource: Dagster stores resource config.
MIRROR_ENV = "WAREHOUSE_DOWNLOAD_MIRROR"
TOKEN_ENV = "WAREHOUSE_DOWNLOAD_TOKEN"

# A failed, partly rejected or stale build POSTs a JSON summary here (the URL is a secret: never logged).
ALERT_WEBHOOK_ENV = "WAREHOUSE_ALERT_WEBHOOK"
ALERT_TIMEOUT_SECONDS = 10.0


# Rows set aside at parsing (a value that does not cast, a blank key) go to audit.rejected_rows and the
# rest of the file loads -- unless more than MIN_SET_ASIDE_ROWS rows *and* more than this share of the
# file's rows fail (or more than half of them): then the layout is wrong, not a row, and the file is
# refused whole (sources/common/parsing.py too_many_set_aside). 1 %: a real file has a handful of bad
# rows; a shifted column or a changed format fails far more.
# Where dbt and employer linkage run (docs/scale-out.md): runs Dagster launches read the environment;
# the command line has --engine.
DUCKDB = "duckdb"
SPARK = "spark"
ENGINES = (DUCKDB, SPARK)
ENGINE_ENV = "WAREHOUSE_ENGINE"
# A local Spark on a small machine: two cores, a few shuffle partitions (Spark's 200 would be mostly
# empty tasks at this size), no web UI. The environment overrides each.
SPARK_DEFAULTS = {
    "WAREHOUSE_SPARK_MASTER": "local[2]",
    "WAREHOUSE_SPARK_DRIVER_MEMORY": "3g",
    "WAREHOUSE_SPARK_SHUFFLE_PARTITIONS": "4",
}


def engine_from_env() -> str:
    engine = os.environ.get(ENGINE_ENV) or DUCKDB
    if engine not in ENGINES:
        raise ValueError(f"{ENGINE_ENV} must be one of {', '.join(ENGINES)}; got {engine!r}")
    return engine


def spark_settings_from_env() -> dict[str, str]:
    """The local Spark's settings: each WAREHOUSE_SPARK_* variable, else its default."""
    return {name: os.environ.get(name) or value for name, value in SPARK_DEFAULTS.items()}


KEEP_VERSIONS_ENV = "WAREHOUSE_KEEP_VERSIONS"
DEFAULT_KEEP_VERSIONS = 5
DEFAULT_SAMPLE_SCALE = 0.01
DEFAULT_SAMPLE_SEED = 20261125


def keep_versions_from_env() -> int:
    """How many published versions to keep: $WAREHOUSE_KEEP_VERSIONS, default 5, at least 1."""
    raw = os.environ.get(KEEP_VERSIONS_ENV) or str(DEFAULT_KEEP_VERSIONS)
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError(f"{KEEP_VERSIONS_ENV} must be a whole number of at least 1; got {raw!r}")
    return int(raw)


def resource_settings_from_env() -> dict[str, object]:
    """What the environment says of the warehouse resource of runs Dagster launches (the schedule, the
    UI, sensors); the command line overrides some with its options."""
    env = os.environ
    return dict(
        home=env.get(HOME_ENV) or DEFAULT_HOME,
        input_mode=source_from_env(),
        sample_scale=float(env.get("WAREHOUSE_SAMPLE_SCALE") or DEFAULT_SAMPLE_SCALE),
        sample_seed=int(env.get("WAREHOUSE_SAMPLE_SEED") or DEFAULT_SAMPLE_SEED),
        max_row_drop_share=float(env.get("WAREHOUSE_MAX_ROW_DROP") or 0.5),
        download_mirror=download_mirror_from_env(),
        drop_folder=env.get("WAREHOUSE_DROP_FOLDER") or "",
        keep_versions=keep_versions_from_env(),
        engine=engine_from_env(),
    )


MAX_SET_ASIDE_SHARE_ENV = "WAREHOUSE_MAX_SET_ASIDE_SHARE"
DEFAULT_MAX_SET_ASIDE_SHARE = 0.01
MIN_SET_ASIDE_ROWS = 10  # a small file may always lose this many rows without being refused


def max_set_aside_share() -> float:
    """The share of a file's rows that may be set aside before the file is refused whole.

    Raises:
        ValueError: WAREHOUSE_MAX_SET_ASIDE_SHARE is not a number between 0 and 1.
    """
    text = os.environ.get(MAX_SET_ASIDE_SHARE_ENV) or ""
    if not text.strip():
        return DEFAULT_MAX_SET_ASIDE_SHARE
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise ValueError(f"{MAX_SET_ASIDE_SHARE_ENV} must be a share between 0 and 1 (e.g. 0.01), not {text!r}")
    return share


def source_from_env() -> str:
    return os.environ.get(SOURCE_ENV) or DEFAULT_SOURCE


def download_mirror_from_env() -> str:
    """The download mirror, or "". A mirror URL may not hold a credential: Dagster stores it with each run.

    Raises:
        ValueError: the mirror URL has a user, password or query string.
    """
    mirror = os.environ.get(MIRROR_ENV) or ""
    parts = urlsplit(mirror)
    if parts.username or parts.password or parts.query:
        raise ValueError(
            f"{MIRROR_ENV} may not hold a user, password or query string (it is stored with each run); "
            f"put a token in {TOKEN_ENV} instead"
        )
    return mirror


def download_token_from_env() -> str | None:
    return os.environ.get(TOKEN_ENV) or None


@contextmanager
def environment_set(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block (a dbt call reads its profile from them),
    then put back what was there."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def alert_webhook_from_env() -> str | None:
    return os.environ.get(ALERT_WEBHOOK_ENV) or None


# What one analyst query (`warehouse query`, `warehouse shell`) may hold in memory before it spills to
# a temp folder of its own; above it, and when it cannot spill, the query fails with a clear error.
QUERY_MEMORY_LIMIT_ENV = "WAREHOUSE_QUERY_MEMORY_LIMIT"
DEFAULT_QUERY_MEMORY_LIMIT = "2GB"
DEFAULT_QUERY_TIMEOUT_SECONDS = 300.0  # `--timeout`: an analyst query is interrupted after this long

# The settings that are secrets: no analyst SQL may read them (warehouse/access/query.py).
SECRET_ENVS = (TOKEN_ENV, ALERT_WEBHOOK_ENV)


def query_memory_limit() -> str:
    return os.environ.get(QUERY_MEMORY_LIMIT_ENV) or DEFAULT_QUERY_MEMORY_LIMIT


def secrets_in_environment() -> list[str]:
    """The secret settings this process was given: set now, or in the environment it started with
    (/proc/self/environ keeps that even after os.environ drops a name)."""
    names = {name for name in SECRET_ENVS if os.environ.get(name)}
    try:
        started_with = Path("/proc/self/environ").read_bytes().split(b"\0")
    except OSError:  # not Linux
        started_with = []
    for entry in started_with:
        name, _, value = entry.partition(b"=")
        if value and name.decode(errors="replace") in SECRET_ENVS:
            names.add(name.decode())
    return sorted(names)


@dataclass(frozen=True)
class WarehousePaths:
    home: Path

    @classmethod
    def from_env(cls) -> WarehousePaths:
        return cls(Path(os.environ.get(HOME_ENV) or DEFAULT_HOME).resolve())

    @classmethod
    def at(cls, home: str | Path) -> WarehousePaths:
        return cls(Path(home).resolve())

    @property
    def raw_archive(self) -> Path:
        return self.home / "raw"

    @property
    def samples(self) -> Path:
        return self.home / "sample"

    @property
    def build_dir(self) -> Path:
        return self.home / "build"

    @property
    def build_db(self) -> Path:
        return self.build_dir / "warehouse.duckdb"

    @property
    def parsed_dir(self) -> Path:
        return self.build_dir / "parsed"

    def sheets_dir(self, table: str) -> Path:
        """Workbook sheets a build read while acquiring `table`'s files, for its parser (sheet_shelf.py)."""
        return self.build_dir / "sheets" / table

    @property
    def lake_dir(self) -> Path:
        """The gated raw layer as Parquet (warehouse/ingest/lake.py): what a distributed engine reads."""
        return self.home / "lake"

    @property
    def spark_dir(self) -> Path:
        """The Spark engine's metastore, warehouse folder (its tables as Parquet) and logs."""
        return self.home / "spark"

    @property
    def published_dir(self) -> Path:
        return self.home / "published"

    @property
    def published_db(self) -> Path:
        return self.published_dir / PUBLISHED_DB

    @property
    def published_versions(self) -> Path:
        return self.published_dir / "versions"

    @property
    def published_current(self) -> Path:
        return self.published_dir / "current"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def drop_dir(self) -> Path:
        return self.home / "drop"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def writer_lock(self) -> Path:
        return self.home / "writer.lock"

    def ensure(self) -> WarehousePaths:
        for path in (self.raw_archive, self.build_dir, self.parsed_dir, self.published_dir, self.reports_dir):
            path.mkdir(parents=True, exist_ok=True)
        return self
