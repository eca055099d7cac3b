"""Publishing swaps the read-only copy atomically: an analyst's open connection keeps reading the
previous warehouse undisturbed while a new one is published, and new connections see the new one."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.publish import last_publish, publish
from warehouse.query import NotPublishedError, run_query
from warehouse.settings import WarehousePaths


def _build(paths: WarehousePaths, value: int) -> None:
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.mart_industry_year as select ? as whd_cases", [value])


def test_readers_keep_the_old_copy_while_a_new_one_is_published(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    with pytest.raises(NotPublishedError):
        run_query("select 1", paths)
    _build(paths, 1)
    publish(paths, run_id="first")

    analyst = duckdb.connect(str(paths.published_db), read_only=True)
    assert analyst.execute("select whd_cases from marts.mart_industry_year").fetchone() == (1,)
    _build(paths, 2)
    result = publish(paths, run_id="second")

    assert analyst.execute("select whd_cases from marts.mart_industry_year").fetchone() == (1,)
    analyst.close()
    assert run_query("select whd_cases from marts.mart_industry_year", paths).rows == [(2,)]
    assert result.tables == {"marts.mart_industry_year": 1}
    assert last_publish(paths)["run_id"] == "second"
    assert not list(paths.published_dir.glob("*.tmp")), "no half-written copy is left behind"
