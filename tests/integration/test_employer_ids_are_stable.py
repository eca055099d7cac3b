"""Issue #15: employer ids are stable. Rebuilding with one more H-2A fiscal year keeps every existing
employer's id: new records join old ids, and an id changes only when its employer merged into one
with an older id (recorded in linkage.employer_id_merges); an employer never seen before gets a new id."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.run import write_dagster_yaml
from tests.integration.conftest import run_cli, sample_dir, write_xlsx
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration
NEW_YEAR = "FY2025"


def _links(home: Path) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        rows = con.execute("select source, record_id, employer_id from marts.bridge_employer_record").fetchall()
    return {(source, record): employer for source, record, employer in rows}


def _merges(home: Path) -> dict[str, str]:
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        return dict(con.execute("select employer_id, merged_into from linkage.employer_id_merges").fetchall())


def test_adding_a_fiscal_year_keeps_every_employer_id(built_home, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "dagster").mkdir(parents=True)
    write_dagster_yaml(home / "dagster")
    monkeypatch.setenv("WAREHOUSE_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    folder = tmp_path / "inputs"
    shutil.copytree(sample_dir(built_home), folder)
    held_back = tmp_path / "later"
    held_back.mkdir()
    for path in folder.glob(f"*{NEW_YEAR}*"):
        shutil.move(path, held_back / path.name)
    assert list(held_back.iterdir()), "the sample has files of the newest fiscal year"

    first = run_cli("build", "--source", str(folder), "--home", str(home))
    assert first.exit_code == 0, first.output
    before = _links(home)

    for path in held_back.iterdir():
        shutil.move(path, folder / path.name)
    (disclosure,) = folder.glob(f"H-2A_Disclosure_Data_{NEW_YEAR}*.xlsx")
    _add_newcomer(disclosure)
    second = run_cli("build", "--source", str(folder), "--home", str(home))
    assert second.exit_code == 0, second.output
    after = _links(home)
    merges = _merges(home)

    new_records = set(after) - set(before)
    assert new_records, f"{NEW_YEAR} brings new records"
    assert set(before) <= set(after)
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    for old, new in changed.values():
        assert merges.get(old) == new and new < old, f"{old} -> {new} is not a merge into an older id"
    assert len(changed) <= len(before) // 100, "ids do not churn"
    old_ids = set(before.values())
    joined = {key for key in new_records if after[key] in old_ids}
    assert joined, "records of the new year join employers that already had an id"
    assert after[("h2a", NEWCOMER["CASE_NUMBER"])] not in old_ids, (
        "an employer first seen in the new year gets a new id"
    )
    _second_run_linked_incrementally(home)

    relinked = run_cli("build", "--relink", "--source", str(folder), "--home", str(home))
    assert relinked.exit_code == 0, relinked.output
    runs = _linkage_runs(home)
    assert [(r["mode"], r["mode_reason"]) for r in runs][-1] == ("full", "relink asked (--relink)")
    assert _metadata()["mode"] == "full"
    again = _links(home)
    assert sum(again[key] != after[key] for key in after) <= len(after) // 100, "ids do not churn"


def _linkage_runs(home: Path) -> list[dict]:
    with duckdb.connect(str(WarehousePaths.at(home).build_db), read_only=True) as con:
        rows = con.execute("select summary_json from linkage.runs order by linked_at").fetchall()
    return [json.loads(summary) for (summary,) in rows]


def _metadata() -> dict:
    event = dg.DagsterInstance.get().get_latest_materialization_event(dg.AssetKey("int_employer_links"))
    return {key: value.value for key, value in event.asset_materialization.metadata.items()}


def _second_run_linked_incrementally(home: Path) -> None:
    """The first build links in full (no model stored yet); the second predicts only what its new records
    touch, with the stored model, and says so in linkage.runs and in the asset's metadata."""
    first, second = _linkage_runs(home)
    assert (first["mode"], first["mode_reason"]) == ("full", "no stored model")
    assert (second["mode"], second["mode_reason"]) == ("incremental", "stored model and digests unchanged")
    assert second["profiles_new"] > 0  # the new records' and those whose name-wide features moved
    assert second["profiles_touched"] < second["profiles"]
    assert second["pairs_kept"] + second["pairs_predicted"] == second["matched_pairs"]
    metadata = _metadata()
    assert (metadata["mode"], metadata["mode_reason"]) == (second["mode"], second["mode_reason"])
    assert metadata["pairs_predicted"] == second["pairs_predicted"]


# An employer unlike any in the sample (name, address, phone, FEIN), filing for the first time.
NEWCOMER = {
    "CASE_NUMBER": "H-300-24300-999001",
    "EMPLOYER_NAME": "QUILLBACK ZEPHYR VINEYARDS LLC",
    "EMPLOYER_ADDRESS_1": "9 Lonesome Gulch Road",
    "EMPLOYER_CITY": "ELKHORN SPRINGS",
    "EMPLOYER_STATE": "MT",
    "EMPLOYER_POSTAL_CODE": "59634",
    "EMPLOYER_PHONE": "406-555-0199",
    "EMPLOYER_FEIN": "99-0000001",
}


def _add_newcomer(workbook: Path) -> None:
    """Append one filing by a new employer to an OFLC workbook (cells kept as the text we read)."""
    import fastexcel

    sheet = fastexcel.read_excel(str(workbook)).load_sheet(0, dtypes="string")
    table = sheet.to_arrow()
    rows = [list(row.values()) for row in table.to_pylist()]
    newcomer = dict(zip(table.column_names, rows[0], strict=True)) | NEWCOMER
    write_xlsx(workbook, [(sheet.name, [table.column_names, *rows, list(newcomer.values())])])
