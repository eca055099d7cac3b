"""WHD republished whole is gated and loaded by content difference: the value rules see only the new and
changed rows, a bad one is still rejected, and the table equals a full reload of the same file."""

from __future__ import annotations

import csv

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.defs.resources import WarehouseResource
from sources.whd import SOURCE
from tests.real_fixtures import REAL
from tests.unit.warehouse.quality.test_gate_and_load import _gate, _zip
from warehouse.quality.gate import LOADED, REJECTED

TABLE = SOURCE.tables[0]


def _real_rows() -> list[list[str]]:
    with open(REAL / "whd" / "era3_bulk_chunk_live_dates.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _next_week(rows: list[list[str]], back_wages: str = "999") -> list[list[str]]:
    """Row 1 revised (back wages), row 2 as it was, row 3 gone, a new case (row 3 under a new id)."""
    header, first, second, third = rows
    wages, case = header.index("BW_ATP_AMT"), header.index("CASE_ID")
    revised = [*first[:wages], back_wages, *first[wages + 1 :]]
    new = [*third[:case], str(int(third[case]) + 10_000_000), *third[case + 1 :]]
    return [header, revised, second, new]


def _table(warehouse: WarehouseResource) -> list[tuple]:
    with duckdb.connect(str(warehouse.paths().build_db), read_only=True) as con:
        return con.execute("SELECT * FROM raw.raw_whd__compliance_actions ORDER BY case_id").fetchall()


@pytest.fixture
def loaded(tmp_path) -> WarehouseResource:
    warehouse = WarehouseResource(home=str(tmp_path / "home"))
    assert _gate(warehouse, _zip(_real_rows(), tmp_path / "week1"), "run-1").status == LOADED
    return warehouse


def test_the_next_week_loads_only_its_difference_and_equals_a_full_reload(loaded, tmp_path):
    week = _zip(_next_week(_real_rows()), tmp_path / "week2")

    outcome = _gate(loaded, week, "run-2")

    assert outcome.status == LOADED
    assert outcome.difference == {"new": 1, "changed": 1, "gone": 1, "kept": 1}
    assert outcome.rows_loaded == 3, "the week's rows, as a full reload counts them"
    fresh = WarehouseResource(home=str(tmp_path / "fresh"))
    assert _gate(fresh, week, "run-3").difference is None, "nothing to compare with: loaded whole"
    assert _table(loaded) == _table(fresh)


def test_a_bad_value_in_a_changed_row_is_rejected_naming_file_row_and_rule(loaded, tmp_path):
    week = _zip(_next_week(_real_rows(), back_wages="-5"), tmp_path / "bad")

    outcome = _gate(loaded, week, "run-2")

    assert outcome.status == REJECTED
    (failed,) = [r for r in outcome.results if r.rule == "money_non_negative"]
    assert failed.failing_count == 1
    (example,) = failed.examples
    assert example["source_row"] == 1 and str(example["source_file"]).startswith("WHD_enforcement.zip")


def test_a_forced_run_gates_and_loads_the_whole_file(loaded, tmp_path):
    forced = WarehouseResource(home=loaded.home, force=True)
    outcome = _gate(forced, _zip(_next_week(_real_rows()), tmp_path / "week2"), "run-2")
    assert outcome.status == LOADED and outcome.difference is None and outcome.rows_loaded == 3


def test_the_value_rules_read_only_the_new_and_changed_rows(loaded, tmp_path, monkeypatch):
    """The rows a week keeps passed when they were loaded: the value rules read the Parquet of the others
    (removed once the load is done)."""
    import warehouse.quality.gate as gate

    seen = []
    run_gate = gate.run_gate

    def spy(spec, table, parsed, **kwargs):
        seen.append(pq.read_table(parsed.value_check_path).column("case_id").to_pylist())
        return run_gate(spec, table, parsed, **kwargs)

    monkeypatch.setattr(gate, "run_gate", spy)
    rows = _next_week(_real_rows())
    _gate(loaded, _zip(rows, tmp_path / "week2"), "run-2")
    assert not (loaded.paths().parsed_dir / "whd.changed.parquet").exists()
    (checked,) = seen
    case = rows[0].index("CASE_ID")
    assert sorted(checked) == sorted([int(rows[1][case]), int(rows[3][case])])
