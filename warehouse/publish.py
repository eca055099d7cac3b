"""Publishing: the build database becomes a new version of the read-only warehouse analysts query.

    published/versions/<UTC time>/   one complete version: warehouse.duckdb, published.json and the
                                     ARTIFACT_WRITERS' files (Parquet exports, datapackage.json, ...)
    published/current                link to the version analysts read
    published/warehouse.duckdb, ...  links to current/<file>, one per file of a version

A version is written in a hidden folder and renamed into versions/ only once complete; it becomes
the current one by replacing the `current` link in one rename. So a reader sees the previous
version or the new one, whole, never a mix; readers holding an old file keep reading it (also
after its version is pruned: an open file outlives its name). Rollback is the same rename to an
older version. Nothing is published unless every gate and dbt test upstream passed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sources.common.casting import sql_literal
from sources.common.duckdb_memory import in_memory_connection
from sources.common.storage import clear_storage_errors
from warehouse.catalog import document_published_db
from warehouse.exports import write_datapackage, write_parquet_exports
from warehouse.load import connect
from warehouse.settings import DEFAULT_KEEP_VERSIONS, PUBLISH_INFO, PUBLISHED_DB, WarehousePaths

# DuckDB 2.x writes storage format 69 by default, which no 1.x client opens. A version string makes
# it write an older format: "vX.Y.0" is readable by clients from X.Y on. v1.1.0 is the oldest that
# round-trips our warehouse (a v1.0.0 file written by 2.0.1 fails in 1.0 clients on primary keys);
# it costs ~14% in size against v1.5.0 at scale 1 and keeps every client from 1.1 to 2.x reading.
STORAGE_VERSION = "v1.1.0"


# Written into every version beside the database, in this order, each as writer(published_db,
# version_dir), writing only inside version_dir. A new artifact (e.g. report.html) is one more entry.
ARTIFACT_WRITERS: tuple[Callable[[Path, Path], None], ...] = (write_parquet_exports, write_datapackage)

_VERSION_FORMAT = "%Y%m%dT%H%M%SZ"
# A version folder is hidden while it is written (.<name>.partial) and while it is deleted (.<name>.deleting);
# a hidden folder is never a version, and the next writer removes any that a killed writer left.
_PARTIAL = ".partial"
_DELETING = ".deleting"


class UnknownVersionError(LookupError):
    """A version name that is not among the kept versions (or no version to roll back to)."""


@dataclass(frozen=True)
class PublishResult:
    path: Path
    published_at: str
    tables: dict[str, int]
    version: str


@dataclass(frozen=True)
class Version:
    """One kept published version (its folder under published/versions/)."""

    name: str
    folder: Path
    info: dict
    is_current: bool

    @property
    def published_at(self) -> str:
        return self.info.get("published_at", "")

    @property
    def run_id(self) -> str | None:
        return self.info.get("run_id")

    @property
    def table_count(self) -> int:
        return len(self.info.get("tables", {}))


def table_row_counts(db_path: Path) -> dict[str, int]:
    """schema.table -> row count for every base table of a DuckDB file."""
    with connect(db_path, read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' ORDER BY 1, 2"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in tables}


def publish(
    paths: WarehousePaths,
    *,
    run_id: str | None = None,
    manifest: Path | None = None,
    keep: int = DEFAULT_KEEP_VERSIONS,
    inputs: str | None = None,
) -> PublishResult:
    """Publish the build database as a new version, make it current, keep the newest `keep` versions.

    Args:
        manifest: dbt's manifest.json; its source descriptions and model grains go into the copy.
        inputs: the digest of what the build was made from (warehouse/changes.py), kept in
            published.json so the next build can tell whether anything changed.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the current version); got {keep}")
    with clear_storage_errors(paths.build_db), connect(paths.build_db) as con:
        con.execute("CHECKPOINT")
    now = datetime.now(UTC)
    name = _new_version_name(paths, now)
    partial = paths.published_versions / f".{name}{_PARTIAL}"
    with clear_storage_errors(paths.published_versions / name):
        try:
            info = _write_version(paths, partial, name=name, run_id=run_id, manifest=manifest, now=now, inputs=inputs)
            partial.rename(paths.published_versions / name)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        _make_current(paths, name)
    prune_versions(paths, keep)
    return PublishResult(paths.published_db, info["published_at"], info["tables"], name)


def _new_version_name(paths: WarehousePaths, now: datetime) -> str:
    """The UTC time of the publish; a counter orders several publishes within one second (-2, -3, ...)."""
    base = now.strftime(_VERSION_FORMAT)
    same_second = [n for b, n in map(_version_key, _version_names(paths)) if b == base]
    return f"{base}-{max(same_second) + 1}" if same_second else base


def _version_key(name: str) -> tuple[str, int]:
    """Sort key of a version name: its time, then its counter (no counter is the first)."""
    base, _, counter = name.partition("-")
    return base, int(counter) if counter.isdigit() else 1


def _version_names(paths: WarehousePaths) -> list[str]:
    """The complete versions' folder names, oldest first (a hidden folder is one being written)."""
    if not paths.published_versions.is_dir():
        return []
    names = [f.name for f in paths.published_versions.iterdir() if f.is_dir() and not f.name.startswith(".")]
    return sorted(names, key=_version_key)


def _write_version(
    paths: WarehousePaths,
    folder: Path,
    *,
    name: str,
    run_id: str | None,
    manifest: Path | None,
    now: datetime,
    inputs: str | None,
) -> dict:
    folder.mkdir(parents=True)
    db = folder / PUBLISHED_DB
    copy_database(paths.build_db, db)
    document_published_db(db, manifest)
    info = {
        "version": name,
        "published_at": now.isoformat(timespec="seconds"),
        "run_id": run_id,
        "path": str(paths.published_db),
        "storage_version": STORAGE_VERSION,
        "inputs": inputs,
        "tables": table_row_counts(db),
    }
    (folder / PUBLISH_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
    for write_artifact in ARTIFACT_WRITERS:
        write_artifact(db, folder)
    return info


def copy_database(source: Path, target: Path) -> None:
    """Copy every schema, table, view and comment of `source` into a new file in STORAGE_VERSION."""
    with in_memory_connection() as con:
        con.execute(f"ATTACH {sql_literal(target)} AS published (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute(f"ATTACH {sql_literal(source)} AS build (READ_ONLY)")
        con.execute("COPY FROM DATABASE build TO published")
        con.execute("DETACH build")
        con.execute("DETACH published")


def _make_current(paths: WarehousePaths, name: str) -> None:
    """Point `current` at a version in one atomic rename, then give each of its files a link beside it."""
    _replace_with_link(paths.published_current, Path(paths.published_versions.name) / name)
    current = paths.published_current
    names = {entry.name for entry in current.iterdir()}
    for entry in names:
        _replace_with_link(paths.published_dir / entry, Path(current.name) / entry)
    for link in paths.published_dir.iterdir():
        # A file an older or newer version had and this one has not: its link would dangle.
        if link.is_symlink() and link.name not in names and Path(os.readlink(link)).parent == Path(current.name):
            link.unlink()


def write_into_current(paths: WarehousePaths, writer: Callable[[Path, Path], Path]) -> Path:
    """Add a file to the current version after publishing (e.g. the report, so that a failing report
    never holds back the data): writer(published_db, version_dir) -> the file it wrote there. The
    file gets its link beside the others, and a rollback brings back that version's own copy."""
    current = paths.published_current
    if not current.is_dir():
        raise FileNotFoundError(f"no published warehouse under {paths.published_dir}; build the warehouse first")
    with clear_storage_errors(current.resolve()):
        written = writer(current / PUBLISHED_DB, current.resolve())
        _replace_with_link(paths.published_dir / written.name, Path(current.name) / written.name)
    return paths.published_dir / written.name


def _replace_with_link(path: Path, target: Path) -> None:
    """Make `path` a relative symlink to `target`, replacing what was there in one rename."""
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    tmp = path.with_name(f".{path.name}.link")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    os.replace(tmp, path)


def versions(paths: WarehousePaths) -> list[Version]:
    """The kept published versions, oldest first."""
    current = _current_name(paths)
    return [
        Version(name, paths.published_versions / name, _read_info(paths.published_versions / name), name == current)
        for name in _version_names(paths)
    ]


def _current_name(paths: WarehousePaths) -> str | None:
    link = paths.published_current
    return Path(os.readlink(link)).name if link.is_symlink() else None


def _read_info(folder: Path) -> dict:
    info = folder / PUBLISH_INFO
    return json.loads(info.read_text(encoding="utf-8")) if info.exists() else {}


def rollback(paths: WarehousePaths, to: str | None = None) -> Version:
    """Make an older version current again: `to`, or the one published before the current one.

    Raises:
        UnknownVersionError: `to` is not a kept version, or there is no version before the current one.
    """
    kept = versions(paths)
    target = _named_version(kept, to) if to else _previous_version(kept)
    with clear_storage_errors(paths.published_current):
        _make_current(paths, target.name)
    return target


def _named_version(kept: list[Version], name: str) -> Version:
    for version in kept:
        if version.name == name:
            return version
    raise UnknownVersionError(f"no published version {name!r}; kept versions: {_names(kept)}")


def _previous_version(kept: list[Version]) -> Version:
    current = next((i for i, v in enumerate(kept) if v.is_current), None)
    if current is None or current == 0:
        where = "nothing is published yet" if current is None else f"{kept[0].name} is the oldest kept version"
        raise UnknownVersionError(f"no version to roll back to: {where}; kept versions: {_names(kept)}")
    return kept[current - 1]


def _names(kept: list[Version]) -> str:
    return ", ".join(v.name + (" (current)" if v.is_current else "") for v in kept) or "none"


def prune_versions(paths: WarehousePaths, keep: int) -> list[str]:
    """Delete all but the newest `keep` versions (never the current one); returns the deleted names."""
    kept = versions(paths)
    doomed = [v for v in kept[: max(len(kept) - keep, 0)] if not v.is_current]
    for version in doomed:
        hidden = version.folder.with_name(f".{version.name}{_DELETING}")
        version.folder.rename(hidden)  # never a half-deleted version to roll back to
        shutil.rmtree(hidden)
    return [v.name for v in doomed]


def remove_unfinished(paths: WarehousePaths) -> list[Path]:
    """Remove what a publish, prune or report write killed midway left: hidden version folders, link
    and temp files. None is ever read: a version is only visible once renamed whole. Returns them."""
    versions_dir, published = paths.published_versions, paths.published_dir
    hidden_folders = [p for p in versions_dir.glob(".*") if p.is_dir() and not p.is_symlink()]
    hidden_files = [p for p in (*published.glob(".*"), *versions_dir.glob("*/.*")) if p.is_symlink() or p.is_file()]
    for folder in hidden_folders:
        shutil.rmtree(folder, ignore_errors=True)
    for path in hidden_files:
        path.unlink(missing_ok=True)
    return hidden_folders + hidden_files


def newest_version(paths: WarehousePaths) -> Version | None:
    """The version published last (the current one, unless a rollback made an older one current)."""
    kept = versions(paths)
    return kept[-1] if kept else None


def newest_inputs(paths: WarehousePaths) -> str | None:
    """The inputs digest (warehouse/changes.py) the newest version was built from; None if none or unknown."""
    newest = newest_version(paths)
    return newest.info.get("inputs") if newest else None


def last_publish(paths: WarehousePaths) -> dict | None:
    info = paths.published_dir / PUBLISH_INFO
    return json.loads(info.read_text(encoding="utf-8")) if info.exists() else None
