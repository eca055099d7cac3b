"""What every build pays whatever changed (issue 27): an input file is read for its fiscal year only when
no slice recorded its bytes, an unchanged input is not copied into the archive again, and a file's
sha256 is computed once per process while the file does not change (a changed file is always read
again)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources import h2a, whd
from sources.common import digests
from sources.common.archive import RawArchive
from sources.common.digests import file_sha256, sha256_of
from sources.common.sample_world import SampleConfig
from tests.real_fixtures import shared_sample
from warehouse.ingest.acquire import FilePartitions, acquire
from warehouse.ingest.stage import stage
from warehouse.quality.audit import record_source_status
from warehouse.quality.validation_report import file_entry
from warehouse.settings import WarehousePaths

WHD = whd.SOURCE.tables[0]
H2A = h2a.SOURCE.tables[0]


@pytest.fixture
def paths(tmp_path) -> WarehousePaths:
    return WarehousePaths.at(tmp_path / "home").ensure()


@pytest.fixture(autouse=True)
def _fresh_digests(monkeypatch):
    digests.forget_digests()
    monkeypatch.setattr(digests, "_SETTLED_NS", 0)  # files written by the test count as settled at once
    yield
    digests.forget_digests()


def _file(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _sha256_of_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _counting_table(calls: list[str], year: str = "2019"):
    """H-2A's disclosure table whose partition_of (which reads a workbook) is counted."""

    def partition_of(path: Path) -> str:
        calls.append(Path(path).name)
        return year

    return dataclasses.replace(H2A, partition_of=partition_of)


def test_a_file_a_slice_recorded_is_not_read_for_its_fiscal_year(paths, tmp_path):
    calls: list[str] = []
    table = _counting_table(calls)
    archived = RawArchive(paths.raw_archive).store_local(
        _file(tmp_path / "H-2A_Disclosure_Data_FY2016.xlsx", b"fy2016"), source="h2a"
    )
    record_source_status(
        paths.build_db,
        run_id="r1",
        table=table.contract.table_name,
        partition="2016",
        files=[file_entry(archived)],
        row_count=1,
    )
    other = _file(tmp_path / "H-2A_Disclosure_Data_FY2019.xlsx", b"fy2019")

    partitions = FilePartitions(table, paths)
    assert partitions.of(Path(archived.path), archived.sha256) == "2016"
    assert partitions.of(tmp_path / "H-2A_Disclosure_Data_FY2016.xlsx") == "2016", "found by its bytes, any path"
    assert calls == [], "the recorded slice is taken, the workbook is not read"
    assert partitions.of(other) == partitions.of(other) == "2019"
    assert calls == [other.name], "a file no slice recorded is read once a run"

    forced = FilePartitions(table, paths, recorded=False)
    assert forced.of(Path(archived.path), archived.sha256) == "2019"
    assert calls == [other.name, archived.filename], "a forced run reads every file again"


def test_a_new_file_is_read_once_before_and_after_it_is_archived(paths, tmp_path):
    """A first build from a folder judges each file where it lies (to pick the run's fiscal years), then
    as archived: one read of the workbook (seconds a file at scale), found again by its bytes."""
    calls: list[str] = []
    table = _counting_table(calls)
    local = _file(tmp_path / "H-2A_Disclosure_Data_FY2019.xlsx", b"fy2019")
    partitions = FilePartitions(table, paths)
    assert partitions.of(local) == "2019"
    archived = RawArchive(paths.raw_archive).store_local(local, source="h2a")
    assert partitions.of(Path(archived.path), archived.sha256) == "2019"
    assert calls == [local.name]


def test_a_file_recorded_under_two_slices_is_read(paths, tmp_path):
    calls: list[str] = []
    table = _counting_table(calls)
    archived = RawArchive(paths.raw_archive).store_local(
        _file(tmp_path / "H-2A_Disclosure_Data_FY2016.xlsx", b"both"), source="h2a"
    )
    for partition in ("2016", "2017"):
        record_source_status(
            paths.build_db,
            run_id="r1",
            table=table.contract.table_name,
            partition=partition,
            files=[file_entry(archived)],
            row_count=1,
        )
    assert FilePartitions(table, paths).of(Path(archived.path), archived.sha256) == "2019"
    assert calls == [archived.filename]


def test_an_unchanged_input_is_not_copied_into_the_archive_again(paths, tmp_path, monkeypatch):
    folder = tmp_path / "inputs"
    source = _file(folder / "WHD_enforcement.zip", b"week 1")
    (first,) = acquire(whd.SOURCE, WHD, mode=str(folder), paths=paths, sample_config=SampleConfig())
    assert first.sha256 == sha256_of(source)

    def no_copy(*args, **kwargs):
        raise AssertionError("an input the archive holds was copied again")

    with monkeypatch.context() as patched:
        patched.setattr(RawArchive, "store_local", no_copy)
        assert acquire(whd.SOURCE, WHD, mode=str(folder), paths=paths, sample_config=SampleConfig()) == [first]

    _file(folder / "WHD_enforcement.zip", b"week 2")
    (second,) = acquire(whd.SOURCE, WHD, mode=str(folder), paths=paths, sample_config=SampleConfig())
    assert second.sha256 == sha256_of(source) != first.sha256, "changed bytes are archived as a new version"
    assert Path(second.path).read_bytes() == b"week 2"


def test_a_digest_is_computed_once_while_the_file_does_not_change(tmp_path, monkeypatch):
    path = _file(tmp_path / "published.duckdb", b"a" * 1000)
    reads: list[Path] = []
    real_open = open

    def counting_open(file, *args, **kwargs):
        reads.append(Path(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    assert file_sha256(path) == file_sha256(path) == sha256_of(path)
    assert reads.count(path) == 2, "hashed once by file_sha256 (the second read is sha256_of's)"

    before = path.stat()
    path.write_bytes(b"b" * 1000)  # same size, mtime set back: only ctime tells
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert file_sha256(path) == _sha256_of_bytes(b"b" * 1000), "a changed file is read again"


def test_a_file_changed_just_before_it_was_read_is_not_remembered(tmp_path, monkeypatch):
    monkeypatch.setattr(digests, "_SETTLED_NS", 60 * 10**9)
    path = _file(tmp_path / "fresh.parquet", b"x")
    file_sha256(path)
    assert digests._known == {}, "a write within the same clock tick could leave its times unchanged"


def test_a_workbook_read_for_its_fiscal_year_is_not_read_again_to_parse_it(paths, tmp_path, monkeypatch):
    """The sheet acquiring read waits on a shelf for the parser, which takes it: the same rows as parsed
    from the workbook, one read of the workbook (a real FY2012 file)."""
    import fastexcel

    local = shutil.copy(shared_sample("H-2A_FY2012.xlsx"), tmp_path / "H-2A_FY2012.xlsx")
    sheets = paths.sheets_dir(H2A.contract.table_name)
    assert FilePartitions(H2A, paths).of(Path(local)) == "2012"
    assert len(list(sheets.glob("*.parquet"))) == 1
    archived = RawArchive(paths.raw_archive).store_local(Path(local), source="h2a")
    from_workbook = stage(H2A, [archived], tmp_path / "from_workbook.parquet", partition="2012")

    def no_second_read(*args, **kwargs):
        raise AssertionError("the workbook was read again")

    monkeypatch.setattr(fastexcel, "read_excel", no_second_read)
    from_shelf = stage(H2A, [archived], tmp_path / "from_shelf.parquet", partition="2012", sheets=sheets)
    assert pq.read_table(from_shelf.parquet_path).equals(pq.read_table(from_workbook.parquet_path))
    assert from_shelf.row_count == from_workbook.row_count > 5000
    assert list(sheets.glob("*")) == [], "the parser took the sheet"


def test_sheets_a_run_left_on_the_shelf_are_cleared_by_the_next(paths, tmp_path):
    sheets = paths.sheets_dir(H2A.contract.table_name)
    _file(sheets / "left-by-a-killed-run.0.parquet", b"stale")
    FilePartitions(H2A, paths)
    assert not sheets.exists()
