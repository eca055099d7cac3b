"""The Spark engine (`warehouse build --engine spark`): the same dbt models and employer linkage on Spark.

DuckDB is the default engine. With Spark:

- dbt runs `--target spark` (dbt-spark, `method: session`: pyspark inside dbt's own process, a local
  Spark, `local[2]` by default). Its sources are the Parquet lake (warehouse/ingest/lake.py), registered as
  tables by the project's `register_lake_sources` hook; its tables are Parquet under
  ``spark/warehouse/<schema>.db/<table>/``, their catalog a Derby metastore under ``spark/``, so the
  second dbt call (the marts) sees what the first one built.
- Employer linkage reads ``intermediate.int_employer_records`` from those files and predicts with
  splink's Spark backend (`session()` here, its own local Spark without a metastore, so it never
  locks Derby against dbt's), then writes the links to ``lake/linkage/int_employer_links/``.
- Publish copies the Spark-built schemas into the build database (`import_into_build_db`), then
  publishes as always: analysts get the same DuckDB file and Parquet, made by Spark.

What belongs here: the Spark settings, where Spark's files are, and moving tables between Spark's
files and DuckDB. Not here: the SQL (dbt_project/) and the linkage model (warehouse/linkage/).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

from sources.common.casting import sql_literal
from warehouse.ingest.lake import lake_table_dir, write_table
from warehouse.ingest.load import connect
from warehouse.settings import DUCKDB, SPARK, WarehousePaths, environment_set, spark_settings_from_env

# The dbt target of each engine (dbt_project/profiles.yml).
DBT_TARGETS = {DUCKDB: "dev", SPARK: "spark"}
# The schemas dbt builds on Spark, copied into the build database before publishing.
SPARK_SCHEMAS = ("reference", "intermediate", "marts")
LINKS = "int_employer_links"

LINKAGE_PARTITIONS_PER_SHUFFLE_PARTITION = 8


def warehouse_dir(paths: WarehousePaths) -> Path:
    return paths.spark_dir / "warehouse"


def table_dir(paths: WarehousePaths, schema: str, table: str) -> Path:
    """Where dbt-spark keeps a table's Parquet files (a managed table of the local metastore)."""
    return warehouse_dir(paths) / f"{schema}.db" / table


def dbt_env(paths: WarehousePaths) -> dict[str, str]:
    """The environment dbt's `spark` target reads (dbt_project/profiles.yml)."""
    return {
        "WAREHOUSE_SPARK_DIR": str(paths.spark_dir),
        "WAREHOUSE_LAKE": str(paths.lake_dir),
        **spark_settings_from_env(),
    }


@contextmanager
def dbt_environment(paths: WarehousePaths) -> Iterator[None]:
    """Set dbt's Spark environment for the duration of a dbt call; the links' lake folder exists
    (empty before the first linkage), so the sources hook can register it."""
    paths.spark_dir.mkdir(parents=True, exist_ok=True)
    if not lake_table_dir(paths, LINKS).exists():
        write_links(paths, pa.table({c: pa.array([], t) for c, t in _LINK_TYPES.items()}))
    with environment_set(dbt_env(paths)):
        yield


_LINK_TYPES = {
    "source": pa.string(),
    "record_id": pa.string(),
    "employer_id": pa.string(),
    "match_probability": pa.float64(),
}


def write_links(paths: WarehousePaths, links: pa.Table) -> Path:
    """The employer links, where the Spark marts read them (the `linkage.int_employer_links` source)."""
    return write_table(paths, LINKS, links.select(list(_LINK_TYPES)).cast(pa.schema(_LINK_TYPES)))


@contextmanager
def session(paths: WarehousePaths) -> Iterator:
    """A local SparkSession for a Python step (employer linkage): splink's similarity functions on the
    class path, no metastore (it reads and writes files), its scratch space under ``spark/``. Its JVM
    ends with the block: the build process does not keep a second JVM while dbt's Spark runs."""
    spark = _local_session(paths)
    try:
        yield spark
    finally:
        _stop(spark)


def _local_session(paths: WarehousePaths):
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    env = dbt_env(paths)
    shuffle = int(env["WAREHOUSE_SPARK_SHUFFLE_PARTITIONS"])
    scratch = paths.spark_dir / "python"
    scratch.mkdir(parents=True, exist_ok=True)
    spark = (
        SparkSession.builder.appName("warehouse-linkage")
        .master(env["WAREHOUSE_SPARK_MASTER"])
        .config("spark.driver.memory", env["WAREHOUSE_SPARK_DRIVER_MEMORY"])
        # The pairs splink compares grow faster than the records: more, smaller shuffle partitions than
        # dbt's, so one partition's pairs never have to fit in the driver's memory at once.
        .config("spark.sql.shuffle.partitions", str(LINKAGE_PARTITIONS_PER_SHUFFLE_PARTITION * shuffle))
        .config("spark.default.parallelism", str(shuffle))
        # Blocking joins the profiles with themselves ten times: sort-merge joins that spill to disk,
        # not broadcast copies of the profiles held in the driver's memory.
        .config("spark.sql.autoBroadcastJoinThreshold", "-1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")  # local: the loopback interface only
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.local.dir", str(scratch / "tmp"))
        .config("spark.jars", similarity_jar_location())
        .getOrCreate()
    )
    spark.sparkContext.setCheckpointDir(str(scratch / "checkpoints"))
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _stop(spark) -> None:
    """Stop the session and end its JVM (pyspark keeps the JVM of a stopped session until Python exits)."""
    from pyspark import SparkContext

    spark.stop()
    gateway = SparkContext._gateway
    if gateway is None:
        return
    process = getattr(gateway, "proc", None)
    gateway.shutdown()
    if process is not None:
        process.terminate()
        process.wait(timeout=60)
    SparkContext._gateway = None
    SparkContext._jvm = None


def _files(folder: Path) -> list[str]:
    return sorted(str(f) for f in folder.glob("*.parquet")) if folder.is_dir() else []


def read_table(paths: WarehousePaths, schema: str, table: str) -> pa.Table:
    """A table dbt built on Spark, read from its Parquet files (by DuckDB: no Spark needed to read).
    A table Spark holds no file of (an empty seed) is an empty table without columns."""
    files = _files(table_dir(paths, schema, table))
    if not files:
        return pa.table({})
    with connect(paths.build_db) as con:
        return con.sql(f"SELECT * FROM read_parquet({files!r})").to_arrow_table()


def import_into_build_db(paths: WarehousePaths, seeds_dir: Path, schemas: tuple[str, ...] = SPARK_SCHEMAS) -> dict:
    """Copy every table dbt built on Spark (its Parquet files) into the build database, replacing the
    DuckDB tables of the same name, so publish serves what Spark built. Returns rows per table.

    Spark writes no file for a seed without rows: such a table is emptied in DuckDB, or made from
    its CSV header (`seeds_dir`) when DuckDB never had it."""
    copied = {}
    with connect(paths.build_db) as con:
        for schema in schemas:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            root = warehouse_dir(paths) / f"{schema}.db"
            for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
                table, files = f'{schema}."{folder.name}"', _files(folder)
                if files:
                    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet({files!r})")
                elif (seeds_dir / f"{folder.name}.csv").exists():
                    csv = seeds_dir / f"{folder.name}.csv"
                    con.execute(
                        f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv({sql_literal(csv)}, header=true) "
                        "LIMIT 0"
                    )
                else:
                    raise FileNotFoundError(f"Spark holds no Parquet file of {schema}.{folder.name} in {folder}")
                copied[f"{schema}.{folder.name}"] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return copied


__all__ = [
    "DBT_TARGETS",
    "dbt_environment",
    "import_into_build_db",
    "read_table",
    "session",
    "table_dir",
    "write_links",
]
