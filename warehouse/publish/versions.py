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

A complete version is read-only (files and folders, `a-w`) and its published.json records every
other file's sha256. `verify_published` checks the current version, the `current` link and the links
beside it; a build publishes anew whenever it fails (orchestration/defs/assets/dbt_models.py), so a
tampered, deleted or replaced file is reported and healed instead of trusted. Whatever deletes a
version (prune, the leftovers cleanup) makes it writable again first.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sources.common.casting import sql_literal
from sources.common.digests import file_sha256
from sources.common.duckdb_memory import in_memory_connection
from sources.common.storage import clear_storage_errors
from warehouse.ingest.load import connect
from warehouse.publish.catalog import document_published_db
from warehouse.publish.exports import write_datapackage, write_parquet_exports
from warehouse.settings import DEFAULT_KEEP_VERSIONS, PUBLISH_INFO, PUBLISHED_DB, STORAGE_VERSION, WarehousePaths

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


class DamagedVersionError(UnknownVersionError):
    """A kept version whose files fail verification: it is not made current."""


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
        inputs: the digest of what the build was made from (warehouse/ingest/changes.py), kept in
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
            set_read_only(partial)
            partial.rename(paths.published_versions / name)
        finally:
            remove_tree(partial)
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
        "path": paths.published_db.relative_to(paths.home).as_posix(),  # relative: the home may move
        "storage_version": STORAGE_VERSION,
        "inputs": inputs,
        "synthetic_sample": is_synthetic_sample(paths, db),
        "tables": table_row_counts(db),
    }
    (folder / PUBLISH_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")  # the writers read it
    for write_artifact in ARTIFACT_WRITERS:
        write_artifact(db, folder)
    info["files"] = file_digests(folder)
    (folder / PUBLISH_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


SYNTHETIC_SAMPLE_LABEL = "synthetic sample"


def is_synthetic_sample(paths: WarehousePaths, db: Path) -> bool:
    """True when some raw row came from a file of the embedded sample (archived as "sample:<name>"):
    such a warehouse is labelled a synthetic sample wherever it is read (report, status, datapackage)."""
    from sources import ALL_SOURCES
    from sources.common.archive import RawArchive

    # The acquire step archives the sample's files with the url "sample:<name>" (warehouse/ingest/acquire.py).
    origins = ("sample:", paths.samples.resolve().as_uri())
    archive = RawArchive(paths.raw_archive)
    sample_shas = {
        f.sha256 for spec in ALL_SOURCES for f in archive.files(spec.name) if (f.url or "").startswith(origins)
    }
    if not sample_shas:
        return False
    with connect(db, read_only=True) as con:
        raw_tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_columns() WHERE schema_name = 'raw' AND column_name = 'source_sha256'"
            ).fetchall()
        ]
        loaded = {
            sha
            for table in raw_tables
            for (sha,) in con.execute(f'SELECT DISTINCT source_sha256 FROM raw."{table}"').fetchall()
        }
    return bool(loaded & sample_shas)


def file_digests(folder: Path) -> dict[str, str]:
    """sha256 of every file of a version but published.json (which holds them), by path inside it."""
    return {
        path.relative_to(folder).as_posix(): file_sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != PUBLISH_INFO and not _is_hidden(path, folder)
    }


def _is_hidden(path: Path, folder: Path) -> bool:
    """A hidden name is a temp file a writer left (never read; the leftovers cleanup removes it)."""
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def set_read_only(root: Path) -> None:
    """chmod a-w every file and folder under `root` (and `root`): a published version is never written."""
    _chmod_tree(root, lambda mode: mode & ~_WRITE_BITS)


def set_writable(root: Path) -> None:
    """chmod u+w every file and folder under `root`: before a version is deleted or a file added to it."""
    _chmod_tree(root, lambda mode: mode | stat.S_IWUSR)


def _chmod_tree(root: Path, change: Callable[[int], int]) -> None:
    if root.is_symlink() or not root.exists():
        return
    entries = [root, *root.rglob("*")] if root.is_dir() else [root]
    for entry in entries:
        if not entry.is_symlink():
            os.chmod(entry, change(stat.S_IMODE(entry.stat().st_mode)))


def remove_tree(folder: Path) -> None:
    """Delete a (possibly read-only) folder: made writable first, as a non-root user cannot otherwise."""
    if folder.is_symlink() or folder.is_file():
        folder.unlink(missing_ok=True)
        return
    if not folder.exists():
        return
    with contextlib.suppress(OSError):  # rmtree below removes what it can
        set_writable(folder)
    shutil.rmtree(folder, ignore_errors=True)


def copy_database(source: Path, target: Path) -> None:
    """Copy every schema, table, view and comment of `source` (checkpointed: no write-ahead log) into a
    new file in STORAGE_VERSION: the file itself when it is in that format already (a build database
    created by `connect`), else DuckDB's copy of the database, which rewrites every table (at scale 10,
    minutes against seconds). Either way `source` is attached read-only meanwhile, so no writer opens it
    during the copy. The file copy keeps the build database's free blocks (size, not content: no table
    reads them)."""
    with in_memory_connection() as con:
        con.execute(f"ATTACH {sql_literal(source)} AS build (READ_ONLY)")
        if _in_published_format(con, "build") and not Path(f"{source}.wal").exists():
            shutil.copyfile(source, target)
        else:
            con.execute(f"ATTACH {sql_literal(target)} AS published (STORAGE_VERSION '{STORAGE_VERSION}')")
            con.execute("COPY FROM DATABASE build TO published")
            con.execute("DETACH published")
        con.execute("DETACH build")


def in_published_format(db: Path) -> bool:
    """Is the DuckDB file `db` in a storage format no newer than STORAGE_VERSION?"""
    with in_memory_connection() as con:
        con.execute(f"ATTACH {sql_literal(db)} AS db (READ_ONLY)")
        return _in_published_format(con, "db")


def _in_published_format(con, database: str) -> bool:
    """DuckDB tags a file with the oldest version that reads it ("v1.0.0+" for v1.1.0)."""
    (tags,) = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = ?", [database]).fetchone()
    return _version_tuple(tags.get("storage_version", "")) <= _version_tuple(STORAGE_VERSION)


def _version_tuple(version: str) -> tuple[int, ...]:
    """(1, 1, 0) for "v1.1.0" or "v1.1.0+"; (inf,) for anything else (never older than a known version)."""
    parts = version.removeprefix("v").removesuffix("+").split(".")
    return tuple(map(int, parts)) if all(p.isdigit() for p in parts) else (float("inf"),)


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
    folder = current.resolve()
    with clear_storage_errors(folder):
        os.chmod(folder, stat.S_IMODE(folder.stat().st_mode) | stat.S_IWUSR)
        try:
            written = writer(current / PUBLISHED_DB, folder)
            _record_digest(folder, written)
        finally:
            set_read_only(folder)
        _replace_with_link(paths.published_dir / written.name, Path(current.name) / written.name)
    return paths.published_dir / written.name


def _record_digest(folder: Path, written: Path) -> None:
    """Add (or update) a file's sha256 in the version's published.json, replaced in one rename."""
    info = _read_info(folder)
    if not isinstance(info.get("files"), dict):
        return  # a version published before digests were recorded: it stays unverifiable
    info["files"][written.relative_to(folder).as_posix()] = file_sha256(written)
    tmp = folder / f".{PUBLISH_INFO}.tmp"
    tmp.write_text(json.dumps(info, indent=2), encoding="utf-8")
    os.replace(tmp, folder / PUBLISH_INFO)


def _replace_with_link(path: Path, target: Path) -> None:
    """Make `path` a relative symlink to `target`, replacing what was there in one rename."""
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    tmp = path.with_name(f".{path.name}.link")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    if path.is_dir() and not path.is_symlink():  # a folder put where a link belongs: a link cannot replace it
        remove_tree(path)
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
    """A version's published.json; {} when it is missing or is not a JSON object (a damaged version)."""
    try:
        info = json.loads((folder / PUBLISH_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def link_problems(paths: WarehousePaths) -> list[str]:
    """What is wrong with the `current` link and the links beside it (cheap: no file is read), one line
    each; [] when they are right or nothing was ever published."""
    current, kept = paths.published_current, _version_names(paths)
    if not current.is_symlink():
        if current.exists() or current.is_dir():
            return [f"{_shown(paths, current)} is a {_kind(current)}, not the link to the current version"]
        if kept:
            return [f"{_shown(paths, current)} is missing: no version is current (kept: {', '.join(kept)})"]
        return []
    target = Path(os.readlink(current))
    if target.parent != Path(paths.published_versions.name) or target.name not in kept:
        return [f"{_shown(paths, current)} points to {target}, which is not a kept version"]
    problems = []
    for entry in sorted(paths.published_versions.joinpath(target.name).iterdir()):
        if entry.name.startswith("."):
            continue
        link = paths.published_dir / entry.name
        expected = Path(current.name) / entry.name
        if not link.is_symlink():
            what = f"a {_kind(link)}" if link.exists() else "missing"
            problems.append(f"{_shown(paths, link)} is {what}, not the link to {expected}")
        elif Path(os.readlink(link)) != expected:
            problems.append(f"{_shown(paths, link)} points to {os.readlink(link)}, not {expected}")
    return problems


def verify_published(paths: WarehousePaths) -> list[str]:
    """Check the current version against the sha256s its published.json records, that it is read-only,
    and its links (link_problems); one line per problem, [] when it is whole or nothing was published.
    Reads every published file: about a second per GB."""
    problems = link_problems(paths)
    name = _current_name(paths)
    if name is None or name not in _version_names(paths):
        return problems
    return [*problems, *version_problems(paths, name)]


def version_problems(paths: WarehousePaths, name: str) -> list[str]:
    """What is wrong with one kept version's files (changed, missing, added, writable), one line each."""
    problems: list[str] = []
    folder = paths.published_versions / name
    files = _read_info(folder).get("files")
    if not isinstance(files, dict):
        info = _shown(paths, folder / PUBLISH_INFO)
        return [f"{info} records no checksums (missing, damaged, or published before they were)"]
    for relative, digest in sorted(files.items()):
        path = folder / relative
        if path.is_symlink() or not path.is_file():
            what = f"a {_kind(path)}" if path.exists() or path.is_symlink() else "missing"
            problems.append(f"{_shown(paths, path)} is {what}: it was published as a file")
        elif file_sha256(path) != digest:
            problems.append(f"{_shown(paths, path)} was changed: its sha256 is not the one published.json records")
    entries = [folder, *folder.rglob("*")]
    known = {*files, PUBLISH_INFO}
    added = [
        p
        for p in entries[1:]
        if not p.is_dir() and not _is_hidden(p, folder) and p.relative_to(folder).as_posix() not in known
    ]
    problems += [f"{_shown(paths, p)} was not published: it was added afterwards" for p in added]
    writable = [p for p in entries if not p.is_symlink() and stat.S_IMODE(p.stat().st_mode) & _WRITE_BITS]
    if writable:
        more = f" (and {len(writable) - 1} more)" if len(writable) > 1 else ""
        problems.append(f"{_shown(paths, writable[0])}{more} is writable: a published version is read-only")
    return problems


def _shown(paths: WarehousePaths, path: Path) -> str:
    """A path as a problem line shows it: relative to the home."""
    try:
        return path.relative_to(paths.home).as_posix()
    except ValueError:
        return str(path)


def _kind(path: Path) -> str:
    if path.is_symlink():
        return "dangling link" if not path.exists() else "link"
    return "folder" if path.is_dir() else "file"


def rollback(paths: WarehousePaths, to: str | None = None) -> Version:
    """Make an older version current again: `to`, or the one published before the current one.

    Raises:
        UnknownVersionError: `to` is not a kept version, or there is no version before the current one.
        DamagedVersionError: the version's files are not the ones it published (version_problems).
    """
    kept = versions(paths)
    target = _named_version(kept, to) if to else _previous_version(kept)
    problems = version_problems(paths, target.name)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DamagedVersionError(f"version {target.name} fails verification, not restored: {problems[0]}{more}")
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
        set_writable(hidden)  # a version is read-only
        shutil.rmtree(hidden)
    return [v.name for v in doomed]


def remove_unfinished(paths: WarehousePaths) -> list[Path]:
    """Remove what a publish, prune or report write killed midway left: hidden version folders, link
    and temp files. None is ever read: a version is only visible once renamed whole. Returns them."""
    versions_dir, published = paths.published_versions, paths.published_dir
    hidden_folders = [p for p in versions_dir.glob(".*") if p.is_dir() and not p.is_symlink()]
    hidden_files = [p for p in (*published.glob(".*"), *versions_dir.glob("*/.*")) if p.is_symlink() or p.is_file()]
    for folder in hidden_folders:
        remove_tree(folder)
    for path in hidden_files:
        _unlink_in_read_only_folder(path, versions_dir)
    return hidden_folders + hidden_files


def _unlink_in_read_only_folder(path: Path, versions_dir: Path) -> None:
    """Remove a file; inside a (read-only) version folder, made writable for that moment."""
    folder = path.parent
    if folder == versions_dir.parent or folder == versions_dir or folder.is_symlink():
        path.unlink(missing_ok=True)
        return
    mode = stat.S_IMODE(folder.stat().st_mode)
    os.chmod(folder, mode | stat.S_IWUSR)
    try:
        path.unlink(missing_ok=True)
    finally:
        os.chmod(folder, mode)


def newest_version(paths: WarehousePaths) -> Version | None:
    """The version published last (the current one, unless a rollback made an older one current)."""
    kept = versions(paths)
    return kept[-1] if kept else None


def newest_inputs(paths: WarehousePaths) -> str | None:
    """The inputs digest (warehouse/ingest/changes.py) the newest version was built from; None if none or unknown."""
    newest = newest_version(paths)
    return newest.info.get("inputs") if newest else None


def last_publish(paths: WarehousePaths) -> dict | None:
    """The current version's published.json (read through the `current` link); None if there is none."""
    info = _read_info(paths.published_current)
    return info or None


def published_path(paths: WarehousePaths, info: dict) -> Path:
    """Where a version's published.json says the warehouse is, under this home: a relative path (from
    the home), or an absolute one an older version wrote -- always the home's published file, so read
    as that file under this home (the home may have been moved or copied since)."""
    recorded = Path(info.get("path") or paths.published_db.relative_to(paths.home))
    return paths.published_dir / recorded.name if recorded.is_absolute() else paths.home / recorded
