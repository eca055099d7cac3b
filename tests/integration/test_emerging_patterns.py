"""The emerging-pattern detector on the built sample (marts.mart_emerging_patterns, issue 29): the rises
the sample plants (sources.common.sample_world.EMERGING_PLANTS) are flagged in the latest year with a
sentence, the planted noise never is, and the backtest finds each rise in the year it began."""

from __future__ import annotations

import duckdb
import pytest

from sources.common.sample_world import World, emerging_plant_cells
from warehouse.quality.emerging_backtest import backtest, report, sample_config
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def con(built_home):
    with duckdb.connect(str(WarehousePaths.at(built_home).published_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def plant_cells(built_home):
    return emerging_plant_cells(World(sample_config(built_home)))


def _cell_rows(con, cell, *, latest_only: bool):
    """The mart's rows of a plant's own cell and measure, found from the plant (not from the mart's flags)."""
    where = ["scope_kind = ?", "measure = ?"]
    params: list = [cell.plant.scope_kind, cell.plant.measure]
    if cell.plant.scope_kind == "state_sector":
        where += ["state_code = ?", "naics_sector = ?"]
        params += [cell.state_code, cell.naics_sector]
    elif cell.plant.scope_kind == "hidden_work_industry":
        where.append("hidden_work_code = ?")
        params.append(cell.hidden_work_code)
    else:
        where.append("agent_id IN (SELECT agent_id FROM marts.dim_filing_agent WHERE lower(agent_name) = lower(?))")
        params.append(cell.agent_name)
    if latest_only:
        where.append("is_latest_year")
    return con.execute(
        f"SELECT fiscal_year, observed, is_emerging, sentence FROM marts.mart_emerging_patterns "
        f"WHERE {' AND '.join(where)} ORDER BY fiscal_year",
        params,
    ).fetchall()


def test_planted_rises_are_flagged_in_the_latest_year_with_a_sentence(con, plant_cells, built_home):
    config = sample_config(built_home)
    rises = [cell for cell in plant_cells if cell.plant.is_rise]
    assert len(rises) >= 3
    for cell in rises:
        rows = _cell_rows(con, cell, latest_only=True)
        assert len(rows) == 1, (cell.plant.name, rows)
        fiscal_year, observed, is_emerging, sentence = rows[0]
        assert fiscal_year == cell.plant.start_fiscal_year(config)
        assert is_emerging, (cell.plant.name, rows)
        assert sentence and f"FY{fiscal_year}" in sentence and f"{observed:,.0f}" in sentence, sentence


def test_planted_noise_is_never_flagged(con, plant_cells):
    noise = [cell for cell in plant_cells if not cell.plant.is_rise]
    assert len(noise) >= 2
    for cell in noise:
        rows = _cell_rows(con, cell, latest_only=False)
        assert rows, f"the noise {cell.plant.name!r} has no cell in the mart"
        assert not any(is_emerging for _, _, is_emerging, _ in rows), (cell.plant.name, rows)


def test_flagged_rows_carry_a_sentence_and_unflagged_rows_none(con):
    counts = con.execute(
        "SELECT count(*) FILTER (WHERE is_emerging AND (sentence IS NULL OR emerging_rank IS NULL)), "
        "count(*) FILTER (WHERE NOT is_emerging AND sentence IS NOT NULL), count(*) FILTER (WHERE is_emerging) "
        "FROM marts.mart_emerging_patterns"
    ).fetchone()
    assert counts[0] == 0 and counts[1] == 0 and counts[2] > 0


def test_the_backtest_finds_every_rise_in_the_year_it_began(con, built_home):
    result = backtest(con, sample_config(built_home))
    assert result.rises >= 3
    assert result.rises_found_in_first_year == result.rises, report(result)
    assert result.noise_flags == 0, report(result)
    flagged = dict(
        con.execute(
            "SELECT fiscal_year, count(*) FROM marts.mart_emerging_patterns WHERE is_emerging GROUP BY fiscal_year"
        ).fetchall()
    )
    assert result.flags == dict(sorted(flagged.items()))
    assert all(0 <= result.false_flags[year] <= result.flags[year] for year in result.flags)
    assert "Rises found in the year they began" in report(result)
