"""`warehouse query` and `shell` are a sandbox (issue "Trust what you read", findings 4 and 5): no
extension is installed or loaded, no file outside the published folder and nothing on the network is
read unless --allow-files, a secret setting is never readable, every statement is allowed or refused
in one line; and each query is bounded: a time limit, Ctrl-C, a memory limit that spills outside the
published version, and csv/json/parquet written in batches rather than held whole."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from warehouse.access.query import _statement_kind
from warehouse.publish.versions import publish
from warehouse.settings import ALERT_WEBHOOK_ENV, QUERY_MEMORY_LIMIT_ENV, TOKEN_ENV, WarehousePaths
from warehouse_cli import app
from warehouse_cli.render import _write_batches

ROWS = 25_000  # more than one fetch batch (warehouse.access.query.BATCH_ROWS)
NEVER_ENDS = "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r"
SECRET = "s3cr3t-token-value"


def _run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture
def home(tmp_path, monkeypatch) -> str:
    for name in (TOKEN_ENV, ALERT_WEBHOOK_ENV, QUERY_MEMORY_LIMIT_ENV):
        monkeypatch.delenv(name, raising=False)
    paths = WarehousePaths.at(tmp_path / "home").ensure()
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.mart_trends as select range as n, range * 2 as value from range({ROWS})")
    publish(paths, run_id="first")
    return str(paths.home)


def _one_line_error(result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# Finding 4: what a query may reach


def test_no_extension_is_installed_or_loaded_and_the_network_is_not_reached(home):
    url = "select * from read_csv('http://127.0.0.1:9/x.csv')"
    result = _run("query", url, "--home", home)
    assert result.exit_code == 1
    assert "file system operations are disabled" in result.stderr and "Traceback" not in result.output
    with_files = _run("query", url, "--allow-files", "--home", home)
    assert with_files.exit_code == 1
    assert "requires the extension httpfs to be loaded" in with_files.stderr, "not downloaded, not loaded"
    settings = _run(
        "query",
        "select current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions'), "
        "current_setting('enable_external_access'), current_setting('lock_configuration')",
        "--format",
        "csv",
        "--home",
        home,
    )
    assert settings.stdout.splitlines()[1] == "False,False,False,True"


UNKNOWN_OR_REFUSED = [
    "update extensions",  # a StatementType the Python client has no name for (29)
    "pragma version",
    "call pragma_version()",
    "explain select 1",
    "vacuum",
    "load httpfs",
    "detach memory",
    "use memory",
    "prepare p as select 1",
    "execute p",
    "deallocate p",
    "begin transaction",
    "commit",
    "rollback",
    "create macro twice(x) as x * 2",
    "comment on table marts.mart_trends is 'x'",
    "reset memory_limit",
    "set memory_limit = '100GB'",
]


@pytest.mark.parametrize("sql", UNKNOWN_OR_REFUSED)
def test_every_statement_that_is_not_a_query_is_refused_in_one_line(home, sql):
    result = _run("query", sql, "--home", home)
    assert result.exit_code == 1
    line = _one_line_error(result)
    assert "is refused:" in line and "read-only" in line


def test_a_statement_kind_without_a_name_is_named_by_its_first_word():
    class Unknown:
        query = "frobnicate all the things"

        @property
        def type(self):
            raise ValueError("99 is not a valid StatementType")

    assert _statement_kind(Unknown()) == "FROBNICATE"


def test_several_statements_are_refused_even_when_each_is_a_query(home):
    result = _run("query", "select 1; select 2", "--home", home)
    assert result.exit_code == 1
    assert "one query at a time: this SQL holds 2 statements" in _one_line_error(result)


def test_a_secret_setting_is_never_readable_by_sql(home, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, SECRET)
    monkeypatch.setenv(ALERT_WEBHOOK_ENV, f"https://hooks.example/{SECRET}")
    for sql in (
        "select decode(content) from read_blob('/proc/self/environ')",
        "select content from read_text('/proc/self/environ')",
        "select * from duckdb_settings()",
        "select getenv('WAREHOUSE_DOWNLOAD_TOKEN')",
    ):
        result = _run("query", sql, "--format", "csv", "--home", home)
        assert SECRET not in result.output, sql
    environ = _run("query", "select content from read_text('/proc/self/environ')", "--home", home)
    assert environ.exit_code == 1 and "file system operations are disabled" in environ.stderr

    allowed = _run("query", "select 1", "--allow-files", "--home", home)
    assert allowed.exit_code == 1
    line = _one_line_error(allowed)
    assert f"{ALERT_WEBHOOK_ENV}, {TOKEN_ENV} is set in this environment" in line
    assert SECRET not in allowed.output
    shell = _run("shell", "--allow-files", "--home", home, stdin=".quit\n")
    assert shell.exit_code == 1 and TOKEN_ENV in shell.stderr


def test_files_outside_the_published_folder_need_allow_files(home, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("n\n1\n2\n")
    parquet = Path(home) / "published" / "parquet" / "marts.mart_trends.parquet"
    published = _run("query", f"select count(*) from '{parquet}'", "--format", "csv", "--home", home)
    assert published.stdout.splitlines() == ["count_star()", str(ROWS)]
    refused = _run("query", f"select count(*) from '{mine}'", "--home", home)
    assert refused.exit_code == 1 and "file system operations are disabled" in refused.stderr
    allowed = _run("query", f"select count(*) from '{mine}'", "--format", "csv", "--allow-files", "--home", home)
    assert allowed.stdout.splitlines() == ["count_star()", "2"]
    session = f"select count(*) as c from '{mine}';\n.quit\n"
    assert "file system operations are disabled" in _run("shell", "--home", home, stdin=session).stderr
    assert "2" in _run("shell", "--allow-files", "--home", home, stdin=session).stdout


# Finding 5: every query is bounded


def test_a_query_past_its_time_limit_stops_with_a_clear_error(home, tmp_path):
    started = time.monotonic()
    result = _run("query", NEVER_ENDS, "--timeout", "2", "--home", home)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert "query stopped: it ran longer than the time limit of 2 seconds" in _one_line_error(result)

    target = tmp_path / "out" / "huge.csv"
    started = time.monotonic()
    huge = "select a.range as a, b.range as b from range(1e12::bigint) a, range(10) b"
    result = _run("query", huge, "--format", "csv", "--output", str(target), "--timeout", "2", "--home", home)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and "time limit of 2 seconds" in result.stderr
    assert list(target.parent.iterdir()) == [], "neither the file nor its temporary file is left"


def test_a_slow_query_on_the_published_connection_writes_nothing_to_stdout(home):
    """DuckDB draws a progress bar on stdout, a pipe too, once a query runs past 2 s: a program that reads
    the warehouse through published_connection would find it in its own output (a reader beside a
    build did, and its JSON line no longer parsed)."""
    program = (
        "import sys\n"
        "from warehouse.access.query import published_connection\n"
        "from warehouse.settings import WarehousePaths\n"
        "with published_connection(WarehousePaths.at(sys.argv[1])) as con:\n"
        "    sql = 'select count(*) from range(1500000000) t(i) where i % 7 = 3'\n"
        "    print(con.execute(sql).fetchone()[0])\n"
    )
    started = time.monotonic()
    command = [sys.executable, "-c", program, home]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    assert time.monotonic() - started > 3, "the query must outlast DuckDB's 2 s before a progress bar"
    assert done.stdout == "214285714\n"


def test_the_shell_survives_a_timeout(home):
    session = f"{NEVER_ENDS};\nselect 41 + 1 as answer;\n.quit\n"
    result = _run("shell", "--timeout", "1", "--home", home, stdin=session)
    assert result.exit_code == 0, result.output
    assert "time limit of 1 seconds" in result.stderr
    assert "42" in result.stdout


def _wait_until_the_published_file_is_open(child: subprocess.Popen, home: str, seconds: float = 120) -> None:
    """The command line is up and has opened the published warehouse: its start takes seconds, many more
    on a busy machine (other pytest-xdist workers), so a fixed sleep would signal it too early."""
    published = WarehousePaths.at(home).published_db.resolve()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert child.poll() is None, "the query ended by itself"
        try:
            opened = {(Path(f"/proc/{child.pid}/fd") / fd).resolve() for fd in os.listdir(f"/proc/{child.pid}/fd")}
        except OSError:
            opened = set()
        if published in opened:
            return
        time.sleep(0.1)
    raise AssertionError(f"the query did not open {published} within {seconds} s")


def test_ctrl_c_cancels_a_running_query_within_a_second(home):
    command = [str(Path(sys.executable).parent / "warehouse"), "query", NEVER_ENDS, "--home", home]
    # a child of a non-interactive shell may start with SIGINT ignored: give it the default back
    child = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    _wait_until_the_published_file_is_open(child, home)
    time.sleep(1)  # the query running
    assert child.poll() is None
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=10)
    assert time.monotonic() - sent < 1.5
    assert child.returncode == 130
    assert stderr.strip() == "query cancelled (Ctrl-C)"


def test_a_query_over_the_memory_limit_fails_clearly(home, monkeypatch):
    monkeypatch.setenv(QUERY_MEMORY_LIMIT_ENV, "50MB")
    setting = _run("query", "select current_setting('memory_limit')", "--format", "csv", "--home", home)
    assert setting.stdout.splitlines()[1] == "47.6 MiB"
    started = time.monotonic()
    # a list cannot spill: 20 million numbers (160 MB) in one value
    result = _run("query", "select len(list(range order by range desc)) from range(20000000)", "--home", home)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    line = _one_line_error(result)
    assert f"the query needs more memory than {QUERY_MEMORY_LIMIT_ENV} (50MB) allows: Out of Memory Error" in line

    monkeypatch.setenv(QUERY_MEMORY_LIMIT_ENV, "lots")
    bad = _run("query", "select 1", "--home", home)
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_spill_goes_to_a_temp_folder_of_its_own_removed_afterwards(home, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv(QUERY_MEMORY_LIMIT_ENV, "100MB")
    sql = "select current_setting('temp_directory'), (select count(*) from (from range(5000000) order by random()))"
    result = _run("query", sql, "--format", "csv", "--home", home)
    assert result.exit_code == 0, result.output
    spill, rows = next(csv.reader(io.StringIO(result.stdout.splitlines()[1])))
    assert Path(spill).parent == tmp_path / "tmp" and rows == "5000000"
    assert not Path(spill).exists(), "removed once the query is done"
    assert not [p for p in (Path(home) / "published").rglob("*") if p.name.endswith(".tmp")]


def test_csv_and_json_are_written_batch_by_batch():
    seen: list[str] = []
    handle = io.StringIO()

    def batches():
        yield [(1, "a"), (2, "b")]
        seen.append(handle.getvalue())  # the first batch is already written when the second is asked for
        yield [(3, None)]

    assert _write_batches(handle, ["n", "s"], batches(), "csv") == 3
    assert seen == ["n,s\r\n1,a\r\n2,b\r\n"]
    assert handle.getvalue().endswith("3,\r\n")
    handle = io.StringIO()
    assert _write_batches(handle, ["n", "s"], batches(), "json") == 3
    assert json.loads(handle.getvalue()) == [{"n": 1, "s": "a"}, {"n": 2, "s": "b"}, {"n": 3, "s": None}]


def test_csv_json_and_parquet_files_hold_every_row(home, tmp_path):
    sql = "select * from marts.mart_trends order by n"
    for output_format in ("csv", "json"):
        target = tmp_path / f"trends.{output_format}"
        result = _run("query", sql, "--format", output_format, "--output", str(target), "--home", home)
        assert result.exit_code == 0, result.output
        assert f"wrote {ROWS:,} row(s)" in result.stderr
    assert len(target.read_text().splitlines()) == ROWS + 2  # [ and ]
    assert json.loads(target.read_text())[-1] == {"n": ROWS - 1, "value": 2 * (ROWS - 1)}
    assert len((tmp_path / "trends.csv").read_text().splitlines()) == ROWS + 1

    for flags in ([], ["--allow-files"]):  # pyarrow writes it; with files allowed, DuckDB's COPY does
        target = tmp_path / f"trends{len(flags)}.parquet"
        result = _run("query", sql, "--format", "parquet", "--output", str(target), *flags, "--home", home)
        assert result.exit_code == 0, result.output
        assert f"wrote {ROWS:,} row(s) to {target}" in result.stderr
        table = pq.read_table(target)
        assert table.column_names == ["n", "value"] and table.num_rows == ROWS
        assert table.column("n").to_pylist()[-3:] == [ROWS - 3, ROWS - 2, ROWS - 1]
    assert sorted(p.name for p in tmp_path.glob("*.parquet")) == ["trends0.parquet", "trends1.parquet"]

    no_file = _run("query", sql, "--format", "parquet", "--home", home)
    assert no_file.exit_code == 2 and "--format parquet needs --output FILE" in no_file.stderr
    limited = _run(
        "query", sql, "--format", "parquet", "--limit", "3", "-o", str(tmp_path / "x.parquet"), "--home", home
    )
    assert limited.exit_code == 2 and "put a LIMIT in the SQL" in limited.stderr
    refused = _run("query", "drop table marts.mart_trends", "--format", "parquet", "-o", str(target), "--home", home)
    assert refused.exit_code == 1 and "DROP is refused" in refused.stderr
