"""Skip what did not change: a build redoes only the tables whose files changed, and rebuilds and
publishes only when the warehouse's inputs changed.

Raw tables (per H-2A fiscal year): a slice whose selected files have the sha256s its last accepted
load holds is not parsed, gated or loaded again (`UNCHANGED`); in a build, one offered exactly the
files that were last rejected is not gated again either (`STILL_REJECTED`), while `warehouse ingest`
and `warehouse release` gate their file again on purpose (e.g. with a row drop accepted now). A full
load must match the accepted files exactly; a merge (ingest, drop folder, a plain build) only needs
its files to be among them, since it replaces only its slices.

Downstream: every published version records the digest of the inputs it was built from (each
table slice's status and accepted and rejected files, and the code of the transformations: dbt
project, employer linkage). dbt, linkage and publish run only when the build's digest differs from
the newest published version's. Code that parses files is not in the digest: `--force` rebuilds
everything after a parser change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from warehouse.quality.audit import FRESH, sha256_list, source_status

UNCHANGED = "unchanged, kept"
STILL_REJECTED = "unchanged, still rejected"


def is_reload(status: dict | None, sha256s: list[str], *, from_archive: bool) -> bool:
    """Are these files the slice's last accepted load, read again from the raw archive?"""
    accepted = set(sha256_list(status["last_accepted_sha256"])) if status else set()
    return from_archive and bool(sha256s) and set(sha256s) <= accepted


def skip_verdict(
    status: dict | None, sha256s: list[str], *, merge: bool, reload: bool, regate_rejected: bool = False
) -> str | None:
    """UNCHANGED or STILL_REJECTED when a slice need not be parsed, gated or loaded; None otherwise.

    A stale slice offered its last accepted files again by a new input (not the archive) is loaded:
    the newest file offered is then a good one, and the slice becomes fresh.

    Args:
        regate_rejected: gate the files last rejected again (a single file loaded on purpose).
    """
    if status is None or not sha256s:
        return None
    selected = set(sha256s)
    if _covered(selected, sha256_list(status["last_accepted_sha256"]), merge) and (status["status"] == FRESH or reload):
        return UNCHANGED
    if (
        not regate_rejected
        and status["status"] != FRESH
        and _covered(selected, sha256_list(status["rejected_sha256"]), merge)
    ):
        return STILL_REJECTED
    return None


def _covered(selected: set[str], recorded: list[str], merge: bool) -> bool:
    return selected <= set(recorded) if merge else selected == set(recorded)


def inputs_digest(db_path: Path, code_version: str) -> str:
    """What the marts are built from: every table slice's status and files, and the transformation code."""
    slices = sorted(
        (r["table_name"], r["partition_key"], r["status"], r["last_accepted_sha256"], r["rejected_sha256"])
        for r in source_status(db_path)
    )
    payload = json.dumps([slices, code_version], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def code_checksum(roots: Iterable[Path]) -> str:
    """A checksum of every file under `roots` (names and bytes; Python caches left out)."""
    digest = hashlib.sha256()
    for root in roots:
        files = [root] if root.is_file() else sorted(root.rglob("*")) if root.exists() else []
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
