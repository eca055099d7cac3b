"""DuckDB column types map to Frictionless Table Schema types in datapackage.json."""

from __future__ import annotations

import pytest

from warehouse.publish.exports import frictionless_type


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
        ("VARCHAR[]", "array"),
        ("INTEGER[3]", "array"),
        ("MAP(VARCHAR, VARCHAR)", "object"),
        ("STRUCT(a INTEGER, b VARCHAR)", "object"),
        ("INTERVAL", "duration"),
        ("BLOB", "any"),
        ('"NULL"', "any"),
    ],
)
def test_duckdb_types_map_to_frictionless_types(duckdb_type, expected):
    assert frictionless_type(duckdb_type) == expected
