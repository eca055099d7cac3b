"""Acquiring raw inputs into the archive from one of four places: the raw archive itself (the files
of each table's last accepted load, plus new files in the drop folder), the embedded sample, a live
download, or a local folder of files in their real names.

Only this module decides where inputs come from; everything downstream sees archived files.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from sources import ALL_SOURCES
from sources.common.archive import ArchivedFile, RawArchive
from sources.common.digests import file_sha256
from sources.common.fetch import (
    FetchError,
    FetchPolicy,
    ProgressCallback,
    RemoteFile,
    UnreachableHosts,
    cannot_connect_message,
    fetch_to_archive,
    host_of,
    redact_url,
    unreachable_reason,
)
from sources.common.sample_world import SampleConfig, World
from sources.common.sheet_shelf import clear_shelf, sheets_shelved
from sources.common.spec import RawTableSpec, SourceSpec
from warehouse.quality.audit import accepted_sha256s, sha256_list, source_status, table_status
from warehouse.settings import (
    ARCHIVE_MODE,
    DOWNLOAD_MODE,
    MIRROR_ENV,
    SAMPLE_MODE,
    WarehousePaths,
    download_token_from_env,
)

log = logging.getLogger(__name__)

DEFAULT_FETCH_POLICY = FetchPolicy()
_COMPLETE = ".complete.json"
# One per process, so every file of a run on a host that refused a connection fails at once.
UNREACHABLE_HOSTS = UnreachableHosts()
OFFLINE_HINT = (
    "Offline, or the publisher down? Download the files by hand into one folder under their published names "
    f"and run `warehouse build --source DIR`, or set {MIRROR_ENV} to a mirror you can reach."
)


class InputError(RuntimeError):
    """Inputs could not be found or acquired (e.g. a folder without the expected files)."""


class DownloadFailed(InputError):
    """A source's file could not be downloaded; the message names the source, the URL and why."""


def write_sample(out_dir: Path, config: SampleConfig, on_source: Callable[[str], None] | None = None) -> list[Path]:
    """Write every source's sample files (real names) and the ground truth into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    world = World(config)
    written: list[Path] = []
    for spec in ALL_SOURCES:
        if on_source:
            on_source(spec.name)
        written += spec.write_sample(world, out_dir)
    written.append(world.truth.write(out_dir))
    return written


def sample_writers_version() -> str:
    """A digest of the code that writes the sample: a changed writer means a new sample folder."""
    import hashlib

    root = Path(__file__).resolve().parents[2] / "sources"
    digest = hashlib.sha256()
    # Every sample module: the writers (sample.py) and what they draw from (sample_world.py, sample_cases.py...).
    for path in sorted(root.glob("*/sample*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def sample_folder(paths: WarehousePaths, config: SampleConfig) -> Path:
    """The folder holding the sample for `config`, generated once (deterministic, so reusable while the
    sample writers are unchanged)."""
    folder = paths.samples / f"scale-{config.scale:g}-seed-{config.seed}-{sample_writers_version()}"
    marker = folder / _COMPLETE
    if marker.exists():
        return folder
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted earlier generation
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    write_sample(tmp, config)
    (tmp / _COMPLETE).write_text(json.dumps({"scale": config.scale, "seed": config.seed}), encoding="utf-8")
    tmp.rename(folder)
    return folder


def via_mirror(remote: RemoteFile, mirror: str | None) -> RemoteFile:
    """Rewrite `https://host/path` to `<mirror>/host/path` (an internal mirror, or a test server)."""
    if not mirror:
        return remote
    parts = urlsplit(remote.url)
    return RemoteFile(
        f"{mirror.rstrip('/')}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else ""),
        remote.filename,
        remote.optional,
    )


def acquire(
    spec: SourceSpec,
    table: RawTableSpec,
    *,
    mode: str,
    paths: WarehousePaths,
    sample_config: SampleConfig,
    progress: ProgressCallback | None = None,
    fetch_policy: FetchPolicy = DEFAULT_FETCH_POLICY,
    mirror: str | None = None,
    only: Callable[[Path], bool] | None = None,
    drop_folder: Path | None = None,
) -> list[ArchivedFile]:
    """Put the files behind `table` into the raw archive and return them (oldest name first).

    Args:
        only: keep only the files this accepts (e.g. one fiscal year); it gets the local path, or
            for a download the file name before it is fetched.
        drop_folder: where the archive mode also looks for new files.

    Raises:
        DownloadFailed: a file could not be downloaded (the host is unreachable, or it answered an error).
        InputError: the input folder does not exist, or the archive lost an accepted file.
    """
    archive = RawArchive(paths.raw_archive)
    if mode == ARCHIVE_MODE:
        return from_archive(spec, table, paths=paths, drop_folder=drop_folder, only=only)
    if mode == DOWNLOAD_MODE:
        remotes = [r for r in table.remote_files() if only is None or only(Path(r.filename))]
        return [
            archived
            for remote in remotes
            if (archived := _download(remote, spec, table, archive, fetch_policy, progress, mirror)) is not None
        ]
    folder = sample_folder(paths, sample_config) if mode == SAMPLE_MODE else Path(mode)
    if not folder.is_dir():
        raise InputError(f"input folder {folder} does not exist (expected 'sample', 'download' or a folder)")
    chosen = [p for p in table.pick(visible_files(folder)) if only is None or only(p)]
    origin = "sample" if mode == SAMPLE_MODE else "local"
    return [
        _archive_local(archive, path, spec, url=f"{origin}:{path.name}" if origin == "sample" else None)
        for path in chosen
    ]


def _archive_local(archive: RawArchive, path: Path, spec: SourceSpec, *, url: str | None) -> ArchivedFile:
    """The archived file with `path`'s bytes: the one the archive holds already (found by the file's
    sha256, so an unchanged input is read once and not copied), else a new copy (hashed as copied)."""
    held = archive.find(spec.name, file_sha256(path))
    if held is not None and held.filename == path.name:
        return held
    return archive.store_local(path, source=spec.name, url=url)


def unreachable_publishers(
    specs: list[SourceSpec], *, mirror: str | None, policy: FetchPolicy = DEFAULT_FETCH_POLICY
) -> dict[str, str]:
    """Per source, why a host it downloads from cannot be connected to (one line naming the host and
    a URL); sources whose hosts all answer are left out. Each host is tried once per run."""
    problems: dict[str, str] = {}
    for spec in specs:
        for url in _one_url_per_host(spec, mirror):
            reason = unreachable_reason(url, policy=policy, unreachable=UNREACHABLE_HOSTS)
            if reason:
                problems[spec.name] = f"{spec.name}: {cannot_connect_message(host_of(url), reason, redact_url(url))}"
                break
    return problems


def _one_url_per_host(spec: SourceSpec, mirror: str | None) -> list[str]:
    urls: dict[str, str] = {}
    for table in spec.tables:
        for remote in table.remote_files():
            url = via_mirror(remote, mirror).url
            urls.setdefault(host_of(url), url)
    return list(urls.values())


def _download(
    remote: RemoteFile, spec: SourceSpec, table: RawTableSpec, archive: RawArchive, policy, progress, mirror
) -> ArchivedFile | None:
    """Fetch one file; an optional file that is not published yet (404) is skipped with a warning."""
    try:
        return fetch_to_archive(
            via_mirror(remote, mirror),
            source=spec.name,
            archive=archive,
            policy=policy,
            progress=progress,
            unreachable=UNREACHABLE_HOSTS,
            token=download_token_from_env(),
        )
    except FetchError as error:
        if remote.optional and error.status == 404:
            log.warning("%s%s is not published yet: %s; skipped", spec.name, _year_of(table, remote), error)
            return None
        raise DownloadFailed(f"{spec.name}{_year_of(table, remote)}: {error}") from None


def _year_of(table: RawTableSpec, remote: RemoteFile) -> str:
    """' fiscal year 2026' for a file of a table published one file per fiscal year, else ''."""
    return f" fiscal year {table.partition_of(Path(remote.filename))}" if table.is_partitioned else ""


def from_archive(
    spec: SourceSpec,
    table: RawTableSpec,
    *,
    paths: WarehousePaths,
    drop_folder: Path | None,
    only: Callable[[Path], bool] | None = None,
) -> list[ArchivedFile]:
    """The files of the table's last accepted load (per partition), from the raw archive; a partition
    (a whole unpartitioned table) with new files in the drop folder takes those instead.

    New means bytes the archive does not hold yet: a dropped file is taken once, and a file the
    archive already rejected is not retried (`warehouse release` does that on purpose).

    Raises:
        InputError: the archive no longer holds a file the table's last accepted load was made of.
    """
    archive = RawArchive(paths.raw_archive)
    dropped = [
        archive.store_local(path, source=spec.name)
        for path in new_in_drop_folder(spec, table, archive, drop_folder)
        if only is None or only(path)
    ]
    replaced = {_partition_of(table, Path(f.path)) for f in dropped}
    kept = []
    for partition, sha256s in accepted_sha256s(status_database(paths), table.contract.table_name).items():
        if partition in replaced:
            continue
        files = [_archived(archive, spec, table, partition, sha) for sha in sha256s]
        kept += [f for f in files if only is None or only(Path(f.path))]
    return kept + dropped


def _partition_of(table: RawTableSpec, path: Path) -> str:
    return table.partition_of(path) if table.is_partitioned else "all"


def _archived(archive: RawArchive, spec: SourceSpec, table: RawTableSpec, partition: str, sha256: str) -> ArchivedFile:
    found = archive.find(spec.name, sha256)
    if found is None:
        where = table.contract.table_name + (f" [{partition}]" if partition != "all" else "")
        raise InputError(
            f"the raw archive no longer holds {sha256[:16]}, a file of {where}'s last accepted load "
            f"(expected under {archive.root / spec.name / sha256[:16]}); rebuild from the files with --source DIR, "
            "--source download or --source sample"
        )
    return found


def new_in_drop_folder(
    spec: SourceSpec, table: RawTableSpec, archive: RawArchive, drop_folder: Path | None
) -> list[Path]:
    """Files of the drop folder this table loads whose bytes the raw archive does not hold yet."""
    if drop_folder is None or not drop_folder.is_dir():
        return []
    candidates = table.pick(visible_files(drop_folder))
    return [path for path in candidates if archive.find(spec.name, file_sha256(path)) is None]


class FilePartitions:
    """The partition (fiscal year) of each file of a partitioned table, worked out at most once a run.

    `RawTableSpec.partition_of` reads a workbook's dates (seconds a file), so a file whose bytes (sha256)
    a slice of the table last accepted or rejected is taken to belong to that slice, as
    audit.source_status records it; only other files are read. A forced run reads every file
    (`recorded=False`): after a parser change a file's fiscal year may be judged anew.
    """

    def __init__(self, table: RawTableSpec, paths: WarehousePaths, *, recorded: bool = True):
        self.table = table
        self._recorded = recorded_partitions(status_database(paths), table.contract.table_name) if recorded else {}
        self._found: dict[str, str] = {}
        # The sheets read here wait there for the parser (`stage`), which takes them: one read a workbook.
        self._sheets = paths.sheets_dir(table.contract.table_name)
        clear_shelf(self._sheets)  # what an earlier run read and did not parse

    def of(self, path: Path, sha256: str | None = None) -> str:
        """The partition of a local or archived file (`sha256`: its digest when known); a path that does
        not exist (a remote file before download) is judged by `partition_of`, by its name."""
        path = Path(path)
        if not path.exists():
            return self.table.partition_of(path)
        # By the bytes, not the path: a local file is judged before it is archived, then again as archived.
        sha256 = sha256 or file_sha256(path)
        if sha256 not in self._found:
            self._found[sha256] = self._recorded.get(sha256) or self._read_partition(path)
        return self._found[sha256]

    def _read_partition(self, path: Path) -> str:
        with sheets_shelved(self._sheets):
            return self.table.partition_of(path)


def recorded_partitions(db_path: Path, table: str) -> dict[str, str]:
    """sha256 -> the one slice of `table` whose last accepted or rejected files it is among (a file
    listed under two slices is left out: it is read again)."""
    slices: dict[str, set[str]] = {}
    for key, row in table_status(db_path, table).items():
        for sha in sha256_list(row["last_accepted_sha256"]) + sha256_list(row["rejected_sha256"]):
            slices.setdefault(sha, set()).add(key)
    return {sha: next(iter(keys)) for sha, keys in slices.items() if len(keys) == 1}


def visible_files(folder: Path) -> list[Path]:
    """The files of an input folder, by name; hidden ones (editor locks, partial downloads) are not inputs."""
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))


def status_database(paths: WarehousePaths) -> Path:
    """Where the tables' last accepted loads are recorded: the build database, else (when it is gone or
    empty) the published copy."""
    return paths.build_db if source_status(paths.build_db) else paths.published_db


def archive_has_inputs(paths: WarehousePaths, drop_folder: Path | None) -> bool:
    """Has a plain (archive) build anything to build from: an accepted load, or a new dropped file?"""
    if any(row["last_accepted_sha256"] for row in source_status(status_database(paths))):
        return True
    archive = RawArchive(paths.raw_archive)
    return any(new_in_drop_folder(spec, table, archive, drop_folder) for spec in ALL_SOURCES for table in spec.tables)


def acquire_file(spec: SourceSpec, path: Path, *, paths: WarehousePaths) -> list[ArchivedFile]:
    """Archive one local file for `warehouse ingest`, under its own name whatever that is."""
    return [RawArchive(paths.raw_archive).store_local(Path(path), source=spec.name)]


def recognised_files(folder: Path) -> list[Path]:
    """Files of a local input folder that some source table can load."""
    tables = [table for spec in ALL_SOURCES for table in spec.tables]
    return [p for p in visible_files(folder) if any(t.matches(p.name) for t in tables)]
