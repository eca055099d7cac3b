"""One writer per warehouse: a second writer process is refused at once, told who holds the lock;
the process holding it may take it again (the CLI and the Dagster run it executes in-process); a
killed holder never leaves a stale lock; Dagster runs take it too; analysts' reads never do. The first
writer removes what a killed one left (never a half download), and no version is ever half deleted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.defs.resources import WarehouseResource
from warehouse.operations.writer_lock import WriterBusyError, writer_lock
from warehouse.publish.versions import publish
from warehouse.settings import WarehousePaths
from warehouse_cli import app
from warehouse_cli.app import EXIT_BUSY

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from warehouse.settings import WarehousePaths
    from warehouse.operations.writer_lock import writer_lock
    with writer_lock(WarehousePaths.at(sys.argv[1]), "warehouse build --force"):
        print("holding", flush=True)
        time.sleep(600)
    """
)


@pytest.fixture
def paths(tmp_path) -> WarehousePaths:
    return WarehousePaths.at(tmp_path / "home").ensure()


@pytest.fixture
def other_writer(paths):
    """Another process holding the writer lock, as a running build would; yields its pid."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(paths.home)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    yield holder.pid
    holder.kill()
    holder.wait()


def test_a_second_writer_is_refused_at_once_naming_the_holder(paths, other_writer):
    with pytest.raises(WriterBusyError) as refused, writer_lock(paths, "warehouse publish"):
        pass
    message = str(refused.value)
    assert f"pid {other_writer}" in message
    assert "`warehouse build --force`" in message
    assert "started " in message and "wait for it to finish or stop it" in message
    assert "\n" not in message


def test_every_writing_command_exits_busy_with_that_message_and_changes_nothing(paths, other_writer):
    before = sorted(p.relative_to(paths.home) for p in paths.home.rglob("*"))
    for command in (["build", "--force"], ["publish"], ["rollback"], ["release", "whd.zip"], ["report"]):
        result = CliRunner().invoke(app, [*command, "--home", str(paths.home)], catch_exceptions=False)
        assert result.exit_code == EXIT_BUSY, (command, result.output)
        assert f"another build is running: pid {other_writer}" in result.output, command
    assert sorted(p.relative_to(paths.home) for p in paths.home.rglob("*")) == before


def test_the_holding_process_may_take_the_lock_again(paths):
    with writer_lock(paths, "warehouse build"), writer_lock(paths, "dagster run"):
        pass
    with writer_lock(paths, "warehouse build"):  # released whole after the nested hold
        pass


def test_a_killed_holder_leaves_no_stale_lock(paths):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(paths.home)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with writer_lock(paths, "warehouse build"):
        pass


def test_a_dagster_run_takes_the_lock_and_fails_clearly_while_another_writer_holds_it(paths, other_writer):
    @dg.asset
    def touch(warehouse: WarehouseResource) -> None:
        warehouse.paths()

    job = dg.Definitions(
        assets=[touch], resources={"warehouse": WarehouseResource(home=str(paths.home))}
    ).resolve_implicit_global_asset_job_def()

    result = job.execute_in_process(raise_on_error=False)

    assert not result.success
    assert f"another build is running: pid {other_writer}" in str(result.all_events)


def test_a_dagster_run_the_cli_executes_in_process_reenters_the_cli_lock(paths):
    @dg.asset
    def touch(warehouse: WarehouseResource) -> None:
        warehouse.paths()

    job = dg.Definitions(
        assets=[touch], resources={"warehouse": WarehouseResource(home=str(paths.home))}
    ).resolve_implicit_global_asset_job_def()
    with writer_lock(paths, "warehouse build"):
        assert job.execute_in_process().success
    with writer_lock(paths, "warehouse build"):  # the run gave back only its own hold
        pass


def test_analysts_read_the_published_copy_while_a_writer_holds_the_lock(paths, other_writer):
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts; create table marts.t as select 42 as answer")
    publish(paths, run_id="r1")

    result = CliRunner().invoke(app, ["query", "select answer from marts.t", "--home", str(paths.home)])

    assert result.exit_code == 0, result.output
    assert "42" in result.stdout


def test_the_first_writer_removes_what_a_killed_writer_left_but_keeps_a_half_download(paths):
    versions = paths.published_versions
    left = [
        versions / ".20260101T000000Z.partial" / "warehouse.duckdb",
        versions / ".20250101T000000Z.deleting" / "published.json",
        versions / "20250102T000000Z" / ".report.html.tmp",
        paths.parsed_dir / "raw_whd__compliance_actions" / "all.parquet.tmp",
        paths.build_dir / "selected" / "raw_whd__compliance_actions" / "all.json.tmp",
        paths.raw_archive / ".tmp" / "tmpk2j4h1",
        paths.raw_archive / "whd" / "0123456789abcdef" / "manifest.json.tmp",
    ]
    kept = [
        paths.raw_archive / ".tmp" / "6863176bcc4d212bb5677e00.part",
        paths.raw_archive / ".tmp" / "6863176bcc4d212bb5677e00.part-version.json",
        versions / "20250102T000000Z" / "warehouse.duckdb",
        paths.parsed_dir / "raw_whd__compliance_actions" / "all.parquet",
    ]
    for path in left + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    (paths.published_dir / ".current.link").symlink_to("versions/20250102T000000Z")
    left.append(paths.published_dir / ".current.link")

    with writer_lock(paths, "warehouse build"):
        pass

    assert [p for p in left if p.exists() or p.is_symlink()] == []
    assert not [p for p in versions.iterdir() if p.name.startswith(".")], "no hidden version folder is left"
    assert all(p.exists() for p in kept)


def test_pruning_never_leaves_a_half_deleted_version_to_roll_back_to(paths, monkeypatch):
    import shutil

    from warehouse.publish import versions as publishing

    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts; create table marts.t as select 1 as n")
    first = publish(paths, run_id="r1")
    publish(paths, run_id="r2")

    def killed_midway(folder, *args, **kwargs):
        (folder / "published.json").unlink()
        raise KeyboardInterrupt  # the process dies while deleting

    monkeypatch.setattr(shutil, "rmtree", killed_midway)
    with pytest.raises(KeyboardInterrupt):
        publishing.prune_versions(paths, keep=1)
    monkeypatch.undo()

    assert first.version not in [v.name for v in publishing.versions(paths)]
    with writer_lock(paths, "warehouse build"):
        pass
    assert [p.name for p in paths.published_versions.iterdir()] == [publishing.newest_version(paths).name]
