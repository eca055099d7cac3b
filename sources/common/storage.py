"""A write that fails because the disk is full or the file system read-only, said in one line.

Every write of the pipeline goes to a temporary name renamed into place once complete, so such a
failure loses nothing: the temporary file is removed (or by the next writer, warehouse/operations/leftovers.py),
and nothing is published. The error says what happened, where, and what to do.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# errno -> (what happened, what to do about the file system holding the path)
_PROBLEMS = {
    errno.ENOSPC: ("no space left on device", "free space on {mount}"),
    errno.EDQUOT: ("disk quota exceeded", "free space or raise the quota on {mount}"),
    errno.EROFS: ("read-only file system", "make {mount} writable (remount it read-write)"),
}


class StorageError(OSError):
    """A write failed for lack of space or on a read-only file system; the message says what to do."""

    def __init__(self, code: int, path: Path):
        super().__init__(storage_message(code, path))
        self.errno = code
        self.path = Path(path)


def storage_errno(error: BaseException) -> int | None:
    """ENOSPC, EDQUOT or EROFS when that is why `error` (an OSError, or DuckDB's error text) happened."""
    if isinstance(error, OSError) and error.errno in _PROBLEMS:
        return error.errno
    text = str(error)
    return next((code for code in _PROBLEMS if os.strerror(code) in text), None)


def mount_point(path: Path) -> Path:
    """The mount point of the file system holding `path` (or that would hold it)."""
    path = Path(path).absolute()
    while not path.exists():
        path = path.parent
    while not os.path.ismount(path):
        path = path.parent
    return path


def storage_message(code: int, path: Path) -> str:
    what, remedy = _PROBLEMS[code]
    return (
        f"{what} writing {path}: {remedy.format(mount=mount_point(path))}, then run it again; "
        "nothing was lost and the last published version is unchanged"
    )


@contextmanager
def clear_storage_errors(path: Path) -> Iterator[None]:
    """Turn a full-disk or read-only failure while writing `path` (or the file the error names) into a
    StorageError saying what to do."""
    try:
        yield
    except StorageError:
        raise
    except Exception as error:
        code = storage_errno(error)
        if code is None:
            raise
        raise StorageError(code, Path(getattr(error, "filename", None) or path)) from error
