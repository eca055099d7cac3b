"""One writer per WAREHOUSE_HOME: the build database and the published versions change in one process
at a time (DuckDB allows one writer process; two publishes would race for `current`).

`warehouse build`, `ingest`, `release`, `publish`, `rollback` and every Dagster run (schedule, sensor,
UI) hold an exclusive `flock` on `$WAREHOUSE_HOME/writer.lock` while they work. A second writer is
refused at once with who holds it (pid, command, start time, written into the file). The OS drops the
lock when its process ends, also on SIGKILL, so a lock is never stale. Analysts' reads never take it.

A flock belongs to an open file description: a second open + flock in the same process would refuse
that process itself. So the lock is re-entrant per process: the CLI holds it around a command and the
Dagster run the command executes in-process holds it again, as a no-op.

Whoever takes the lock first removes what a killed writer left behind (warehouse/operations/leftovers.py):
holding it proves no other writer is at work.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sources.common.storage import clear_storage_errors
from warehouse.operations.leftovers import remove_leftovers
from warehouse.settings import WarehousePaths


class WriterBusyError(RuntimeError):
    """Another process is writing this warehouse (building, loading, publishing or rolling back)."""


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


@contextmanager
def writer_lock(paths: WarehousePaths, command: str) -> Iterator[None]:
    """Hold the home's writer lock for the duration (re-entrant within this process).

    Raises:
        WriterBusyError: another process holds it; the message names it and says what to do.
    """
    acquire_writer_lock(paths, command)
    try:
        yield
    finally:
        release_writer_lock(paths)


def acquire_writer_lock(paths: WarehousePaths, command: str) -> None:
    """Take the lock (or count one more holder in this process); see `writer_lock`."""
    path = paths.writer_lock
    with _guard:
        if path in _held:
            _held[path].depth += 1
            return
        with clear_storage_errors(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise WriterBusyError(busy_message(path, holder)) from None
        _write_holder(fd, command)
        _held[path] = _Held(fd, 1)
    try:
        remove_leftovers(paths)
    except BaseException:
        release_writer_lock(paths)
        raise


def release_writer_lock(paths: WarehousePaths) -> None:
    path = paths.writer_lock
    with _guard:
        held = _held.get(path)
        if held is None:
            return
        held.depth -= 1
        if held.depth:
            return
        del _held[path]
        os.ftruncate(held.fd, 0)  # the holder's details leave with it
        os.close(held.fd)  # closing the only descriptor releases the flock


def _write_holder(fd: int, command: str) -> None:
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    holder = {"pid": os.getpid(), "command": command, "started_at": started}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder).encode(), 0)


def _read_holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:  # the holder is between taking the lock and writing its details
        return {}


def busy_message(path: Path, holder: dict) -> str:
    """One line: who writes this warehouse, and what to do about it."""
    if not holder:
        return f"another build is running (it holds {path}); wait for it to finish or stop it, then try again"
    started = datetime.fromisoformat(holder["started_at"]).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"another build is running: pid {holder['pid']}, `{holder['command']}`, started {started} (it holds "
        f"{path}); wait for it to finish or stop it (kill {holder['pid']}), then try again"
    )
