"""The dbt macro text_key (statuses, names within a filing) and its Python twin give the same keys."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from sources.common.text import text_key

MACRO = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "text_key.sql"
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
    body = re.search(r"{% macro text_key\(text\) -%}(.*){%- endmacro %}", MACRO.read_text(), re.S).group(1)
    return body.replace("{{ text }}", argument).strip()


@pytest.mark.parametrize("value", VALUES)
def test_macro_and_python_agree(value):
    with duckdb.connect() as con:
        (sql_key,) = con.execute(f"SELECT {_macro_sql('?')}", [value]).fetchone()
    assert sql_key == text_key(value)
