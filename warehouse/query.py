"""Read-only SQL over the published warehouse (never the build file the pipeline writes)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from warehouse.settings import WarehousePaths


class NotPublishedError(RuntimeError):
    """There is no published warehouse yet."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]


def run_query(sql: str, paths: WarehousePaths, *, limit: int | None = None, params: list | None = None) -> QueryResult:
    """Run `sql` against the published warehouse opened read-only.

    Raises:
        NotPublishedError: nothing has been published under this WAREHOUSE_HOME yet.
        duckdb.Error: the SQL failed (including any attempt to write).
    """
    if not paths.published_db.exists():
        raise NotPublishedError(
            f"no published warehouse at {paths.published_db}; build one with `warehouse build` "
            "(or set WAREHOUSE_HOME to where it was built)"
        )
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        if cursor.description is None:
            return QueryResult([], [])
        rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
        return QueryResult([d[0] for d in cursor.description], rows)
