"""A full disk or a read-only folder is one clear line (what, where, what to do), the published copy
is untouched and no partial version or temp file is left.

The faults are real where the machine allows it: a small tmpfs mounted over the target (remounted
read-only for the read-only case). Where mounting is not allowed (CI without root), the same OSError
the kernel would raise is injected at the real write point, so the same handling code runs."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sources.common.archive import RawArchive
from sources.common.storage import StorageError
from warehouse.access.query import run_query
from warehouse.ingest.stage import write_parquet
from warehouse.publish import versions as publishing
from warehouse.publish.versions import publish, versions
from warehouse.settings import WarehousePaths
from warehouse_cli import app

SMALL = "3m"  # room for a small version, not for a big one


@contextmanager
def _tmpfs(folder: Path, size: str = SMALL) -> Iterator[bool]:
    """Mount a small tmpfs over `folder`; yields False (nothing mounted) where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        command = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)]
        mounted = subprocess.run(command, capture_output=True).returncode == 0
    except OSError:  # no mount command
        mounted = False
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def _remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def _raises(code: int, *, after=None):
    """A stand-in for a write that fails as the kernel does on a full disk or read-only file system
    (after doing `after`'s part of the work, as a write that ran out of space midway)."""

    def fail(*args, **kwargs):
        if after is not None:
            after(*args, **kwargs)
        raise OSError(code, os.strerror(code))

    return fail


def _build_db(paths: WarehousePaths, megabytes: int) -> None:
    """A build database whose published copy takes about `megabytes` (random text does not compress)."""
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.mart_trends as "
            "select range as n, md5(random()::varchar) || md5(random()::varchar) as noise from range(?)",
            [megabytes * 15_000],
        )


@pytest.fixture
def published(tmp_path) -> Iterator[tuple[WarehousePaths, bool]]:
    """A home whose published folder is a small tmpfs (if mounting is allowed), one version published."""
    paths = WarehousePaths.at(tmp_path / "home").ensure()
    with _tmpfs(paths.published_dir) as mounted:
        _build_db(paths, 0)
        publish(paths, run_id="first")
        yield paths, mounted


def _published_is_untouched(paths: WarehousePaths, version: str) -> None:
    assert [v.name for v in versions(paths) if v.is_current] == [version]
    assert run_query("select count(*) from marts.mart_trends", paths).rows == [(0,)]
    hidden = [*paths.published_dir.glob(".*"), *paths.published_versions.glob(".*")]
    assert not hidden, "no partial version or temp link is left"


def test_publishing_onto_a_full_disk_says_so_and_keeps_the_last_version_current(published, monkeypatch):
    paths, mounted = published
    (current,) = [v.name for v in versions(paths)]
    _build_db(paths, 8)
    if not mounted:
        monkeypatch.setattr(publishing, "copy_database", _raises(errno.ENOSPC, after=publishing.copy_database))

    with pytest.raises(StorageError) as failed:
        publish(paths, run_id="second")

    message = str(failed.value)
    assert message.startswith(f"no space left on device writing {paths.published_versions}/")
    if mounted:
        assert f"free space on {paths.published_dir}," in message
    assert message.endswith("nothing was lost and the last published version is unchanged")
    _published_is_untouched(paths, current)


def test_a_read_only_published_folder_refuses_publish_and_rollback_clearly(published, monkeypatch):
    paths, mounted = published
    _build_db(paths, 0)
    publish(paths, run_id="second")
    current = [v.name for v in versions(paths)][-1]
    if mounted:
        _remount_read_only(paths.published_dir)
    else:
        monkeypatch.setattr(publishing, "_write_version", _raises(errno.EROFS))
        monkeypatch.setattr(publishing, "_replace_with_link", _raises(errno.EROFS))

    with pytest.raises(StorageError) as failed:
        publish(paths, run_id="third")
    assert str(failed.value).startswith(f"read-only file system writing {paths.published_versions}/")

    result = CliRunner().invoke(app, ["rollback", "--home", str(paths.home)])
    assert result.exit_code == 1
    assert result.output.startswith("read-only file system writing ")
    assert "make " in result.output and "writable" in result.output
    assert len(result.output.strip().splitlines()) == 1, "one line, no traceback"
    _published_is_untouched(paths, current)


def test_a_full_disk_while_staging_parsed_parquet_leaves_no_half_file(tmp_path, monkeypatch):
    target = tmp_path / "parsed" / "raw_whd__compliance_actions" / "all.parquet"
    big = pa.table({"noise": [os.urandom(64).hex() for _ in range(60_000)]})
    with _tmpfs(target.parent) as mounted:
        if not mounted:
            monkeypatch.setattr(pq, "write_table", _raises(errno.ENOSPC))
        with pytest.raises(StorageError, match=f"^no space left on device writing {target}: "):
            write_parquet(big, target)
        assert list(target.parent.iterdir()) == []


def test_a_full_disk_while_archiving_keeps_the_archive_unchanged(tmp_path, monkeypatch):
    archive = RawArchive(tmp_path / "raw")
    download = tmp_path / "WHD_enforcement.zip"
    download.write_bytes(os.urandom(4 << 20))
    with _tmpfs(archive.root) as mounted:
        if not mounted:
            monkeypatch.setattr("shutil.copyfile", _raises(errno.ENOSPC))
        with pytest.raises(StorageError, match=r"^no space left on device writing "):
            archive.store_local(download, source="whd")
        assert archive.files("whd") == []
        assert list(archive.tmp_dir.iterdir()) == [], "the half copy is removed"
