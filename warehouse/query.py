"""Read-only SQL over the published warehouse (never the build file the pipeline writes)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from warehouse.settings import WarehousePaths


class NotPublishedError(RuntimeError):
    """There is no published warehouse yet."""


class EmptyQueryError(ValueError):
    """The SQL text is empty or only whitespace."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]
    total_rows: int  # rows the query returned; more than len(rows) when a limit cut them

    @property
    def was_cut(self) -> bool:
        return self.total_rows > len(self.rows)


@contextmanager
def published_connection(paths: WarehousePaths) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published warehouse.

    Raises:
        NotPublishedError: nothing has been published under this WAREHOUSE_HOME yet.
    """
    if not paths.published_db.exists():
        raise NotPublishedError(
            f"no published warehouse at {paths.published_db}; build one with `warehouse build` "
            "(or set WAREHOUSE_HOME to where it was built)"
        )
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        yield con


def run_query(sql: str, paths: WarehousePaths, *, limit: int | None = None, params: list | None = None) -> QueryResult:
    """Run `sql` against the published warehouse opened read-only; at most `limit` rows are returned.

    Raises:
        EmptyQueryError: `sql` is blank.
        NotPublishedError: nothing has been published under this WAREHOUSE_HOME yet.
        duckdb.Error: the SQL failed (including any attempt to write).
    """
    if not sql.strip():
        raise EmptyQueryError("no SQL to run: the query is empty")
    with published_connection(paths) as con:
        cursor = con.execute(sql, params or [])
        if cursor.description is None:
            return QueryResult([], [], 0)
        columns = [d[0] for d in cursor.description]
        if limit is None:
            rows = cursor.fetchall()
            return QueryResult(columns, rows, len(rows))
        rows = cursor.fetchmany(limit)
        return QueryResult(columns, rows, len(rows) + _count_rest(cursor))


def _count_rest(cursor: duckdb.DuckDBPyConnection) -> int:
    """Rows left in a result, counted in Arrow batches instead of converted to Python tuples."""
    with warnings.catch_warnings():
        # DuckDB warns that Arrow copies the rows; cheaper still than making Python tuples only to count them.
        warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
        return sum(batch.num_rows for batch in cursor.to_arrow_reader(100_000))
