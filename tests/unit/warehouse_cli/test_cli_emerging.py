"""`warehouse emerging`: the flagged cells of each measure's latest complete year, strongest first, from a
published hand-made marts.mart_emerging_patterns; --measure, --state, --year, --all and --top filter it,
--format prints it as table, csv or json; a measure or year the mart does not hold, nothing flagged and a
warehouse built before the mart existed are each said in words."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest
from typer.testing import CliRunner

from tests.unit.warehouse.access.emerging_mart import (
    CELLS,
    GA_H2A,
    TX_CHILD_LABOR,
    UNFLAGGED_LATEST,
    create_emerging_mart,
    strongest_first,
)
from warehouse.publish.versions import publish
from warehouse.settings import WarehousePaths
from warehouse_cli import app
from warehouse_cli.app import out

HEADER = ["emerging_rank", "fiscal_year", "sentence", "scope_label", "measure", "observed", "expected", "q_value"]


def _published(home, cells=CELLS, *, with_mart: bool = True):
    paths = WarehousePaths.at(home).ensure()
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.mart_trends AS SELECT 2025 AS fiscal_year")
        if with_mart:
            create_emerging_mart(con, cells)
    publish(paths, run_id="one")
    return home


def _emerging(home, *args: str):
    return CliRunner().invoke(app, ["emerging", *args, "--home", str(home)], catch_exceptions=False)


def _csv_rows(output: str) -> list[dict]:
    start = output.index(",".join(HEADER[:2]))
    return list(csv.DictReader(io.StringIO(output[start:])))


def _expected(cells) -> list[tuple[str, str, str]]:
    return [(str(c.fiscal_year), c.scope_label, c.measure) for c in strongest_first(cells)]


def _shown(rows: list[dict]) -> list[tuple[str, str, str]]:
    return [(r["fiscal_year"], r["scope_label"], r["measure"]) for r in rows]


def test_by_default_the_latest_years_flagged_cells_strongest_first(tmp_path):
    home = _published(tmp_path)

    result = _emerging(home, "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = _csv_rows(result.output)
    assert list(rows[0]) == HEADER
    latest_flagged = [c for c in CELLS if c.is_latest_year and c.is_emerging]
    assert _shown(rows) == _expected(latest_flagged)
    assert {r["fiscal_year"] for r in rows} == {"2024", "2025"}, "each source's own latest year (H-2A: FY2024)"
    assert [r["scope_label"] for r in rows[:2]] == ["Georgia", "Texas, Construction"], "rank 1s, smaller q first"
    first = rows[1]
    assert first["sentence"] == TX_CHILD_LABOR.sentence
    assert (float(first["observed"]), float(first["expected"]), float(first["q_value"])) == (19, 4.2, 0.001)
    assert "Older." not in result.output, "a flagged row of a year that is not the latest is not shown"


def test_measure_state_and_year_filter_the_rows(tmp_path):
    home = _published(tmp_path)

    by_measure = _csv_rows(_emerging(home, "--measure", "h2a_workers_certified", "--format", "csv").output)
    assert _shown(by_measure) == _expected([GA_H2A])

    by_state = _csv_rows(_emerging(home, "--state", "tx", "--format", "csv").output)
    texas = [c for c in CELLS if c.is_latest_year and c.is_emerging and c.state_code == "TX"]
    assert _shown(by_state) == _expected(texas) and len(texas) == 2

    in_2024 = _csv_rows(_emerging(home, "--year", "2024", "--format", "csv").output)
    assert _shown(in_2024) == _expected([c for c in CELLS if c.fiscal_year == 2024 and c.is_emerging])
    assert "Older." in [r["sentence"] for r in in_2024], "--year shows a year that is not the latest"


def test_all_lists_the_unflagged_cells_after_the_flagged(tmp_path):
    home = _published(tmp_path)

    result = _emerging(home, "--all", "--top", "100", "--format", "csv")

    rows = _csv_rows(result.output)
    latest = [c for c in CELLS if c.is_latest_year]
    assert _shown(rows) == _expected(latest)
    assert [r["is_emerging"] for r in rows] == ["True" if c.is_emerging else "False" for c in strongest_first(latest)]
    unflagged = [r for r in rows if r["is_emerging"] == "False"]
    assert len(unflagged) == len(UNFLAGGED_LATEST) and all(r["sentence"] == "" for r in unflagged)


def test_top_cuts_and_says_so(tmp_path):
    home = _published(tmp_path)
    flagged = [c for c in CELLS if c.is_latest_year and c.is_emerging]

    result = _emerging(home, "--top", "2", "--format", "csv")

    assert _shown(_csv_rows(result.output)) == _expected(flagged)[:2]
    assert f"showing 2 of {len(flagged)}" in result.output


def test_json_and_table_formats(tmp_path, monkeypatch):
    home = _published(tmp_path)

    as_json = _emerging(home, "--format", "json", "--top", "1")
    assert as_json.exit_code == 0, as_json.output
    (record,) = json.loads(as_json.stdout)  # "showing 1 of ..." goes to stderr
    assert record["sentence"] == GA_H2A.sentence and record["emerging_rank"] == 1
    assert list(record) == HEADER

    monkeypatch.setattr(out, "_width", 80)
    narrow = _emerging(home, "--top", "2").stdout.splitlines()
    assert narrow[3:6] == [
        "1. FY2025  Texas, Construction  child_labor_violations",
        "   observed 19, expected 4.2, q_value 0.001",
        f"   {TX_CHILD_LABOR.sentence}",
    ], "a narrow terminal gets one block per row, the sentence whole"
    assert narrow[0] == "1. FY2024  Georgia  h2a_workers_certified" and narrow[-1] == "2 row(s)"

    monkeypatch.setattr(out, "_width", 400)
    wide = _emerging(home, "--top", "1").stdout
    header = next(line for line in wide.splitlines() if "emerging_rank" in line)
    assert [cell.strip() for cell in header.strip("┃ ").split("┃")] == HEADER
    assert GA_H2A.sentence in wide and "1 row(s)" in wide

    wrong = _emerging(home, "--format", "xml")
    assert wrong.exit_code == 2 and "table, csv, json" in wrong.output


def test_all_in_a_narrow_terminal_marks_the_unflagged(tmp_path, monkeypatch):
    home = _published(tmp_path)
    monkeypatch.setattr(out, "_width", 80)

    lines = _emerging(home, "--all", "--state", "CA").stdout.splitlines()

    assert lines[0] == "2. FY2025  California  whd_cases"
    assert lines[3] == "- FY2025  California  child_labor_violations  (not flagged)"
    assert lines[4] == "   observed 30, expected 27, q_value 0.2" and lines[5] == "2 row(s)", "no sentence line"


def test_an_unknown_measure_lists_the_known_ones(tmp_path):
    home = _published(tmp_path)

    result = _emerging(home, "--measure", "child_labour")

    assert result.exit_code == 2
    known = sorted({c.measure for c in CELLS})
    assert f"'child_labour' is not a measure of marts.mart_emerging_patterns; known: {', '.join(known)}" in (
        " ".join(result.output.split())
    )


def test_an_unknown_year_or_state_code_is_refused(tmp_path):
    home = _published(tmp_path)

    year = _emerging(home, "--year", "1999")
    assert year.exit_code == 2
    years = sorted({c.fiscal_year for c in CELLS})
    assert f"FY1999 was not evaluated for emerging patterns; it holds FY{years[0]}–FY{years[-1]}" in " ".join(
        year.output.split()
    )
    state = _emerging(home, "--state", "Texas")
    assert state.exit_code == 2 and "two-letter state code" in state.output


def test_nothing_flagged_is_said_truthfully(tmp_path):
    unflagged = [c for c in CELLS if not c.is_emerging]
    home = _published(tmp_path, unflagged)

    result = _emerging(home)

    assert result.exit_code == 0, result.output
    tested = sum(c.is_latest_year for c in unflagged)
    assert (
        f"No cell rose significantly above its own history in FY2024 or FY2025 (the latest complete year of "
        f"each source) ({tested} cells tested)." in " ".join(result.output.split())
    )
    texas = _emerging(home, "--state", "TX", "--measure", "whd_cases")
    assert "No cell of the measure whd_cases in TX rose significantly above its own history in FY2025 (1 cell " in (
        " ".join(texas.output.split())
    )


@pytest.mark.parametrize("cells", [[]], ids=["empty mart"])
def test_an_empty_mart_says_nothing_could_be_tested(tmp_path, cells):
    result = _emerging(_published(tmp_path, cells))

    assert result.exit_code == 0, result.output
    assert "No cell has enough complete years of history to be tested." in result.output


def test_a_warehouse_built_before_the_mart_says_to_rebuild(tmp_path):
    home = _published(tmp_path, with_mart=False)

    result = _emerging(home)

    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "this warehouse was built before marts.mart_emerging_patterns existed" in text
    assert "`warehouse build`" in text
    assert "Traceback" not in result.output and "Catalog Error" not in result.output
