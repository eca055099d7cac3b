"""What every build pays whatever changed (issue 27): an input file is read for its fiscal year only when
no slice recorded its bytes, an unchanged input is not copied into the archive again, and a file's
sha256 is computed once per process while the file does not change (a changed file is always read
again)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import pytest

from sources import h2a, whd
from sources.common import digests
from sources.common.archive import RawArchive
from sources.common.digests import file_sha256, sha256_of
from sources.common.sample_world import SampleConfig
from warehouse.ingest.acquire import FilePartitions, acquire
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
