"""Trust what you read (issue "Trust what you read", findings 1-3): a published version is read-only
with every file's sha256 in its published.json; a changed, missing or replaced file or link is
reported in one line (by `status`, `query` and every build or publish) and a publish heals it; paths
in published.json are relative to the home; `query --output` never writes inside the home.

The build's own decision (publish anew instead of "Nothing changed") is shown end to end in
tests/integration/test_plain_build_rebuilds_from_the_archive.py."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from warehouse.operations.leftovers import remove_leftovers
from warehouse.publish import versions as publishing
from warehouse.publish.versions import (
    last_publish,
    prune_versions,
    publish,
    published_path,
    rollback,
    verify_published,
    versions,
    write_into_current,
)
from warehouse.settings import WarehousePaths
from warehouse_cli import app


def _run(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


def _publish(paths: WarehousePaths, value: int, run_id: str, **options) -> publishing.PublishResult:
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.mart_trends as select ? as value from range(3)", [value])
    return publish(paths, run_id=run_id, **options)


def _value(home: Path) -> str:
    result = _run("query", "select max(value) v, count(*) n from marts.mart_trends", "--format", "csv", "--home", home)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[1]


def _is_read_only(path: Path) -> bool:
    return not stat.S_IMODE(path.lstat().st_mode) & 0o222


@pytest.fixture
def paths(tmp_path) -> WarehousePaths:
    paths = WarehousePaths.at(tmp_path / "home").ensure()
    _publish(paths, 1, "first")
    return paths


def test_a_version_is_read_only_and_records_every_files_sha256(paths):
    (version,) = versions(paths)
    entries = [version.folder, *version.folder.rglob("*")]
    assert all(_is_read_only(entry) for entry in entries)
    files = {p.relative_to(version.folder).as_posix(): p for p in entries if p.is_file()}
    recorded = version.info["files"]
    assert set(recorded) == set(files) - {"published.json"}
    assert "warehouse.duckdb" in recorded and any(name.startswith("parquet/") for name in recorded)
    assert all(recorded[name] == hashlib.sha256(files[name].read_bytes()).hexdigest() for name in recorded)
    assert version.info["path"] == "published/warehouse.duckdb"
    assert verify_published(paths) == []


def test_finding_1_a_database_opened_read_write_and_changed_is_reported_then_healed(paths):
    (version,) = versions(paths)
    tampered = version.folder / "warehouse.duckdb"
    os.chmod(version.folder, 0o755)
    os.chmod(tampered, 0o644)
    with duckdb.connect(str(tampered)) as con:  # what the tester did: open read-write, delete
        con.execute("delete from marts.mart_trends")
    os.chmod(tampered, 0o444)
    os.chmod(version.folder, 0o555)

    problems = verify_published(paths)
    assert problems == [
        f"published/versions/{version.name}/warehouse.duckdb was changed: its sha256 is not the one "
        "published.json records"
    ]
    status = _run("status", "--home", str(paths.home))
    assert status.exit_code == 0, status.output
    assert f"✗ published: {problems[0]}" in status.stderr
    assert "`warehouse build` (or `warehouse publish`) publishes it anew" in status.stderr

    healed = _publish(paths, 1, "healed")
    assert verify_published(paths) == []
    assert [v.name for v in versions(paths) if v.is_current] == [healed.version]
    assert _value(paths.home) == "1,3"


def test_a_writable_or_added_file_is_reported_too(paths):
    (version,) = versions(paths)
    os.chmod(version.folder / "datapackage.json", 0o644)
    assert verify_published(paths) == [
        f"published/versions/{version.name}/datapackage.json is writable: a published version is read-only"
    ]
    os.chmod(version.folder / "datapackage.json", 0o444)
    os.chmod(version.folder, 0o755)
    (version.folder / "extra.duckdb").write_text("x")
    problems = verify_published(paths)
    assert f"published/versions/{version.name}/extra.duckdb was not published: it was added afterwards" in problems


@pytest.mark.parametrize("name", ["warehouse.duckdb", "current", "published.json"])
def test_finding_2_a_link_replaced_by_a_file_is_reported_and_healed(paths, name):
    replaced = paths.published_dir / name
    replaced.unlink()
    replaced.write_text("a\n1\n")  # what `query --output` used to do (6 bytes)

    (problem,) = verify_published(paths)
    assert problem.startswith(f"published/{name} is a file, not the link to ")
    query = _run("query", "select 1", "--home", str(paths.home))
    assert query.exit_code == 1
    assert query.stderr.strip() == (
        f"the published warehouse is damaged: {problem}; `warehouse build` (or `warehouse publish`) repairs it"
    )
    status = _run("status", "--home", str(paths.home))
    assert status.exit_code == 0, status.output  # no traceback
    assert f"✗ published: {problem}" in status.stderr

    _publish(paths, 2, "healed")
    assert verify_published(paths) == []
    assert (paths.published_dir / name).is_symlink()
    assert _value(paths.home) == "2,3"


def test_finding_3_a_missing_current_link_is_not_nothing_published_and_is_healed(paths):
    (version,) = versions(paths)
    paths.published_current.unlink()

    problems = verify_published(paths)
    assert problems == [f"published/current is missing: no version is current (kept: {version.name})"]
    query = _run("query", "select 1", "--home", str(paths.home))
    assert query.exit_code == 1 and "the published warehouse is damaged: published/current is missing" in query.stderr
    assert "build one" not in query.stderr
    status = _run("status", "--home", str(paths.home))
    assert status.exit_code == 0, status.output
    assert "nothing yet" not in status.stdout
    assert f"Published: no current version (1 kept, the newest {version.name})" in status.stdout

    _publish(paths, 3, "healed")
    assert verify_published(paths) == []
    assert _value(paths.home) == "3,3"


def test_a_version_without_checksums_is_not_trusted(paths):
    (version,) = versions(paths)
    info = json.loads((version.folder / "published.json").read_text())
    del info["files"]
    os.chmod(version.folder, 0o755)
    os.chmod(version.folder / "published.json", 0o644)
    (version.folder / "published.json").write_text(json.dumps(info))
    publishing.set_read_only(version.folder)
    assert verify_published(paths) == [
        f"published/versions/{version.name}/published.json records no checksums (missing, damaged, or "
        "published before they were)"
    ]


def test_a_moved_home_names_its_own_files_also_from_an_old_absolute_path(paths, tmp_path):
    moved = tmp_path / "moved"
    shutil.move(paths.home, moved)
    moved_paths = WarehousePaths.at(moved)
    assert verify_published(moved_paths) == []
    status = _run("status", "--home", str(moved))
    assert f"at {moved / 'published' / 'warehouse.duckdb'}" in status.stdout
    old_absolute = {"path": str(paths.published_db)}  # what versions published before wrote
    assert published_path(moved_paths, old_absolute) == moved_paths.published_db
    assert published_path(moved_paths, last_publish(moved_paths)) == moved_paths.published_db


def test_prune_and_the_leftovers_cleanup_make_read_only_versions_writable_first(paths, monkeypatch):
    real_rmtree = shutil.rmtree

    def rmtree_as_a_user(folder, *args, **kwargs):
        """A non-root user cannot delete inside a read-only folder: every folder must be writable."""
        assert all(not _is_read_only(p) for p in [Path(folder), *Path(folder).rglob("*")] if p.is_dir())
        real_rmtree(folder, *args, **kwargs)

    monkeypatch.setattr(publishing.shutil, "rmtree", rmtree_as_a_user)
    (first,) = versions(paths)
    second = _publish(paths, 2, "second", keep=3)
    rollback(paths)
    third = _publish(paths, 3, "third", keep=3)
    assert prune_versions(paths, keep=1) == [first.name, second.version]
    assert [v.name for v in versions(paths)] == [third.version]

    (current,) = versions(paths)
    killed = paths.published_versions / ".20990101T000000Z.partial"
    shutil.copytree(current.folder, killed)
    publishing.set_read_only(killed)
    os.chmod(current.folder, 0o755)
    (current.folder / ".report.html.tmp").write_text("half")
    os.chmod(current.folder, 0o555)
    removed = remove_leftovers(paths)
    assert killed in removed and current.folder / ".report.html.tmp" in removed
    assert not killed.exists() and not (current.folder / ".report.html.tmp").exists()
    assert _is_read_only(current.folder) and verify_published(paths) == []


def test_a_file_added_to_the_current_version_is_recorded_and_read_only(paths):
    def writer(db: Path, folder: Path) -> Path:
        (folder / "report.html").write_text("<p>report</p>")
        return folder / "report.html"

    written = write_into_current(paths, writer)
    (version,) = versions(paths)
    assert written == paths.published_dir / "report.html" and written.read_text() == "<p>report</p>"
    assert version.info["files"]["report.html"] == hashlib.sha256(b"<p>report</p>").hexdigest()
    assert _is_read_only(version.folder / "report.html") and _is_read_only(version.folder)
    assert verify_published(paths) == []


@pytest.mark.parametrize("target", ["published/warehouse.duckdb", "published/current", "elsewhere.csv"])
def test_query_output_inside_the_home_is_refused(paths, tmp_path, target):
    output = paths.home / target
    result = _run("query", "select 1 a", "--format", "csv", "--output", str(output), "--home", str(paths.home))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"--output: {output} is inside the warehouse home {paths.home}; write the file somewhere else."
    )
    assert verify_published(paths) == [] and not (paths.home / "elsewhere.csv").exists()


def test_query_output_through_a_symlink_into_the_home_is_refused(paths, tmp_path):
    shortcut = tmp_path / "shortcut"
    shortcut.symlink_to(paths.published_dir)
    home = ("--home", paths.home)
    result = _run("query", "select 1 a", "--format", "csv", "--output", shortcut / "warehouse.duckdb", *home)
    assert result.exit_code == 2, result.output
    assert "is inside the warehouse home" in result.stderr
    outside = tmp_path / "out.csv"
    assert _run("query", "select 1 a", "--format", "csv", "--output", outside, *home).exit_code == 0
    assert outside.read_text().splitlines() == ["a", "1"]


def test_rollback_refuses_a_damaged_version(paths):
    (first,) = versions(paths)
    _publish(paths, 2, "second")
    os.chmod(first.folder, 0o755)
    (first.folder / "datapackage.json").unlink()
    result = _run("rollback", "--home", paths.home)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"version {first.name} fails verification, not restored: published/versions/{first.name}/datapackage.json "
        "is missing: it was published as a file (and 1 more)"
    )
    assert _value(paths.home) == "2,3"


def test_a_warehouse_built_from_the_sample_is_labelled_synthetic_everywhere(tmp_path):
    """published.json, the datapackage, the report banner and `status` say "synthetic sample"."""
    import duckdb

    from sources.common.archive import RawArchive
    from warehouse.access.report import write_report
    from warehouse.publish.versions import last_publish, publish
    from warehouse.settings import WarehousePaths

    paths = WarehousePaths.at(tmp_path / "home").ensure()
    sample_file = paths.samples / "scale-0.01" / "FLCWksht.csv"
    sample_file.parent.mkdir(parents=True)
    sample_file.write_text("Cert Num\n1\n", encoding="utf-8")
    archived = RawArchive(paths.raw_archive).store_local(sample_file, source="mspa")
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.raw_mspa__farm_labor_contractors as select ? as source_sha256", [archived.sha256])
        con.execute("create schema marts")
        con.execute("create table marts.mart_example as select 1 as n")
    publish(paths, run_id="sample")
    assert last_publish(paths)["synthetic_sample"] is True
    package = json.loads((paths.published_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert "synthetic sample" in package["title"]
    page = write_report(paths.published_db, tmp_path / "out").read_text(encoding="utf-8")
    assert 'id="sample-banner"' in page and "Synthetic sample" in page
    result = CliRunner().invoke(app, ["status", "--home", str(paths.home)])
    assert "This is a synthetic sample" in result.output


def test_a_build_verifying_twice_reads_each_published_file_once_and_still_sees_a_change(paths, monkeypatch):
    """The command line and the dbt step both verify the current version in one process: the second
    check reuses the digests of files whose status did not change (sources/common/digests.py)."""
    from sources.common import digests

    _publish(paths, 1, "r1")
    digests.forget_digests()
    monkeypatch.setattr(digests, "_SETTLED_NS", 0)  # the version was just written: count it as settled
    reads: list[str] = []
    real_open = open

    def counting_open(file, *args, **kwargs):
        reads.append(Path(file).name)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    assert verify_published(paths) == [] and verify_published(paths) == []
    assert reads.count("warehouse.duckdb") == 1, "the second verification did not read the database again"

    db = paths.published_current.resolve() / "warehouse.duckdb"
    before = db.stat()
    os.chmod(db, 0o644)
    content = bytearray(db.read_bytes())
    content[-1] ^= 0xFF
    db.write_bytes(bytes(content))
    os.chmod(db, 0o444)
    os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))  # size and mtime as published: ctime still moved
    assert any("was changed" in problem for problem in verify_published(paths))
    digests.forget_digests()
