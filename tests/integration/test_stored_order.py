"""The marts whose model ends in `stored_order([...])` (dbt_project/macros/stored_order.sql) are stored in
that order in the published warehouse, so DuckDB's zone maps let a filter on the leading column skip the
rest of the table (benchmarks/README.md, "Query latency at scale 10")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest

from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration
MARTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"


def _stored_orders() -> dict[str, list[str]]:
    """model name -> the columns its rows are stored in order of, as its SQL says."""
    orders = {}
    for model in sorted(MARTS.glob("*.sql")):
        found = re.search(r"\{\{\s*stored_order\((\[.*?\])\)\s*\}\}", model.read_text(encoding="utf-8"))
        if found:
            orders[model.stem] = ast.literal_eval(found.group(1))
    return orders


def test_the_marts_analysts_filter_most_are_stored_in_order():
    assert {"fct_h2a_certification", "dim_employer", "mart_employer_leads"} <= set(_stored_orders())


@pytest.mark.parametrize("model", sorted(_stored_orders()))
def test_rows_are_stored_in_the_models_order(built_home, model):
    columns = ", ".join(_stored_orders()[model])
    with duckdb.connect(str(WarehousePaths.at(built_home).published_db), read_only=True) as con:
        rows, out_of_order = con.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE stored <> sorted) FROM (
                    SELECT row_number() OVER (ORDER BY rowid) AS stored,
                           row_number() OVER (ORDER BY {columns}, rowid) AS sorted
                    FROM marts.{model})"""
        ).fetchone()
    assert rows > 1, f"{model} is (nearly) empty on the sample: its order says nothing"
    assert out_of_order == 0, f"{out_of_order} of {rows} rows of {model} are not stored in order of {columns}"
