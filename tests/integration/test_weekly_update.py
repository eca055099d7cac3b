"""Issue 27, the realistic week: WHD republished whole with ~1 % new and ~0.5 % changed cases is loaded by
content difference, and the raw table equals a full reload of the same file; a bad new row is still
rejected naming its file, row and rule."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from benchmarks.week import WHD_ZIP, write_week
from sources.common.archive import RawArchive
from tests.integration.conftest import run_cli, sample_dir
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration

TABLE = "raw.raw_whd__compliance_actions"


def _ingest(home: Path, path: Path):
    return run_cli("ingest", "whd", "--file", str(path), "--home", str(home))


def _rows(home: Path) -> list[tuple]:
    with duckdb.connect(str(WarehousePaths.at(home).build_db), read_only=True) as con:
        return con.execute(f"SELECT * FROM {TABLE} ORDER BY case_id").fetchall()


def _whd_difference(home: Path) -> dict:
    """The WHD raw step's recorded difference, from the newest run's materialization."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    event = instance.get_latest_materialization_event(dg.AssetKey("raw_whd__compliance_actions"))
    return event.asset_materialization.metadata["difference"].value["all"]


def _case_ids(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        text = "".join(archive.read(n).decode("latin-1") for n in archive.namelist())
    return {row["CASE_ID"] for row in csv.DictReader(io.StringIO(text)) if row["CASE_ID"] != "CASE_ID"}


@pytest.fixture
def week(home_copy, tmp_path) -> Path:
    folder = tmp_path / "week"
    write_week(sample_dir(home_copy), folder, seed=7)
    return folder


def test_the_week_loads_by_difference_and_equals_a_full_reload(home_copy, week, tmp_path):
    full_home = tmp_path / "full-home"
    shutil.copytree(home_copy, full_home, symlinks=True)
    before = {row[0] for row in _rows(home_copy)}
    new_ids = {int(i) for i in _case_ids(week / WHD_ZIP)} - before

    result = _ingest(home_copy, week / WHD_ZIP)
    assert result.exit_code == 0, result.output
    difference = _whd_difference(home_copy)
    assert difference["new"] == len(new_ids) > 0
    assert difference["changed"] > 0 and difference["gone"] == 0
    assert difference["kept"] == len(before) - difference["changed"]

    # The same file loaded whole: with no rows to compare with, the load replaces the table.
    with duckdb.connect(str(WarehousePaths.at(full_home).build_db)) as con:
        con.execute(f"DELETE FROM {TABLE}")
    result = _ingest(full_home, week / WHD_ZIP)
    assert result.exit_code == 0, result.output
    assert _rows(home_copy) == _rows(full_home)


def test_a_bad_new_row_is_rejected_naming_file_row_and_rule(home_copy, week):
    path = week / WHD_ZIP
    with zipfile.ZipFile(path) as archive:
        (member,) = archive.namelist()
        lines = archive.read(member).decode("latin-1").split("\n")
    header = next(csv.reader([lines[0]]))
    last = [i for i, line in enumerate(lines) if line][-1]  # a new case: they are appended
    cells = next(csv.reader([lines[last]]))
    cells[header.index("BW_ATP_AMT")] = "-500"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    lines[last] = out.getvalue()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, "\n".join(lines).encode("latin-1"))

    result = _ingest(home_copy, path)

    assert result.exit_code == 1, result.output
    assert "money_non_negative" in result.output and "1 failing" in result.output
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    paths = WarehousePaths.at(home_copy)
    (archived,) = [f for f in RawArchive(paths.raw_archive).files("whd") if f.sha256 == sha]
    report = json.loads((archived.folder / "QUARANTINED.json").read_text())
    failing = next(r for r in report["results"] if r["rule"] == "money_non_negative")
    ((example,),) = [failing["examples"]]
    assert example["source_row"] == last and example["source_file"].endswith(member)


def _latest(instance, asset: str):
    import dagster as dg

    return instance.get_latest_materialization_event(dg.AssetKey(asset))


def test_dbt_rebuilds_only_the_models_downstream_of_the_changed_source(home_copy, week):
    import dagster as dg

    assert _ingest(home_copy, week / WHD_ZIP).exit_code == 0

    result = run_cli("build", "--home", str(home_copy))  # a plain build, from the archive

    assert result.exit_code == 0, result.output
    instance = dg.DagsterInstance.from_config(str(home_copy / "dagster"))
    whd, qcew = _latest(instance, "stg_whd__compliance_actions"), _latest(instance, "stg_qcew__annual_employment")
    assert whd.run_id == qcew.run_id, "both reported by the same build"
    assert "rebuilt" not in whd.asset_materialization.metadata, "WHD changed: its staging model is rebuilt"
    assert qcew.asset_materialization.metadata["rebuilt"].value is False, "QCEW did not change: kept"
    with duckdb.connect(str(WarehousePaths.at(home_copy).build_db), read_only=True) as con:
        raw, staged = con.execute(
            f"SELECT (SELECT count(*) FROM {TABLE}), (SELECT count(*) FROM staging.stg_whd__compliance_actions)"
        ).fetchone()
        kept = con.execute(
            "SELECT kept_nodes FROM audit.dbt_builds WHERE asset = 'dbt_models' AND status = 'succeeded' "
            "ORDER BY built_at DESC LIMIT 1"
        ).fetchone()[0]
    assert staged == raw, "the new WHD cases reached staging"
    assert kept > 0
