"""The dbt macro text_key (statuses, names within a filing) and its Python twin give the same keys."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pytest

from sources.common.text import text_key

MACRO = Path(__file__).resolve().parents[3] / "dbt_project" / "macros" / "text_key.sql"
CROSS_ENGINE = MACRO.with_name("cross_engine.sql")
VALUES = [
    "CERTIFIED - FULL",
    "Certified-Full",
    "Determination Issued - Certification (Expired)",
    "  Dionisio  Farms & Produce, Inc. ",
    "O'Neil Farms",
    "",
    None,
]


def _macro_sql(argument: str) -> str:
    """text_key rendered as dbt renders it on DuckDB: replace_regex dispatches to its default."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    engines = env.from_string(CROSS_ENGINE.read_text()).module
    template = env.from_string(MACRO.read_text() + "{{ text_key(argument) }}")
    return template.render(argument=argument, replace_regex=engines.default__replace_regex).strip()


@pytest.mark.parametrize("value", VALUES)
def test_macro_and_python_agree(value):
    with duckdb.connect() as con:
        (sql_key,) = con.execute(f"SELECT {_macro_sql('?')}", [value]).fetchone()
    assert sql_key == text_key(value)
