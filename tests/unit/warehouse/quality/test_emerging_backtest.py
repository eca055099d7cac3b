"""The emerging-pattern backtest on a hand-made mart: a planted rise's cell flagged in the year it began is
found then, flags its rise explains are not false, other flags are, and a flagged noise is counted."""

from __future__ import annotations

import duckdb
import pytest

from sources.common.sample_world import SampleConfig, World, emerging_plant_cells
from warehouse.quality.emerging_backtest import backtest, report, sample_config
from warehouse.settings import WarehousePaths

CONFIG = SampleConfig(scale=0.004)
COLUMNS = "fiscal_year, scope_kind, measure, source, state_code, region, naics_sector, hidden_work_code, agent_id"


CELLS = {cell.plant.name: cell for cell in emerging_plant_cells(World(CONFIG))}


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA marts")
    connection.execute("CREATE TABLE marts.dim_region (state_code VARCHAR, dol_region VARCHAR)")
    connection.execute("CREATE TABLE marts.dim_filing_agent (agent_id VARCHAR, agent_name VARCHAR)")
    connection.execute(
        "CREATE TABLE marts.mart_emerging_patterns (is_emerging BOOLEAN, fiscal_year INTEGER, scope_kind VARCHAR, "
        "measure VARCHAR, source VARCHAR, state_code VARCHAR, region VARCHAR, naics_sector VARCHAR, "
        "hidden_work_code VARCHAR, agent_id VARCHAR)"
    )
    for cell in CELLS.values():
        if cell.state_code:
            connection.execute(
                "INSERT INTO marts.dim_region VALUES (?, ?)", [cell.state_code, f"region of {cell.state_code}"]
            )
        if cell.agent_name:
            connection.execute(
                "INSERT INTO marts.dim_filing_agent VALUES (?, ?)", [f"A-{cell.agent_name}", cell.agent_name]
            )
    yield connection
    connection.close()


def _flag(con, year, scope_kind, measure, source, state=None, region=None, sector=None, hidden=None, agent=None):
    con.execute(
        f"INSERT INTO marts.mart_emerging_patterns (is_emerging, {COLUMNS}) VALUES (true, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [year, scope_kind, measure, source, state, region, sector, hidden, agent],
    )


def test_backtest_scores_planted_rises_noise_and_false_flags(con):
    last = CONFIG.last_fiscal_year
    child = CELLS["child labor at one employer"]
    landscaping = CELLS["H-2B landscaping workers"]
    volatile = CELLS["a volatile agent"]
    # The child-labor rise: its own cell in the year it began, and its state and the nation (explained).
    _flag(con, last, "state_sector", "child_labor_violations", "whd", child.state_code, None, child.naics_sector)
    _flag(con, last, "state", "violations", "whd", child.state_code, f"region of {child.state_code}")
    _flag(con, last, "national", "whd_cases", "whd")
    # The landscaping rise only a year late; the same cell a year before it began is a false flag.
    _flag(con, last - 1, "hidden_work_industry", "h2b_workers_certified", "h2b", hidden=landscaping.hidden_work_code)
    # The noise agent flagged: a noise flag and a false one. A WHD flag in another state: false.
    _flag(con, last, "filing_agent", "h2b_agent_filings", "h2b", agent=f"A-{volatile.agent_name}")
    _flag(con, last, "state", "whd_cases", "whd", "ZZ", "elsewhere")

    result = backtest(con, CONFIG)

    by_name = {plant.name: plant for plant in result.plants}
    assert by_name["child labor at one employer"].first_flagged == last
    assert by_name["child labor at one employer"].found_in_first_year
    assert by_name["H-2B landscaping workers"].first_flagged is None
    assert by_name["H-2B landscaping workers"].flagged_years == (last - 1,)
    assert not by_name["a filing agent's applications"].found_in_first_year
    assert result.rises_found_in_first_year == 1 and result.rises == 3
    assert result.noise_flags == 1
    assert result.flags == {last - 1: 1, last: 5}
    assert result.false_flags == {last - 1: 1, last: 2}
    assert "Rises found in the year they began: 1 of 3" in report(result)


def test_the_sample_is_read_from_its_folders_whatever_versions_of_the_code_wrote_them(tmp_path):
    samples = WarehousePaths.at(tmp_path).samples
    for name in ("scale-0.01-seed-7-1a2b3c4d", "scale-0.01-seed-7-5e6f7a8b", "scale-0.5-seed-7-99aa00bb.partial"):
        (samples / name).mkdir(parents=True)
    assert sample_config(tmp_path) == SampleConfig(scale=0.01, seed=7)

    (samples / "scale-0.004-seed-7-0c0c0c0c").mkdir()
    with pytest.raises(SystemExit, match=r"scale 0\.004 seed 7, scale 0\.01 seed 7.*--scale and --seed"):
        sample_config(tmp_path)
