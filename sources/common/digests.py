"""sha256 of a file, read once per process while the file does not change.

A build asks for the same digests more than once: the command line and the dbt step both verify the
current published version, and an input file is hashed to find its fiscal year's slice and then to
archive it. A digest is reused only while the file's status says it is the same file with the same
bytes: same device, inode, size, mtime and ctime. ctime cannot be set by a user (any write, rename or
chmod moves it to now), so a changed file is always read again; size and mtime alone are no proof. A
file changed within the last second before it was read is not remembered: a write in the same clock
tick could leave its times as they were. Nothing is remembered across processes.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

_BLOCK = 1 << 20
_SETTLED_NS = 1_000_000_000
_known: dict[tuple[int, int, int, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes (hex), remembered for this process while its status is unchanged."""
    before = os.stat(path)
    key = _identity(before)
    if key in _known:
        return _known[key]
    hexdigest = sha256_of(path)
    settled = max(before.st_mtime_ns, before.st_ctime_ns) < time.time_ns() - _SETTLED_NS
    if settled and _identity(os.stat(path)) == key:
        _known[key] = hexdigest
    return hexdigest


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes (hex), read now."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def forget_digests() -> None:
    """Drop every remembered digest (tests)."""
    _known.clear()


def _identity(status: os.stat_result) -> tuple[int, int, int, int, int]:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
