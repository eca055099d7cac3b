"""Publishing writes complete versions and swaps the current one atomically: an analyst's open
connection keeps reading the previous warehouse while a new one is published, new connections see
the new one, a rollback restores an older version, and only the newest versions are kept."""

from __future__ import annotations

import json

import duckdb
import pytest

from sources.common.digests import file_sha256
from warehouse.access.query import NotPublishedError, run_query
from warehouse.ingest.load import connect
from warehouse.publish import versions as publishing
from warehouse.publish.catalog import CATALOG_TABLE
from warehouse.publish.versions import (
    UnknownVersionError,
    last_publish,
    prune_versions,
    publish,
    rollback,
    versions,
)
from warehouse.settings import STORAGE_VERSION, WarehousePaths, keep_versions_from_env


def _build(paths: WarehousePaths, value: int, rows: int = 1) -> None:
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.mart_industry_year as select ? as whd_cases from range(?)", [value, rows]
        )


def _published_value(paths: WarehousePaths) -> int:
    return run_query("select whd_cases from marts.mart_industry_year limit 1", paths).rows[0][0]


def _publish(paths: WarehousePaths, value: int, run_id: str, **options) -> publishing.PublishResult:
    _build(paths, value)
    return publish(paths, run_id=run_id, **options)


def test_readers_keep_the_old_copy_while_a_new_one_is_published(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    with pytest.raises(NotPublishedError):
        run_query("select 1", paths)
    _publish(paths, 1, "first")

    analyst = duckdb.connect(str(paths.published_db), read_only=True)
    assert analyst.execute("select whd_cases from marts.mart_industry_year").fetchone() == (1,)
    result = _publish(paths, 2, "second")

    assert analyst.execute("select whd_cases from marts.mart_industry_year").fetchone() == (1,)
    analyst.close()
    assert _published_value(paths) == 2
    assert result.tables["marts.mart_industry_year"] == 1
    assert last_publish(paths)["run_id"] == "second"
    assert last_publish(paths)["version"] == result.version
    hidden = [p.name for p in (*paths.published_dir.iterdir(), *paths.published_versions.iterdir())]
    assert not [name for name in hidden if name.startswith(".")], "no half-written version or link is left behind"


def test_a_version_holds_the_database_its_info_and_every_artifact(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    result = _publish(paths, 1, "first")
    folder = paths.published_versions / result.version
    assert {p.name for p in folder.iterdir()} == {"warehouse.duckdb", "published.json", "datapackage.json", "parquet"}
    for name in ("warehouse.duckdb", "published.json", "datapackage.json", "parquet"):
        assert (paths.published_dir / name).resolve() == (folder / name).resolve()
    assert json.loads((paths.published_dir / "published.json").read_text())["storage_version"] == STORAGE_VERSION


def _filled(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema marts")
    con.execute(
        "create table marts.names as select 'employer ' || (i % 997) as name, i / 7 as share from range(50000) t(i)"
    )
    con.execute("comment on table marts.names is 'a described table'")


def _rows(db) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select count(*), sum(share), (select comment from duckdb_tables() where table_name = 'names') "
            "from marts.names"
        ).fetchall()


def test_a_build_database_in_the_published_format_is_published_as_a_copy_of_its_file(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "published.duckdb"
    with connect(build) as con, connect(build) as another:  # how every build database is created
        _filled(con)  # (the process's connections to one file share its configuration: a second one opens)
        assert another.execute("select count(*) from marts.names").fetchone() == (50000,)
    assert publishing.in_published_format(build)
    publishing.copy_database(build, published)
    assert file_sha256(published) == file_sha256(build)
    assert _rows(published) == _rows(build)


def test_a_build_database_in_a_newer_format_is_rewritten_in_the_published_one(tmp_path):
    """A home whose build database DuckDB 2.x created in its own format (before the build database was
    created in the published one): its tables are copied into a file 1.x clients read."""
    build, published = tmp_path / "build.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(build)) as con:
        _filled(con)
    assert not publishing.in_published_format(build)
    publishing.copy_database(build, published)
    assert publishing.in_published_format(published)
    assert _rows(published) == _rows(build)


def test_rollback_restores_the_previous_version_then_a_named_one(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    first = _publish(paths, 1, "first")
    second = _publish(paths, 2, "second")
    _publish(paths, 3, "third")

    restored = rollback(paths)
    assert restored.name == second.version
    assert _published_value(paths) == 2
    restored = rollback(paths)
    assert (restored.name, restored.run_id) == (first.version, "first")
    assert _published_value(paths) == 1
    assert last_publish(paths)["published_at"] == first.published_at
    with pytest.raises(UnknownVersionError, match=f"{first.version} is the oldest kept version"):
        rollback(paths)

    rollback(paths, to=second.version)
    assert _published_value(paths) == 2
    assert [v.name for v in versions(paths) if v.is_current] == [second.version]


def test_an_unknown_version_is_refused_with_the_kept_versions(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    first = _publish(paths, 1, "first")
    with pytest.raises(UnknownVersionError) as error:
        rollback(paths, to="20200101T000000Z")
    assert f"no published version '20200101T000000Z'; kept versions: {first.version} (current)" in str(error.value)
    assert _published_value(paths) == 1


def test_only_the_newest_versions_are_kept(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    results = [_publish(paths, value, f"run{value}", keep=2) for value in range(1, 5)]
    assert [v.name for v in versions(paths)] == [r.version for r in results[-2:]]
    assert [v.run_id for v in versions(paths)] == ["run3", "run4"]
    assert _published_value(paths) == 4


def test_pruning_never_deletes_the_current_version(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    results = [_publish(paths, value, f"run{value}") for value in range(1, 4)]
    rollback(paths, to=results[0].version)
    assert prune_versions(paths, keep=1) == [results[1].version]
    assert [v.name for v in versions(paths)] == [results[0].version, results[2].version]
    assert _published_value(paths) == 1


def test_a_failed_publish_leaves_the_current_version_and_no_partial_one(tmp_path, monkeypatch):
    paths = WarehousePaths.at(tmp_path).ensure()
    first = _publish(paths, 1, "first")

    def broken_artifact(db, folder):
        raise RuntimeError("artifact failed")

    monkeypatch.setattr(publishing, "ARTIFACT_WRITERS", (*publishing.ARTIFACT_WRITERS, broken_artifact))
    with pytest.raises(RuntimeError, match="artifact failed"):
        _publish(paths, 2, "second")
    assert [v.name for v in versions(paths)] == [first.version]
    assert not [p for p in paths.published_versions.iterdir() if p.name.startswith(".")]
    assert _published_value(paths) == 1


def test_keep_versions_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("WAREHOUSE_KEEP_VERSIONS", raising=False)
    assert keep_versions_from_env() == 5
    monkeypatch.setenv("WAREHOUSE_KEEP_VERSIONS", "3")
    assert keep_versions_from_env() == 3
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("WAREHOUSE_KEEP_VERSIONS", bad)
        with pytest.raises(ValueError, match="WAREHOUSE_KEEP_VERSIONS must be a whole number of at least 1"):
            keep_versions_from_env()


def test_grains_and_source_descriptions_from_the_manifest_reach_the_published_copy(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    _build(paths, 1, rows=3)
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.raw_whd__cases (case_id varchar, back_wages double)")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "nodes": {
                    "model.x.mart_industry_year": {
                        "resource_type": "model",
                        "name": "mart_industry_year",
                        "alias": "mart_industry_year",
                        "schema": "marts",
                        "description": "WHD cases by sector.",
                        "columns": {},
                        "config": {"meta": {"grain": "one row per NAICS sector x fiscal year"}},
                    }
                },
                "sources": {
                    "source.x.raw.raw_whd__cases": {
                        "resource_type": "source",
                        "name": "raw_whd__cases",
                        "identifier": "raw_whd__cases",
                        "schema": "raw",
                        "description": "WHD cases as published; it's raw.",
                        "columns": {"CASE_ID": {"description": "WHD case id."}},
                        "meta": {},
                    }
                },
            }
        )
    )
    publish(paths, run_id="first", manifest=manifest)

    catalog = dict(
        run_query(
            f"select table_schema || '.' || table_name, [description, grain, row_count::varchar] from {CATALOG_TABLE}",
            paths,
        ).rows
    )
    assert catalog["marts.mart_industry_year"] == ["", "one row per NAICS sector x fiscal year", "3"]
    assert catalog["raw.raw_whd__cases"] == ["WHD cases as published; it's raw.", "", "0"]
    assert catalog[CATALOG_TABLE][2] == str(len(catalog))
    columns = dict(
        run_query("select column_name, comment from duckdb_columns() where table_name = 'raw_whd__cases'", paths).rows
    )
    assert columns == {"case_id": "WHD case id.", "back_wages": None}
