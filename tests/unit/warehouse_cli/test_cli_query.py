"""`warehouse query`, `shell`, `versions` and `rollback` on a small published warehouse: csv/json are
never cut, the table view says when it is, files are written whole, SQL comes from exactly one
place, and user mistakes give a clear message (never a traceback)."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest
from typer.testing import CliRunner

from warehouse.publish.versions import publish, versions
from warehouse.settings import WarehousePaths
from warehouse_cli import app
from warehouse_cli.render import DEFAULT_TABLE_ROWS

ROWS = DEFAULT_TABLE_ROWS + 500


def _run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)


def _publish(home, value: int, run_id: str) -> None:
    paths = WarehousePaths.at(home).ensure()
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.mart_trends as select range as n, ? as value from range(?)", [value, ROWS]
        )
    publish(paths, run_id=run_id)


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"  # beside the test's other files: --output may not write inside the home
    _publish(home, 1, "first")
    return str(home)


def test_csv_and_json_are_never_cut_unless_a_limit_is_given(home):
    result = _run("query", "select * from marts.mart_trends order by n", "--format", "csv", "--home", home)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["n", "value"]
    assert len(rows) == ROWS + 1
    assert result.stderr == ""

    result = _run("query", "select n from marts.mart_trends", "--format", "json", "--home", home)
    assert len(json.loads(result.stdout)) == ROWS

    result = _run("query", "select n from marts.mart_trends", "--format", "csv", "--limit", "7", "--home", home)
    assert len(result.stdout.splitlines()) == 8
    assert f"showing 7 of {ROWS:,} rows (--limit 7)" in result.stderr


def test_the_table_view_says_when_rows_were_cut(home):
    result = _run("query", "select * from marts.mart_trends", "--home", home)
    assert result.exit_code == 0, result.output
    assert f"{DEFAULT_TABLE_ROWS} row(s)" in result.stdout
    assert f"showing {DEFAULT_TABLE_ROWS:,} of {ROWS:,} rows; use --format csv --output FILE for all" in result.stderr
    small = _run("query", "select * from marts.mart_trends limit 3", "--home", home)
    assert "3 row(s)" in small.stdout
    assert small.stderr == ""


def test_output_writes_the_file_whole_and_says_where(home, tmp_path):
    target = tmp_path / "exports" / "trends.csv"
    result = _run(
        "query", "select * from marts.mart_trends", "--format", "csv", "--output", str(target), "--home", home
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {ROWS:,} row(s) to {target}" in result.stderr
    assert result.stdout == ""
    assert len(target.read_text().splitlines()) == ROWS + 1
    assert [p.name for p in target.parent.iterdir()] == ["trends.csv"], "no temporary file is left"

    result = _run("query", "select 1", "--output", str(target), "--home", home)
    assert result.exit_code == 2
    assert "--output writes csv, json or parquet" in result.stderr
    assert len(target.read_text().splitlines()) == ROWS + 1


def test_sql_comes_from_the_argument_or_a_file(home, tmp_path):
    sql_file = tmp_path / "count.sql"
    sql_file.write_text("-- how many\nselect count(*) as how_many\nfrom marts.mart_trends\n")
    result = _run("query", "--sql-file", str(sql_file), "--format", "csv", "--home", home)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["how_many", str(ROWS)]

    both = _run("query", "select 1", "--sql-file", str(sql_file), "--home", home)
    assert both.exit_code == 2
    assert "both an SQL argument and --sql-file" in both.stderr
    neither = _run("query", "--home", home)
    assert neither.exit_code == 2
    assert "got no SQL" in neither.stderr
    missing = _run("query", "--sql-file", str(tmp_path / "nope.sql"), "--home", home)
    assert missing.exit_code == 2
    assert f"cannot read {tmp_path / 'nope.sql'}" in missing.stderr


def test_blank_sql_is_refused_clearly(home, tmp_path):
    blank = _run("query", "  \n ", "--home", home)
    assert blank.exit_code == 2
    assert "no SQL to run: the SQL argument is empty" in blank.stderr
    empty_file = tmp_path / "empty.sql"
    empty_file.write_text("\n\t\n")
    result = _run("query", "--sql-file", str(empty_file), "--home", home)
    assert result.exit_code == 2
    assert f"no SQL to run: {empty_file} is empty" in result.stderr


def test_failing_sql_and_a_missing_warehouse_are_clear_errors(home, tmp_path):
    result = _run("query", "select * from marts.no_such_table", "--home", home)
    assert result.exit_code == 1
    assert "no_such_table does not exist" in result.stderr
    nothing = _run("query", "select 1", "--home", str(tmp_path / "empty_home"))
    assert nothing.exit_code == 1
    assert "no published warehouse at" in nothing.stderr


def test_shell_runs_statements_over_several_lines_and_survives_errors(home):
    session = (
        "select count(*) as how_many\n  from marts.mart_trends;\nselect * from nope;\nselect 41 + 1 as answer;\n.quit\n"
    )
    result = _run("shell", "--home", home, stdin=session)
    assert result.exit_code == 0, result.output
    assert str(ROWS) in result.stdout
    assert "nope does not exist" in result.stderr
    assert "42" in result.stdout


def test_versions_and_rollback_commands(home):
    _publish(home, 2, "second")
    first, second = versions(WarehousePaths.at(home))

    listing = _run("versions", "--home", home)
    assert listing.exit_code == 0, listing.output
    assert first.name in listing.stdout and second.name in listing.stdout
    assert "second" in listing.stdout

    restored = _run("rollback", "--home", home)
    assert restored.exit_code == 0, restored.output
    assert f"Restored version {first.name}" in restored.stdout
    assert "run first" in restored.stdout
    value = _run("query", "select distinct value from marts.mart_trends", "--format", "csv", "--home", home)
    assert value.stdout.splitlines() == ["value", "1"]

    unknown = _run("rollback", "--to", "yesterday", "--home", home)
    assert unknown.exit_code == 1
    assert f"no published version 'yesterday'; kept versions: {first.name} (current), {second.name}" in unknown.stderr

    forward = _run("rollback", "--to", second.name, "--home", home)
    assert forward.exit_code == 0, forward.output
    value = _run("query", "select distinct value from marts.mart_trends", "--format", "csv", "--home", home)
    assert value.stdout.splitlines() == ["value", "2"]


def test_a_bad_keep_versions_setting_stops_a_build_with_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_KEEP_VERSIONS", "all")
    result = _run("build", "--home", str(tmp_path))
    assert result.exit_code == 2
    assert "WAREHOUSE_KEEP_VERSIONS must be a whole number of at least 1; got 'all'" in result.stderr


def test_the_table_view_keeps_significant_decimals_and_integers_as_integers():
    from warehouse_cli.render import table_cell

    assert [table_cell(v) for v in (0.004, 88.0, 88, 2016, 1234567.891, 12.3456, None)] == [
        "0.004",
        "88",
        "88",
        "2016",
        "1234567.89",
        "12.35",
        "",
    ]
