"""A folder of real H-2A files of different eras (whole files from ../shared/real-samples: the FY2006
CSV, FY2012 and FY2016 workbooks) beside the sample's other files builds and publishes, with every
real file's rows; a real H-2B file dropped in the same folder loads into the H-2B table, not H-2A."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from orchestration.run import write_dagster_yaml
from tests.integration.conftest import run_cli, sample_dir
from tests.real_fixtures import shared_sample
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration

REAL_FILES = {"H2a_FY2006.csv": 7469, "H-2A_FY2012.xlsx": 8047, "H-2A_Disclosure_Data_FY16_updated.xlsx": 11_597}


def test_real_h2a_files_of_three_eras_build_and_publish(built_home, tmp_path, monkeypatch):
    real = {name: shared_sample(name) for name in REAL_FILES}
    folder = tmp_path / "downloads"
    shutil.copytree(sample_dir(built_home), folder)
    for name, path in real.items():
        shutil.copy(path, folder / name)
    shutil.copy(shared_sample("h2b/H-2B_FY2010.xlsx"), folder / "H-2B_FY2010.xlsx")
    home = tmp_path / "home"
    (home / "dagster").mkdir(parents=True)
    write_dagster_yaml(home / "dagster")
    monkeypatch.setenv("WAREHOUSE_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))

    result = run_cli("build", "--source", str(folder), "--home", str(home))

    assert result.exit_code == 0, result.output
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        loaded = dict(
            con.execute(
                "select source_file, count(*) from raw.raw_h2a__disclosure where source_file in (?, ?, ?) group by 1",
                list(REAL_FILES),
            ).fetchall()
        )
        h2b = con.execute(
            "select source_file, count(*) from raw.raw_h2b__disclosure where file_fiscal_year = 2010 group by 1"
        ).fetchall()
        (first_year,) = con.execute(
            "select min(first_fiscal_year) from marts.source_coverage where source = 'h2a'"
        ).fetchone()
    assert loaded == REAL_FILES
    assert h2b == [("H-2B_FY2010.xlsx", 4535)]
    assert first_year == 2006
