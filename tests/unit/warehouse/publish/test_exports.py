"""DuckDB column types map to Frictionless Table Schema types in datapackage.json, and the datapackage a
published version writes passes `frictionless validate` (its Parquet files read as frictionless-py reads them)."""

from __future__ import annotations

import json

import duckdb
import frictionless
import pytest

from warehouse.publish.exports import frictionless_type
from warehouse.publish.versions import publish
from warehouse.settings import WarehousePaths


@pytest.mark.parametrize(
    ("duckdb_type", "expected"),
    [
        ("BIGINT", "integer"),
        ("HUGEINT", "integer"),
        ("DECIMAL(18,2)", "number"),
        ("DOUBLE", "number"),
        ("VARCHAR", "string"),
        ("BOOLEAN", "boolean"),
        ("DATE", "date"),
        ("TIMESTAMP WITH TIME ZONE", "datetime"),
        ("VARCHAR[]", "any"),
        ("INTEGER[3]", "any"),
        ("MAP(VARCHAR, VARCHAR)", "any"),
        ("STRUCT(a INTEGER, b VARCHAR)", "object"),
        ("INTERVAL", "any"),
        ("UUID", "any"),
        ("JSON", "string"),
        ("BLOB", "any"),
        ('"NULL"', "any"),
    ],
)
def test_duckdb_types_map_to_frictionless_types(duckdb_type, expected):
    assert frictionless_type(duckdb_type) == expected


def test_the_published_datapackage_passes_frictionless_validation(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts")
        # The column types of the real marts, each with a NULL (in a row whose only value is a timestamp),
        # and an empty table.
        con.execute(
            """create table marts.mart_mixed (
                   id integer, cases integer, workers bigint, total hugeint, back_wages decimal(18, 2),
                   rate double, fiscal_year_start date, loaded_at timestamp, is_complete boolean, state varchar,
                   reasons varchar[])"""
        )
        con.execute(
            """insert into marts.mart_mixed values
                   (1, 7, 9000000000, 170141183460469231731687303715884105727, 1234.56, 0.25, date '2023-10-01',
                    timestamp '2024-05-06 07:08:09', true, 'CA', ['repeat violator', 'H-2A']),
                   (null, null, null, null, null, null, null, timestamp '2024-05-06 07:08:09', null, null, null),
                   (3, 0, 0, 0, 0.00, 1.5, date '2024-10-01', timestamp '2025-01-01 00:00:00', false, '', [])"""
        )
        con.execute("comment on table marts.mart_mixed is 'One row per test case.'")
        con.execute("comment on column marts.mart_mixed.cases is 'WHD cases.'")
        con.execute("create table marts.unmapped_codes (code varchar, rows_affected bigint)")
    publish(paths, run_id="first")

    datapackage = paths.published_dir / "datapackage.json"
    report = frictionless.validate(str(datapackage))
    errors = [
        f"{task.name} row {e.row_number} {e.field_name}: {e.type} {e.note}"
        for task in report.tasks
        for e in task.errors
    ]
    assert report.valid, "\n".join(errors)
    resources = {r["name"]: r for r in json.loads(datapackage.read_text())["resources"]}
    mixed = resources["mart_mixed"]
    assert (mixed["rows"], mixed["description"]) == (3, "One row per test case.")
    assert mixed["hash"].startswith("sha256:")
    assert {f["name"]: f["description"] for f in mixed["schema"]["fields"]}["cases"] == "WHD cases."
    assert resources["unmapped_codes"]["rows"] == 0
