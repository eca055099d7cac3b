"""Issue #5: a file dropped into the drop folder starts a run (sensor) that reloads only its H-2A
fiscal-year partition, rebuilds the marts and publishes; the other years stay as they were."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest
from python_calamine import CalamineWorkbook

from orchestration.build import build_defs
from orchestration.defs.resources import warehouse_from_env
from orchestration.defs.sensors import new_files_in_drop_folder
from orchestration.tags import DROP, INPUT_TAG
from tests.integration.conftest import sample_dir, write_xlsx
from tests.integration.test_build_matches_raw_files import h2a_cases
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration
FY16 = "H-2A_Disclosure_Data_FY16_updated.xlsx"


def _mart_workers_by_year(home):
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        return dict(
            con.execute(
                "select fiscal_year, sum(h2a_workers_certified) from marts.mart_industry_year group by 1"
            ).fetchall()
        )


def test_dropped_fiscal_year_file_is_loaded_alone_and_published(home_copy, tmp_path):
    workbook = CalamineWorkbook.from_path(str(sample_dir(home_copy) / FY16))
    sheet = workbook.sheet_names[0]
    rows = workbook.get_sheet_by_index(0).to_python()
    certified = rows[0].index("NBR_WORKERS_CERTIFIED")
    rows[1][certified] = float(rows[1][certified] or 0) + 1000  # a corrected re-issue of FY2016
    drop = WarehousePaths.at(home_copy).home / "drop"
    write_xlsx(drop / FY16, [(sheet, rows)])
    before = _mart_workers_by_year(home_copy)

    warehouse = warehouse_from_env(home=str(home_copy))
    defs = build_defs(resource_overrides={"warehouse": warehouse})
    instance = dg.DagsterInstance.get()
    # The warehouse resource has a run lifecycle (the writer lock), so its sensor context is a context manager.
    with dg.build_sensor_context(
        instance=instance, repository_def=defs.get_repository_def(), resources={"warehouse": warehouse}
    ) as context:
        (request,) = new_files_in_drop_folder(context)
    assert request.partition_key == "2016"
    assert request.tags[INPUT_TAG] == DROP
    with dg.build_sensor_context(
        instance=instance,
        cursor=context.cursor,
        repository_def=defs.get_repository_def(),
        resources={"warehouse": warehouse},
    ) as again:
        assert isinstance(new_files_in_drop_folder(again), dg.SkipReason), "a file is loaded once"

    result = defs.resolve_job_def("build_warehouse").execute_in_process(
        instance=instance,
        asset_selection=request.asset_selection,
        partition_key=request.partition_key,
        tags=request.tags,
    )
    assert result.success
    loaded = {
        e.step_materialization_data.materialization.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
    }
    assert {"raw_h2a__disclosure", "mart_industry_year", "published_warehouse"} <= loaded
    assert not any(k.startswith("raw_whd") for k in loaded), "other sources are not reloaded"

    inputs = tmp_path / "expected_inputs"
    shutil.copytree(sample_dir(home_copy), inputs)
    shutil.copyfile(drop / FY16, inputs / FY16)
    expected = {}
    for _, workers, fiscal_year in h2a_cases(inputs).values():
        expected[fiscal_year] = expected.get(fiscal_year, 0) + workers
    after = _mart_workers_by_year(home_copy)
    assert after != before
    assert {y: w for y, w in after.items() if w} == {y: w for y, w in expected.items() if w}
    with duckdb.connect(str(WarehousePaths.at(home_copy).published_db), read_only=True) as con:
        loads = con.execute(
            "select distinct slice from audit.accepted_loads where run_id = ? and table_name = 'raw_h2a__disclosure'",
            [result.run_id],
        ).fetchall()
    assert loads == [("2016",)]
