"""`warehouse tables`, `describe` and `search` on a built warehouse: they read the published copy's
catalog and DuckDB comments, so what they print is what any client of the file sees."""

from __future__ import annotations

import re

import duckdb
import pytest

from tests.integration.conftest import run_cli
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration


def _published(home, sql: str) -> list[tuple]:
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _row_of(output: str, name: str) -> str:
    """The table row of `name`: its first column (a wrapped description may mention the name again later)."""
    lines = [line for line in output.splitlines() if re.search(rf"^┃? *│ {re.escape(name)} +│", line)]
    assert lines, name
    return lines[0]


def _block_of(output: str, name: str) -> list[str]:
    """The narrow-terminal listing: the name and its rows on one line, then its description and grain."""
    lines = output.splitlines()
    (start,) = [n for n, line in enumerate(lines) if re.fullmatch(rf"{re.escape(name)}  \((\S+) rows\)", line)]
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        block.append(line)
    return block


def test_tables_at_80_columns_lists_one_block_per_table_with_its_rows_and_grain(built_home):
    result = run_cli("tables", "--home", str(built_home))  # the test console is 80 columns wide
    assert result.exit_code == 0, result.output
    relations = _published(
        built_home,
        """select schema_name || '.' || table_name, estimated_size from duckdb_tables()
           union all select schema_name || '.' || view_name, null from duckdb_views() where not internal""",
    )
    for name, _ in relations:
        assert _block_of(result.stdout, name)
    (rows,) = _published(built_home, "select count(*) from marts.mart_industry_year")[0]
    block = _block_of(result.stdout, "marts.mart_industry_year")
    assert block[0].endswith(f"({rows:,} rows)") and block[2].startswith("  grain: one row per")
    assert max(len(line) for line in result.stdout.splitlines()) <= 80 or all(
        len(line.split()) > 1 for line in result.stdout.splitlines() if line.strip()
    ), "no line holds one word only"
    for name in ("raw.raw_h2a__disclosure", "audit.rejected_rows", "linkage.int_employer_links"):
        assert any(line.startswith("  grain: ") for line in _block_of(result.stdout, name)), name


def test_tables_lists_every_table_and_view_with_its_rows(built_home, monkeypatch):
    from warehouse_cli.app import out

    monkeypatch.setattr(out, "width", 200)  # a wide terminal: the table view
    result = run_cli("tables", "--home", str(built_home))
    assert result.exit_code == 0, result.output
    relations = _published(
        built_home,
        """select schema_name || '.' || table_name, estimated_size from duckdb_tables()
           union all select schema_name || '.' || view_name, null from duckdb_views() where not internal""",
    )
    for name, _ in relations:
        assert _row_of(result.stdout, name)
    (rows,) = _published(built_home, "select count(*) from marts.mart_industry_year")[0]
    assert _row_of(result.stdout, "marts.mart_industry_year").rstrip("│ ").endswith(f"{rows:,}")


def test_describe_prints_the_table_and_every_column(built_home):
    result = run_cli("describe", "mart_trends", "--home", str(built_home))
    assert result.exit_code == 0, result.output
    (rows,) = _published(built_home, "select count(*) from marts.mart_trends")[0]
    (comment,) = _published(built_home, "select comment from duckdb_tables() where table_name = 'mart_trends'")[0]
    assert f"marts.mart_trends (table, {rows:,} rows)" in result.stdout
    assert comment in result.stdout
    assert "grain: " in result.stdout
    for column, data_type in _published(
        built_home, "select column_name, data_type from duckdb_columns() where table_name = 'mart_trends'"
    ):
        assert re.search(rf"│ {column} +│ {re.escape(data_type)} +│ \S", result.stdout), column
    assert run_cli("describe", "marts.mart_trends", "--home", str(built_home)).stdout == result.stdout


def test_describe_an_unknown_table_names_the_closest_ones(built_home):
    result = run_cli("describe", "mart_industy_year", "--home", str(built_home))
    assert result.exit_code == 1
    assert "no table 'mart_industy_year' in the published warehouse; did you mean marts.mart_industry_year" in (
        result.stderr
    )
    far = run_cli("describe", "zzz", "--home", str(built_home))
    assert far.exit_code == 1
    assert "`warehouse tables` lists them all" in far.stderr


def test_search_finds_tables_and_columns_by_name_or_description(built_home):
    result = run_cli("search", "BACK_WAGES", "--home", str(built_home))
    assert result.exit_code == 0, result.output
    holding = {
        t for (t,) in _published(built_home, "select table_name from duckdb_columns() where column_name = 'back_wages'")
    }
    assert "mart_industry_year" in holding
    for table in holding:
        assert re.search(rf"│ \w+\.{table} +│ back_wages", result.stdout), table

    by_description = run_cli("search", "Leadership", "--home", str(built_home))
    described = _published(
        built_home, "select schema_name || '.' || table_name from duckdb_tables() where comment ilike '%leadership%'"
    )
    assert ("marts.mart_trends",) in described
    for (name,) in described:
        assert _row_of(by_description.stdout, name)

    nothing = run_cli("search", "no-such-word-anywhere", "--home", str(built_home))
    assert nothing.exit_code == 1
    assert "Nothing matches 'no-such-word-anywhere'" in nothing.stdout
