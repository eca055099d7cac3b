"""The dbt macro text_key (statuses, names within a filing) and its Python twin give the same keys;
has_text_key says whether text_key is not null."""

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


# Text with no letter or digit, or with letters that upper() maps into A-Z or leaves outside it.
KEYLESS_OR_NOT = ["---", " & ", "\t", "é", "ß", "ı", "Ñandú", "№ 5", "O'Neil"]


def _macro_sql(argument: str, macro: str = "text_key") -> str:
    """A macro of text_key.sql rendered as dbt renders it on DuckDB: the regex macros dispatch to their default."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    engines = env.from_string(CROSS_ENGINE.read_text()).module
    template = env.from_string(MACRO.read_text() + f"{{{{ {macro}(argument) }}}}")
    return template.render(
        argument=argument,
        replace_regex=engines.default__replace_regex,
        matches_regex=engines.default__matches_regex,
    ).strip()


@pytest.mark.parametrize("value", VALUES)
def test_macro_and_python_agree(value):
    with duckdb.connect() as con:
        (sql_key,) = con.execute(f"SELECT {_macro_sql('?')}", [value]).fetchone()
    assert sql_key == text_key(value)


@pytest.mark.parametrize("value", VALUES + KEYLESS_OR_NOT)
def test_has_text_key_is_whether_the_key_is_not_null(value):
    with duckdb.connect() as con:
        (has_key, key) = con.execute(
            f"SELECT {_macro_sql('$1', 'has_text_key')}, {_macro_sql('$1')}", [value]
        ).fetchone()
    assert has_key == (key is not None)
