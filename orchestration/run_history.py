"""Dagster's SQLite run history, written at the cost of memory rather than of a disk flush per event.

Dagster's SQLite storage opens, commits and closes a connection for every event it stores, ~3,500 a
build (the run's events and their index rows, every dbt test being an asset check). In WAL mode each
commit flushes the log to disk (synchronous=FULL), and the close of the database's last connection
checkpoints the log into the database and flushes again: ~15 ms an event, a third of a sample build.
During a run, this process keeps one idle connection to each WAL database of the run history open, so
dagster's closes are never the last, and its connections commit with synchronous=NORMAL. In WAL mode
that keeps the history consistent after any crash; a power cut may lose its last events (never the
warehouse's data, which DuckDB writes). A killed process loses nothing: the log is in the OS's cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.pool import Pool

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def _database_file(connection: sqlite3.Connection) -> str:
    return next((file for _, name, file in connection.execute("PRAGMA database_list") if name == "main"), "")


def _is_wal(connection: sqlite3.Connection) -> bool:
    return connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _hold_open(path: str) -> sqlite3.Connection:
    """An idle connection that has read the database once, which maps its WAL index: while it is open,
    another connection's close does not checkpoint."""
    held = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS, check_same_thread=False)
    held.execute("SELECT count(*) FROM sqlite_master").fetchall()
    return held


@contextmanager
def run_history_without_a_flush_per_event(dagster_home: Path) -> Iterator[None]:
    """For the block: SQLite connections to databases under `dagster_home` commit with synchronous=NORMAL,
    and each such WAL database has one idle connection of this process held open."""
    root = str(Path(dagster_home).resolve())
    held: dict[str, sqlite3.Connection] = {}

    def on_connect(connection, _record) -> None:
        if not isinstance(connection, sqlite3.Connection):
            return
        path = _database_file(connection)
        if not path.startswith(root):
            return
        connection.execute("PRAGMA synchronous=NORMAL")
        if path not in held and _is_wal(connection):  # a database is new until dagster sets WAL mode
            held[path] = _hold_open(path)

    event.listen(Pool, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Pool, "connect", on_connect)
        for connection in held.values():
            connection.close()


__all__ = ["run_history_without_a_flush_per_event"]
