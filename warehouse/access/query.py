"""Read-only, bounded SQL over the published warehouse (never the build file the pipeline writes).

The locks: the file is opened read-only; only one query runs at a time (a SELECT statement: also WITH,
FROM, DESCRIBE, SHOW, SUMMARIZE, PIVOT ... IN (...)), so COPY ... TO, ATTACH, EXPORT, INSTALL, SET,
UPDATE EXTENSIONS and EXPLAIN ANALYZE (which runs what it explains) are refused before anything runs;
no extension is installed or loaded on its own; no file outside the published folder (so not
/proc/self/environ, where the secret settings are) and nothing on the network is read unless the
caller allows files (`--allow-files`, refused while a secret setting is in the environment); and the
connection's configuration is locked. Each query is bounded: a time limit and Ctrl-C interrupt it,
and it may hold WAREHOUSE_QUERY_MEMORY_LIMIT in memory, spilling beyond that into a temp folder of its
own (removed afterwards), never into the published version.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sources.common.casting import sql_literal
from warehouse.settings import (
    DEFAULT_QUERY_TIMEOUT_SECONDS,
    QUERY_MEMORY_LIMIT_ENV,
    WarehousePaths,
    query_memory_limit,
    secrets_in_environment,
)

DEFAULT_TIMEOUT_SECONDS = DEFAULT_QUERY_TIMEOUT_SECONDS
BATCH_ROWS = 10_000  # rows fetched (and written) at a time: a result is never held whole


class NotPublishedError(RuntimeError):
    """There is no published warehouse yet."""


class EmptyQueryError(ValueError):
    """The SQL text is empty or only whitespace."""


class ReadOnlyError(ValueError):
    """The SQL holds a statement other than a query, or several statements: nothing of it was run."""


class FilesNotAllowedError(ValueError):
    """Files were allowed while a secret setting is in the environment SQL could read."""


class QueryStoppedError(RuntimeError):
    """The query was interrupted: it ran past its time limit, or Ctrl-C cancelled it."""


class QueryCancelledError(QueryStoppedError):
    """Ctrl-C cancelled the query."""


class QueryMemoryError(RuntimeError):
    """The query needed more memory than WAREHOUSE_QUERY_MEMORY_LIMIT, and could not spill."""


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
def published_connection(paths: WarehousePaths, *, allow_files: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only, locked connection to the published warehouse: no extension installed or loaded on
    its own, files read only under the published folder (anywhere the user may, and no network, with
    `allow_files`), memory bounded, spilling into a temp folder removed when the connection closes.

    Raises:
        NotPublishedError: nothing has been published under this WAREHOUSE_HOME yet.
        FilesNotAllowedError: `allow_files` while a secret setting is in this process's environment.
        duckdb.Error: WAREHOUSE_QUERY_MEMORY_LIMIT is not a memory size.
    """
    from warehouse.publish.versions import link_problems  # publish imports this module (through catalog)

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
    secrets = secrets_in_environment() if allow_files else []
    if secrets:
        raise FilesNotAllowedError(
            f"--allow-files: {', '.join(secrets)} is set in this environment, and SQL that reads files could "
            f"read it (/proc/self/environ); run without it: env {' '.join(f'-u {n}' for n in secrets)} warehouse ..."
        )
    spill = Path(tempfile.mkdtemp(prefix="warehouse-query-"))  # outside the published version
    config = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": query_memory_limit(),
        "temp_directory": str(spill),  # before external access is turned off, which freezes it
    }
    try:
        with duckdb.connect(str(paths.published_db), read_only=True, config=config) as con:
            con.execute("SET enable_progress_bar = false")  # DuckDB draws it on stdout, a pipe too, after 2 s
            if not allow_files:
                con.execute("SET allowed_directories = ?", [[f"{paths.published_dir}/"]])
                con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            yield con
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def refuse_all_but_queries(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.Statement:
    """The one query of `sql`; raise ReadOnlyError naming the first statement that is not a query, or
    saying there are several (nothing is run).

    Raises:
        ReadOnlyError: a statement is not a query, or `sql` holds more than one.
        duckdb.ParserException: the SQL does not parse.
    """
    statements = con.extract_statements(sql)
    for statement in statements:
        kind = _statement_kind(statement)
        if kind != "SELECT":
            text = " ".join(statement.query.split())
            raise ReadOnlyError(
                f"the published warehouse is read-only: only queries run here (SELECT, WITH, FROM, DESCRIBE, "
                f"SHOW, SUMMARIZE), and {kind} is refused: {text[:80]}" + (_PIVOT_HINT if kind == "MULTI" else "")
            )
    if len(statements) != 1:
        raise ReadOnlyError(f"one query at a time: this SQL holds {len(statements)} statements; run them one by one")
    return statements[0]


def _statement_kind(statement: duckdb.Statement) -> str:
    """SELECT, DELETE, COPY, ...; a kind this DuckDB's Python client has no name for (UPDATE EXTENSIONS
    is `29 is not a valid StatementType`) is named by its first word, and refused like any other."""
    try:
        return statement.type.name
    except ValueError:
        return (statement.query.split() or ["?"])[0].upper()


class _Guard:
    """Interrupts a connection when its time limit passes (a timer thread) or on Ctrl-C: each DuckDB
    call runs in a worker thread while the main thread waits, so it takes the KeyboardInterrupt at once
    (a thread blocked in DuckDB would not see it until the query ended)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, timeout: float | None):
        self.con = con
        self.timeout = timeout
        self.stopped: str | None = None  # why the query was interrupted
        self.timer = threading.Timer(timeout, self._interrupt, ["timeout"]) if timeout else None

    def __enter__(self) -> _Guard:
        if self.timer:
            self.timer.daemon = True
            self.timer.start()
        return self

    def __exit__(self, *_) -> None:
        if self.timer:
            self.timer.cancel()

    def _interrupt(self, reason: str) -> None:
        self.stopped = self.stopped or reason
        with contextlib.suppress(duckdb.Error):  # the connection may just have closed
            self.con.interrupt()

    def call(self, action: Callable, *args):
        """`action(*args)` in a worker thread; the query's own error, or why it was stopped."""
        outcome: dict = {}
        done = threading.Event()  # not Thread.join: a KeyboardInterrupt inside join can make it return early

        def work() -> None:
            try:
                outcome["value"] = action(*args)
            except Exception as error:
                outcome["error"] = error
            finally:
                done.set()

        threading.Thread(target=work, daemon=True).start()
        try:
            while not done.wait(0.1):
                pass
        except KeyboardInterrupt:
            self._interrupt("cancel")
            done.wait()
        self.check()
        if "error" in outcome:
            raise _clearer(outcome["error"]) from outcome["error"]
        return outcome["value"]

    def check(self) -> None:
        """Raise QueryStoppedError if the time limit passed or Ctrl-C was pressed."""
        if self.stopped == "timeout":
            raise QueryStoppedError(
                f"query stopped: it ran longer than the time limit of {self.timeout:g} seconds "
                "(--timeout SECONDS raises it; 0 for none)"
            )
        if self.stopped:
            raise QueryCancelledError("query cancelled (Ctrl-C)")


def _clearer(error: Exception) -> Exception:
    if isinstance(error, duckdb.OutOfMemoryException):
        first = str(error).splitlines()[0]
        return QueryMemoryError(
            f"the query needs more memory than {QUERY_MEMORY_LIMIT_ENV} ({query_memory_limit()}) allows: {first}; "
            f"make the query smaller or raise {QUERY_MEMORY_LIMIT_ENV}"
        )
    return error


class OpenQuery:
    """A query that has started: its columns, then its rows in batches (never all at once)."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, guard: _Guard):
        self.cursor = cursor
        self.guard = guard
        self.columns = [d[0] for d in cursor.description] if cursor.description else []

    def batches(self, rows: int = BATCH_ROWS, *, at_most: int | None = None) -> Iterator[list[tuple]]:
        """Rows as Python tuples, `rows` at a time; at most `at_most` in all."""
        left = at_most
        while left is None or left > 0:
            size = rows if left is None else min(rows, left)
            batch = self.guard.call(self.cursor.fetchmany, size)
            if not batch:
                return
            if left is not None:
                left -= len(batch)
            yield batch
            self.guard.check()  # the limit may pass while the caller writes

    def arrow(self, rows: int = BATCH_ROWS):
        """The Arrow schema of the rows, and the rows as Arrow record batches, `rows` at a time."""
        with warnings.catch_warnings():
            # DuckDB warns that Arrow copies the rows of a DB-API result: it does, one batch at a time.
            warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
            reader = self.guard.call(self.cursor.to_arrow_reader, rows)
        return reader.schema, self._record_batches(reader)

    def _record_batches(self, reader) -> Iterator:
        while batch := self.guard.call(_next_or_none, reader):
            yield batch
            self.guard.check()

    def count_rest(self) -> int:
        """Rows left, counted in Arrow batches instead of converted to Python tuples."""
        return sum(batch.num_rows for batch in self.arrow(100_000)[1])


def _next_or_none(reader):
    return next(reader, None)


@contextmanager
def open_query(
    sql: str,
    paths: WarehousePaths,
    *,
    params: list | dict | None = None,
    allow_files: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> Iterator[OpenQuery]:
    """Start `sql` on the published warehouse (see published_connection) under a time limit.

    Raises:
        EmptyQueryError: `sql` is blank.
        ReadOnlyError: `sql` is not one query (none of it ran).
        NotPublishedError, FilesNotAllowedError: see published_connection.
        QueryStoppedError: the time limit passed or Ctrl-C was pressed (also while rows are fetched).
        QueryMemoryError: the query needed more memory than it may hold.
        duckdb.Error: the SQL failed.
    """
    if not sql.strip():
        raise EmptyQueryError("no SQL to run: the query is empty")
    with published_connection(paths, allow_files=allow_files) as con:
        refuse_all_but_queries(con, sql)
        with _Guard(con, timeout or None) as guard:
            cursor = guard.call(con.execute, sql, params or [])
            yield OpenQuery(cursor, guard)


def run_query(
    sql: str,
    paths: WarehousePaths,
    *,
    limit: int | None = None,
    params: list | dict | None = None,
    allow_files: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> QueryResult:
    """Run `sql` against the published warehouse opened read-only; at most `limit` rows are returned.

    Raises:
        EmptyQueryError, ReadOnlyError, NotPublishedError, FilesNotAllowedError, QueryStoppedError,
        QueryMemoryError, duckdb.Error: see open_query.
    """
    with open_query(sql, paths, params=params, allow_files=allow_files, timeout=timeout) as query:
        if not query.columns:
            return QueryResult([], [], 0)
        rows = [row for batch in query.batches(at_most=limit) for row in batch]
        rest = query.count_rest() if limit is not None and len(rows) == limit else 0
        return QueryResult(query.columns, rows, len(rows) + rest)


def write_parquet(
    sql: str,
    paths: WarehousePaths,
    target: Path,
    *,
    allow_files: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> int:
    """Write the rows of `sql` to the Parquet file `target`; the number of rows. With files allowed
    DuckDB writes it (COPY (query) TO target); otherwise DuckDB may not write files, and the rows are
    streamed here in Arrow batches into a pyarrow ParquetWriter.

    Raises:
        see open_query.
    """
    if allow_files:
        if not sql.strip():
            raise EmptyQueryError("no SQL to run: the query is empty")
        with published_connection(paths, allow_files=True) as con:
            query = refuse_all_but_queries(con, sql).query
            # a newline before ')' so a trailing -- comment of the query cannot swallow it
            copy = f"COPY ({query}\n) TO {sql_literal(target)} (FORMAT parquet)"
            with _Guard(con, timeout or None) as guard:
                return guard.call(lambda: con.execute(copy).fetchone()[0])
    import pyarrow.parquet as pq

    with open_query(sql, paths, timeout=timeout) as query:
        schema, batches = query.arrow()
        written = 0
        with pq.ParquetWriter(target, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
                written += batch.num_rows
        return written
