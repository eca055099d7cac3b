"""Do two build databases hold the same rows? For a change meant to make a model cheaper, not different.

    .venv/bin/python benchmarks/compare_builds.py BEFORE.duckdb AFTER.duckdb [SCHEMA ...]

Every table of the schemas (default: marts) in either file, compared row for row as multisets (EXCEPT ALL
both ways, so order and duplicates count as they should), and its columns by name and type. Prints one line
a table and exits 1 when any differ. Only compare builds of the same inputs; what legitimately differs
between two builds of them (linkage probabilities in their last bit, ...) is listed in
tests/integration/test_same_inputs_build_the_same_warehouse.py.
"""

from __future__ import annotations

import sys

import duckdb


def _tables(con: duckdb.DuckDBPyConnection, database: str, schemas: list[str]) -> set[str]:
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = ? "
        "and list_contains(?, schema_name)",
        [database, schemas],
    ).fetchall()
    return {name for (name,) in rows}


def _columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = ? "
        "and schema_name || '.' || table_name = ? order by column_index",
        [database, table],
    ).fetchall()


def _only_in(con: duckdb.DuckDBPyConnection, table: str, first: str, second: str) -> int:
    return con.execute(f"select count(*) from (from {first}.{table} except all from {second}.{table})").fetchone()[0]


def compare(before: str, after: str, schemas: list[str]) -> int:
    """Print how each table differs; the number of tables that do."""
    con = duckdb.connect()
    con.execute(f"attach '{before}' as before (read_only)")
    con.execute(f"attach '{after}' as after (read_only)")
    old, new = _tables(con, "before", schemas), _tables(con, "after", schemas)
    differing = 0
    for table in sorted(old | new):
        if table not in old or table not in new:
            print(f"DIFFER {table}: only in {'before' if table in old else 'after'}")
        elif _columns(con, "before", table) != _columns(con, "after", table):
            print(f"DIFFER {table}: columns")
        else:
            gone, added = _only_in(con, table, "before", "after"), _only_in(con, table, "after", "before")
            rows = con.execute(f"select count(*) from before.{table}").fetchone()[0]
            same = gone == added == 0
            print(f"{'same  ' if same else 'DIFFER'} {table}: {rows} rows, {gone} only before, {added} only after")
            if same:
                continue
        differing += 1
    print(f"{len(old | new)} tables, {differing} differ")
    return differing


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(1 if compare(sys.argv[1], sys.argv[2], sys.argv[3:] or ["marts"]) else 0)
