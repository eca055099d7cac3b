"""A WAREHOUSE_HOME with an apostrophe in its path (/srv/o'brien/data) works: every SQL statement that
carries a path quotes it (sql_literal) or passes it as a parameter."""

from __future__ import annotations

import duckdb

from sources.common.casting import sql_literal
from sources.h2a.contract import ADDENDUM_B_WORKSITES
from warehouse.access.query import run_query
from warehouse.ingest.lake import write_raw_table
from warehouse.publish.versions import publish
from warehouse.settings import WarehousePaths


def test_sql_literal_doubles_quotes():
    text = "it's"
    assert sql_literal("/srv/o'brien/x.parquet") == "'/srv/o''brien/x.parquet'"
    with duckdb.connect() as con:
        assert con.execute(f"select {sql_literal(text)}").fetchone() == (text,)


def test_publish_query_and_the_lake_under_a_home_with_an_apostrophe(tmp_path):
    paths = WarehousePaths.at(tmp_path / "o'brien" / "data").ensure()
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.mart_trends as select 1 as n")
    publish(paths, run_id="one")
    assert run_query("select n from marts.mart_trends", paths).rows == [(1,)]
    assert list(paths.published_dir.rglob("*.parquet")), "the Parquet exports were written"
    folder = write_raw_table(paths, ADDENDUM_B_WORKSITES, partition_column="file_fiscal_year")
    assert list(folder.rglob("*.parquet")), "the lake copy was written"
