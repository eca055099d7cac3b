"""`warehouse query` and `warehouse shell` never change a byte of the published warehouse: every
statement that could write (to the database, another database or a file) is refused with a clear
error before any of it runs, while reading -- the marts, the published Parquet, an analyst's CSV --
keeps working."""

from __future__ import annotations

import hashlib

import duckdb
import pytest
from typer.testing import CliRunner

from warehouse.publish.versions import publish
from warehouse.settings import WarehousePaths
from warehouse_cli import app


def _run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture
def paths(tmp_path) -> WarehousePaths:
    paths = WarehousePaths.at(tmp_path / "home").ensure()
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.mart_trends as select range as n, range * 2 as value from range(50)")
    publish(paths, run_id="first")
    return paths


def _published_bytes(paths: WarehousePaths) -> dict[str, str]:
    """sha256 of every file of the published folder (the current version's database and Parquet included)."""
    return {
        str(p.relative_to(paths.published_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(paths.published_dir.rglob("*"))
        if p.is_file()
    }


def _writes(paths: WarehousePaths, tmp_path) -> list[str]:
    db = paths.published_db
    version_db = paths.published_current.resolve() / "warehouse.duckdb"
    parquet = next((paths.published_dir / "parquet").glob("*.parquet"))
    other = tmp_path / "other.duckdb"
    return [
        "insert into marts.mart_trends values (99, 99)",
        "update marts.mart_trends set value = 0",
        "delete from marts.mart_trends",
        "create table marts.evil as select 1 as x",
        "drop table marts.mart_trends",
        "alter table marts.mart_trends add column y int",
        "create temp table scratch as select 1 as x; insert into scratch values (2)",
        f"attach '{db}' as w (read_only false)",
        f"attach '{version_db}' as w",
        f"attach '{other}' as o",
        f"copy (select 1 as x) to '{db}'",
        f"copy (select 1 as x) to '{version_db}'",
        f"copy (select 1 as x) to '{parquet}' (format parquet)",
        f"copy marts.mart_trends to '{tmp_path / 'out.csv'}'",
        f"explain analyze copy (select 1 as x) to '{db}'",
        f"export database '{tmp_path / 'export'}'",
        f"copy (pivot marts.mart_trends on n using sum(value)) to '{tmp_path / 'pivot.csv'}'",
        "set enable_external_access = true",
        "install httpfs",
        "load httpfs",
        "checkpoint",
        "select 1; drop table marts.mart_trends",
    ]


def test_every_kind_of_write_is_refused_and_the_published_bytes_do_not_change(paths, tmp_path):
    before = _published_bytes(paths)
    for sql in _writes(paths, tmp_path):
        result = _run("query", sql, "--home", str(paths.home))
        assert result.exit_code == 1, (sql, result.output)
        assert "read-only" in result.stderr, (sql, result.stderr)
        assert "Traceback" not in result.output
    assert _published_bytes(paths) == before
    assert not list(tmp_path.glob("o*.duckdb")) and not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "pivot.csv").exists() and not (tmp_path / "export").exists()


def test_a_refusal_names_the_statement_and_what_is_allowed(paths):
    result = _run("query", "select 1; delete from marts.mart_trends where n > 3", "--home", str(paths.home))
    message = " ".join(result.stderr.split())
    assert "DELETE is refused: delete from marts.mart_trends where n > 3" in message
    assert "only queries run here (SELECT" in message
    assert "read-only" in message


def test_the_shell_refuses_writes_and_keeps_the_prompt_open(paths):
    before = _published_bytes(paths)
    session = "drop table marts.mart_trends;\nselect count(*) as n from marts.mart_trends;\n.quit\n"
    result = _run("shell", "--home", str(paths.home), stdin=session)
    assert result.exit_code == 0, result.output
    assert "DROP is refused" in " ".join(result.stderr.split())
    assert "50" in result.stdout, "the statement after the refused one still ran"
    assert _published_bytes(paths) == before


def test_reading_the_published_parquet_and_other_files_still_works(paths, tmp_path):
    parquet = paths.published_dir / "parquet" / "marts.mart_trends.parquet"
    mine = tmp_path / "my_list.csv"
    mine.write_text("n\n3\n4\n")
    queries = {
        f"select count(*) from read_parquet('{parquet}')": "50",
        "with x as (select n from marts.mart_trends where n < 3) select count(*) from x": "3",
        "from marts.mart_trends select max(n)": "49",
        "pivot (select n % 2 as odd from marts.mart_trends) on odd in (0, 1) using count(*)": "25,25",
        "describe marts.mart_trends": "value",
        "summarize marts.mart_trends": "value",
    }
    for sql, expected in queries.items():
        result = _run("query", sql, "--format", "csv", "--home", str(paths.home))
        assert result.exit_code == 0, (sql, result.output)
        assert expected in result.stdout, (sql, result.stdout)
    # an analyst's own file needs --allow-files
    own = f"select sum(t.value) from marts.mart_trends t join read_csv('{mine}') m using (n)"
    refused = _run("query", own, "--format", "csv", "--home", str(paths.home))
    assert refused.exit_code == 1 and "file system operations are disabled" in refused.stderr
    allowed = _run("query", own, "--format", "csv", "--allow-files", "--home", str(paths.home))
    assert allowed.exit_code == 0, allowed.output
    assert "14" in allowed.stdout
