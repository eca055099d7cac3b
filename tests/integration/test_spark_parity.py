"""The same warehouse on Spark: `warehouse build --engine spark` builds the tiny sample's dbt models and
employer linkage on a local Spark (dbt-spark, splink's Spark backend) from the Parquet lake, and every
mart equals the DuckDB build's, row for row.

The DuckDB side is the session's `built_home`; the Spark build runs in a copy of it, whose raw tables
are unchanged (so not parsed again) and whose employer-id memory is wiped, so the Spark linkage assigns
every id itself. The comparison here is the test, so dbt's own tests are left out of the Spark build
(dbt's DBT_EXCLUDE_RESOURCE_TYPES): they pass on Spark too (`warehouse build --engine spark` runs
them), but they double its time on two cores. Needs Java 17+ (.ci/run installs it).
"""

from __future__ import annotations

import datetime
import decimal
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.integration.conftest import BUILD_SCALE, run_cli
from warehouse.settings import WarehousePaths
from warehouse.spark import table_dir

pytestmark = [pytest.mark.integration, pytest.mark.spark]

# Sums of binary floats depend on the order they are added in, which differs between engines.
REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def spark_home(built_home, tmp_path_factory) -> Path:
    if shutil.which("java") is None:
        pytest.fail("the Spark engine needs Java 17+ (`apt-get install openjdk-17-jre-headless`; .ci/run does)")
    home = tmp_path_factory.mktemp("spark") / "home"
    shutil.copytree(built_home, home, symlinks=True)
    with duckdb.connect(str(WarehousePaths.at(home).build_db)) as con:
        con.execute("DELETE FROM linkage.employer_record_ids")
        con.execute("DELETE FROM linkage.employer_id_merges")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAREHOUSE_HOME", str(home))
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", "test unit_test")
        result = run_cli(
            "build", "--engine", "spark", "--source", "sample", "--scale", BUILD_SCALE, "--home", str(home)
        )
    assert result.exit_code == 0, result.output
    return home


def _marts(home: Path) -> list[str]:
    with duckdb.connect(str(WarehousePaths.at(home).build_db), read_only=True) as con:
        return [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            ).fetchall()
        ]


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], list[tuple]]:
    result = con.execute(f"SELECT * FROM {relation}")
    columns = [d[0] for d in result.description]
    return columns, [tuple(_plain(v) for v in row) for row in result.fetchall()]


def _plain(value):
    """One spelling per value across engines: integers as int, other numbers as float, lists as tuples."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


def _sort_key(row: tuple) -> tuple:
    # Floats rounded for sorting only, so two engines' last-digit differences sort alike.
    return tuple(
        (v is None, round(v, 4) if isinstance(v, float) else v if not isinstance(v, datetime.date) else str(v))
        if not isinstance(v, tuple)
        else (False, str(v))
        for v in row
    )


def _equal(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (
            a is not None
            and b is not None
            and math.isclose(float(a), float(b), rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)
        )
    return a == b


def test_spark_builds_every_mart_equal_to_duckdb(built_home, spark_home):
    marts = _marts(built_home)
    assert {"mart_employer_leads", "mart_industry_year", "dim_employer", "fct_whd_case"} <= set(marts)
    spark_paths = WarehousePaths.at(spark_home)
    with duckdb.connect(str(WarehousePaths.at(built_home).build_db), read_only=True) as con:
        for mart in marts:
            duck_columns, duck_rows = _rows(con, f"marts.{mart}")
            files = sorted(str(f) for f in table_dir(spark_paths, "marts", mart).glob("*.parquet"))
            assert files, f"Spark built no marts.{mart}"
            spark_columns, spark_rows = _rows(con, f"read_parquet({files!r})")
            assert spark_columns == duck_columns, mart
            assert len(spark_rows) == len(duck_rows), f"{mart}: {len(spark_rows)} rows on Spark, {len(duck_rows)}"
            for duck_row, spark_row in zip(
                sorted(duck_rows, key=_sort_key), sorted(spark_rows, key=_sort_key), strict=True
            ):
                differing = {
                    column: (d, s)
                    for column, d, s in zip(duck_columns, duck_row, spark_row, strict=True)
                    if not _equal(d, s)
                }
                assert not differing, f"{mart}: {differing} in {dict(zip(duck_columns, duck_row, strict=True))}"


def test_spark_build_publishes_its_marts(spark_home):
    """Analysts get the Spark build like any other: the published DuckDB file holds Spark's marts."""
    paths = WarehousePaths.at(spark_home)
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        published = con.execute("SELECT count(*) FROM marts.mart_employer_leads").fetchone()[0]
    files = sorted(str(f) for f in table_dir(paths, "marts", "mart_employer_leads").glob("*.parquet"))
    assert published == duckdb.sql(f"SELECT count(*) FROM read_parquet({files!r})").fetchall()[0][0] > 0
    lake = paths.lake_dir
    assert (lake / "h2a" / "raw_h2a__disclosure").is_dir()
    assert any((lake / "h2a" / "raw_h2a__disclosure").glob("file_fiscal_year=*/*.parquet"))
    assert any((lake / "linkage" / "int_employer_links").glob("*.parquet"))
