"""Read-only SQL over the published warehouse (never the build file the pipeline writes).

Three locks: the file is opened read-only; only queries run (a SELECT statement: also WITH, FROM,
DESCRIBE, SHOW, SUMMARIZE, PIVOT ... IN (...)), so COPY ... TO, ATTACH, EXPORT, INSTALL, SET and
EXPLAIN ANALYZE (which runs what it explains) are refused before anything runs; and the connection's
configuration is locked. Reading files (read_parquet of the published Parquet, an analyst's CSV) stays.
"""

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


class ReadOnlyError(ValueError):
    """The SQL holds a statement other than a query: nothing of it was run."""


# A PIVOT without its values listed is a MULTI statement (DuckDB first creates a type), as is a COPY of one.
_PIVOT_HINT = "; a PIVOT needs its values listed here: PIVOT t ON col IN ('a', 'b')"


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
    from warehouse.publish import link_problems  # publish imports this module (through catalog)

    damage = link_problems(paths)
    if damage:
        raise NotPublishedError(
            f"the published warehouse is damaged: {damage[0]}; `warehouse build` (or `warehouse publish`) repairs it"
        )
    if not paths.published_db.exists():
        raise NotPublishedError(
            f"no published warehouse at {paths.published_db}; build one with `warehouse build` "
            "(or set WAREHOUSE_HOME to where it was built)"
        )
    with duckdb.connect(str(paths.published_db), read_only=True, config={"lock_configuration": True}) as con:
        yield con


def refuse_all_but_queries(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise ReadOnlyError naming the first statement of `sql` that is not a query (nothing is run).

    Raises:
        duckdb.ParserException: the SQL does not parse.
    """
    for statement in con.extract_statements(sql):
        if statement.type != duckdb.StatementType.SELECT:
            kind = statement.type.name
            text = " ".join(statement.query.split())
            raise ReadOnlyError(
                f"the published warehouse is read-only: only queries run here (SELECT, WITH, FROM, DESCRIBE, "
                f"SHOW, SUMMARIZE), and {kind} is refused: {text[:80]}" + (_PIVOT_HINT if kind == "MULTI" else "")
            )


def run_query(sql: str, paths: WarehousePaths, *, limit: int | None = None, params: list | None = None) -> QueryResult:
    """Run `sql` against the published warehouse opened read-only; at most `limit` rows are returned.

    Raises:
        EmptyQueryError: `sql` is blank.
        ReadOnlyError: `sql` holds a statement other than a query (none of it ran).
        NotPublishedError: nothing has been published under this WAREHOUSE_HOME yet.
        duckdb.Error: the SQL failed.
    """
    if not sql.strip():
        raise EmptyQueryError("no SQL to run: the query is empty")
    with published_connection(paths) as con:
        refuse_all_but_queries(con, sql)
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
