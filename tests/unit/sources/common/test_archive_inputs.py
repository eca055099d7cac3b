"""A plain build reads the raw archive: each table's last accepted files (as audit.source_status lists
them, also after a merge), plus files new in the drop folder; never an older version, never a file
the archive already holds again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.defs.resources import WarehouseResource
from sources import qcew, whd
from sources.common.archive import RawArchive
from sources.common.digests import sha256_of
from tests.real_fixtures import REAL
from warehouse.ingest.acquire import InputError, archive_has_inputs, from_archive
from warehouse.ingest.stage import stage
from warehouse.quality.audit import record_source_status, sha256_list, slice_status
from warehouse.quality.gate import LOADED, gate_and_load
from warehouse.quality.validation_report import file_entry
from warehouse.settings import WarehousePaths

WHD = whd.SOURCE.tables[0]
QCEW = qcew.SOURCE.tables[0]


def _file(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture
def paths(tmp_path) -> WarehousePaths:
    return WarehousePaths.at(tmp_path / "home").ensure()


def _accept(paths: WarehousePaths, archived, db: Path | None = None) -> None:
    record_source_status(
        db or paths.build_db,
        run_id="r1",
        table=WHD.contract.table_name,
        partition="all",
        files=[file_entry(archived)],
        row_count=1,
    )


def test_the_last_accepted_file_then_a_new_dropped_one_once(paths, tmp_path):
    archive = RawArchive(paths.raw_archive)
    older = archive.store_local(_file(tmp_path / "v1" / "WHD_enforcement.zip", b"v1"), source="whd")
    accepted = archive.store_local(_file(tmp_path / "v2" / "WHD_enforcement.zip", b"v2"), source="whd")
    _accept(paths, accepted)
    drop = paths.drop_dir
    assert from_archive(whd.SOURCE, WHD, paths=paths, drop_folder=drop) == [accepted]

    _file(drop / "WHD_enforcement.zip", Path(older.path).read_bytes())
    assert from_archive(whd.SOURCE, WHD, paths=paths, drop_folder=drop) == [accepted], (
        "a dropped file the archive already holds is not new"
    )
    new = _file(drop / "WHD_enforcement.zip", b"v3")
    (dropped,) = from_archive(whd.SOURCE, WHD, paths=paths, drop_folder=drop)
    assert dropped.sha256 == sha256_of(new) and Path(dropped.path).parent.parent == paths.raw_archive / "whd"
    assert from_archive(whd.SOURCE, WHD, paths=paths, drop_folder=drop) == [accepted], "a dropped file is taken once"


def test_an_empty_archive_has_nothing_to_build_and_the_published_copy_stands_in_for_a_lost_build(paths, tmp_path):
    assert not archive_has_inputs(paths, paths.drop_dir)
    _file(paths.drop_dir / "WHD_enforcement.zip", b"dropped")
    assert archive_has_inputs(paths, paths.drop_dir)
    shutil.rmtree(paths.drop_dir)

    accepted = RawArchive(paths.raw_archive).store_local(_file(tmp_path / "WHD_enforcement.zip", b"v1"), source="whd")
    paths.published_dir.mkdir(parents=True, exist_ok=True)
    _accept(paths, accepted, db=paths.published_db)  # the build database is gone; the published copy remains
    assert archive_has_inputs(paths, paths.drop_dir)
    assert from_archive(whd.SOURCE, WHD, paths=paths, drop_folder=paths.drop_dir) == [accepted]


def test_a_file_missing_from_the_archive_is_a_clear_error(paths, tmp_path):
    accepted = RawArchive(paths.raw_archive).store_local(_file(tmp_path / "WHD_enforcement.zip", b"v1"), source="whd")
    _accept(paths, accepted)
    shutil.rmtree(accepted.folder)
    with pytest.raises(InputError, match=r"no longer holds .* raw_whd__compliance_actions's last accepted load"):
        from_archive(whd.SOURCE, WHD, paths=paths, drop_folder=None)


def test_after_a_merge_the_status_lists_every_file_the_table_holds(tmp_path):
    """QCEW slices: merging one slice keeps the others, so the status (what a plain build rebuilds from)
    must list them all, with the merged file in place of the one it replaced."""
    warehouse = WarehouseResource(home=str(tmp_path / "home"))
    archive = RawArchive(warehouse.paths().raw_archive)
    y2023 = archive.store_local(REAL / "qcew" / "api_2023_a_industry" / "10.csv", source="qcew")
    y2025 = archive.store_local(REAL / "qcew" / "api_2025_a_industry" / "10.csv", source="qcew")
    manufacturing = archive.store_local(REAL / "qcew" / "api_2025_a_industry" / "3351.csv", source="qcew")
    republished = _file(tmp_path / "again" / "10.csv", Path(y2025.path).read_bytes() + b"\n")
    y2025_again = archive.store_local(republished, source="qcew")

    def load(files, run_id: str, merge: bool) -> None:
        parsed = stage(QCEW, files, warehouse.paths().parsed_dir / f"{run_id}.parquet", partition="all")
        outcome = gate_and_load(qcew.SOURCE, QCEW, parsed, warehouse=warehouse, run_id=run_id, merge=merge)
        assert outcome.status == LOADED, [r.describe() for r in outcome.results if not r.passed]

    def listed() -> set[str]:
        return set(
            sha256_list(
                slice_status(warehouse.paths().build_db, QCEW.contract.table_name, "all")["last_accepted_sha256"]
            )
        )

    load([y2023, y2025], "full", merge=False)
    assert listed() == {y2023.sha256, y2025.sha256}
    load([manufacturing], "new-slice", merge=True)
    assert listed() == {y2023.sha256, y2025.sha256, manufacturing.sha256}
    load([y2025_again], "republished", merge=True)
    assert listed() == {y2023.sha256, manufacturing.sha256, y2025_again.sha256}
    load([y2023], "full-again", merge=False)
    assert listed() == {y2023.sha256}, "a full load replaces the whole list"


def test_runs_dagster_launches_read_warehouse_source_and_default_to_the_archive(monkeypatch):
    from orchestration.defs.resources import warehouse_from_env

    monkeypatch.delenv("WAREHOUSE_SOURCE", raising=False)
    assert warehouse_from_env().input_mode == "archive"
    monkeypatch.setenv("WAREHOUSE_SOURCE", "download")
    assert warehouse_from_env().input_mode == "download"
