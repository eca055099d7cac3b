"""`warehouse build --source download` through the real command, against 127.0.0.1: without a
connection it stops within seconds, one line per source and what to do instead, the published
warehouse untouched; with WAREHOUSE_DOWNLOAD_TOKEN set the token reaches the server and no output,
log or file under WAREHOUSE_HOME (DuckDB, Parquet, Dagster storage, manifests, reports) holds it."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
import zlib
from contextlib import closing, suppress
from pathlib import Path

import duckdb

from orchestration.run import write_dagster_yaml
from sources.common.archive import RawArchive
from tests.integration.conftest import run_cli, sample_dir
from warehouse.settings import MIRROR_ENV, TOKEN_ENV, WarehousePaths

WAREHOUSE = str(Path(sys.executable).parent / "warehouse")
SECRET = "tok-9f3a7c1e-never-stored"
WHD_PATH = "/data.dol.gov/data-catalog/WHD/enforcement/WHD_enforcement.zip"


def _build(home: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WAREHOUSE_")}
    environment.update(WAREHOUSE_HOME=str(home), DAGSTER_HOME=str(home / "dagster"), **env)
    started = time.monotonic()
    done = subprocess.run(
        [WAREHOUSE, "build", "--source", "download", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done, time.monotonic() - started


def _published_state(home: Path) -> dict[str, str]:
    """What analysts see: the current version, and the sha256 of every published and archived file."""
    paths = WarehousePaths.at(home)
    files = [*paths.published_versions.rglob("*"), *paths.raw_archive.rglob("*")]
    state = {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}
    return {**state, "current": os.readlink(paths.published_current)}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_download_build_without_a_connection_fails_fast_with_one_line_per_source_and_a_hint(home_copy):
    before = _published_state(home_copy)
    port = _closed_port()

    done, seconds = _build(home_copy, **{MIRROR_ENV: f"http://127.0.0.1:{port}"})

    assert done.returncode == 1, done.stderr
    assert seconds < 20, f"took {seconds:.0f}s"
    lines = done.stderr.splitlines()
    for source in ("whd", "h2a", "qcew", "debarment"):
        (line,) = [line for line in lines if line.startswith(f"✗ {source}: ")]
        assert f"cannot connect to 127.0.0.1:{port} (connection refused) for http://127.0.0.1:{port}/" in line
    assert "warehouse build --source DIR" in done.stderr and MIRROR_ENV in done.stderr
    assert "the published warehouse is unchanged" in done.stderr
    assert _published_state(home_copy) == before


def test_the_download_token_reaches_the_server_and_nothing_under_the_home_or_in_the_output(
    home_copy, httpserver, tmp_path
):
    served = _rezipped(next(sample_dir(home_copy).glob("WHD_enforcement.zip")), tmp_path / "WHD_enforcement.zip")
    httpserver.expect_request(WHD_PATH).respond_with_data(served.read_bytes())

    done, _ = _build(home_copy, "--only", "whd", **{MIRROR_ENV: httpserver.url_for("/"), TOKEN_ENV: SECRET})

    assert done.returncode == 0, done.stderr[-3000:]
    downloads = [request for request, _ in httpserver.log if request.method == "GET"]
    assert downloads and all(r.headers.get("Authorization") == f"Bearer {SECRET}" for r in downloads)
    archived = RawArchive(WarehousePaths.at(home_copy).raw_archive).find("whd", _sha256(served))
    assert archived is not None and archived.url == httpserver.url_for(WHD_PATH), "downloaded, archived and loaded"
    assert SECRET not in done.stdout + done.stderr
    assert _files_holding(home_copy, SECRET) == []


def test_the_secret_search_finds_a_secret_inside_duckdb_parquet_sqlite_and_plain_files(tmp_path):
    with duckdb.connect(str(tmp_path / "a.duckdb")) as con:
        con.execute("create schema audit")
        con.execute("create table audit.t as select range as n, 'x' || ? || 'y' as url from range(5000)", [SECRET])
        con.execute(f"copy audit.t to '{tmp_path / 'a.parquet'}' (format parquet, compression zstd)")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "run.log").write_text(f"Authorization: Bearer {SECRET}\n")
    with closing(sqlite3.connect(tmp_path / "nested" / "runs.db")) as con, con:
        con.execute("create table snapshots (snapshot_body blob)")
        con.execute("insert into snapshots values (?)", [zlib.compress(f'{{"token": "{SECRET}"}}'.encode())])
    assert _files_holding(tmp_path, SECRET) == ["a.duckdb", "a.parquet", "nested/run.log", "nested/runs.db"]


def _files_holding(home: Path, secret: str) -> list[str]:
    """Every file under `home` whose bytes hold `secret`, or, for files that compress what they hold
    (DuckDB, Parquet, Dagster's SQLite storage with zlib-compressed run snapshots), any of whose values does."""
    found = []
    for path in sorted(home.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        if secret.encode() in data or _table_values_hold(path, secret) or _sqlite_values_hold(path, data, secret):
            found.append(str(path.relative_to(home)))
    return found


def _sqlite_values_hold(path: Path, data: bytes, secret: str) -> bool:
    if not data.startswith(b"SQLite format 3\x00"):
        return False
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as con:
        tables = [row[0] for row in con.execute("select name from sqlite_master where type = 'table'")]
        return any(
            _value_holds(value, secret)
            for table in tables
            for row in con.execute(f'select * from "{table}"')
            for value in row
        )


def _value_holds(value, secret: str) -> bool:
    if isinstance(value, bytes):
        with suppress(zlib.error):
            value = zlib.decompress(value)
        return secret.encode() in value
    return isinstance(value, str) and secret in value


def _table_values_hold(path: Path, secret: str) -> bool:
    if path.suffix == ".parquet":
        with duckdb.connect() as con:
            query = "select count(*) from read_parquet(?) as r where contains(r::varchar, ?)"
            return con.execute(query, [str(path), secret]).fetchone()[0] > 0
    if path.suffix != ".duckdb":
        return False
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        return any(
            con.execute(
                f'select count(*) from "{schema}"."{table}" as r where contains(r::varchar, ?)', [secret]
            ).fetchone()[0]
            > 0
            for schema, table in tables
        )


def _rezipped(source: Path, target: Path) -> Path:
    """The same members under other bytes (stored, not deflated): a new file with the same rows."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as new:
        for member in old.infolist():
            new.writestr(member.filename, old.read(member))
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_failing_during_a_download_build_is_one_line_for_its_source_and_a_hint(
    httpserver, tmp_path, monkeypatch
):
    httpserver.expect_request(WHD_PATH, method="HEAD").respond_with_data("")
    httpserver.expect_request(WHD_PATH, method="GET").respond_with_data("Not Found", status=404)
    home = tmp_path / "home"
    (home / "dagster").mkdir(parents=True)
    write_dagster_yaml(home / "dagster")
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    monkeypatch.setenv(MIRROR_ENV, httpserver.url_for("/"))

    result = run_cli("build", "--source", "download", "--only", "whd", "--home", str(home))

    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("✗ whd: ")]
    assert f"{httpserver.url_for(WHD_PATH)}: HTTP 404" in line
    assert "warehouse build --source DIR" in result.stderr and MIRROR_ENV in result.stderr
    assert RawArchive(WarehousePaths.at(home).raw_archive).files("whd") == []
