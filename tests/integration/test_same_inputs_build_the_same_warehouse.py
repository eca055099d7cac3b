"""Issue #17: a build is idempotent. The same input files built twice, in two fresh homes, publish
the same rows in every table of the warehouse (marts, intermediate, linkage, staging, reference)
and give every employer record the same employer id.

Only what legitimately differs per run (run ids, load and link times) is left out, all of it listed
in `PER_RUN` with the reason."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.run import write_dagster_yaml
from tests.integration.conftest import run_cli, sample_dir
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration

# The one place saying what may differ between two builds of the same inputs, and why.
PER_RUN = {
    "audit.*": "when, by which run and how fast each file was loaded and gated",
    "linkage.runs": "one row per linkage run: its run id, time and timings",
    "linkage.employer_record_ids.assigned_run": "the run that first gave the record its id",
    "linkage.employer_record_ids.assigned_at": "when that run gave it",
    "linkage.employer_id_merges.run_id": "the run that merged the ids",
    "linkage.employer_id_merges.merged_at": "when that run merged them",
    "linkage.model.run_id": "the run that stored the linkage model",
    "linkage.model.saved_at": "when that run stored it",
    # Trained m/u and pair probabilities come out of DuckDB's parallel float sums: the last bit may differ
    # (1e-16 on the demo home) while the links, ids and record probabilities compared here are the same.
    "linkage.model.model_json": "the trained model, equal to the last bit or so",
    "linkage.matched_pairs.match_probability": "each matched pair's probability, equal to the last bit or so",
}


def _relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
        "union all select schema_name, view_name from duckdb_views() "
        "where database_name = current_database() and not internal order by 1, 2"
    ).fetchall()
    return [
        (schema, name) for schema, name in rows if f"{schema}.*" not in PER_RUN and f"{schema}.{name}" not in PER_RUN
    ]


def _compared_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    columns = [row[0] for row in con.execute(f'describe "{schema}"."{table}"').fetchall()]
    return [c for c in columns if f"{schema}.{table}.{c}" not in PER_RUN]


def _checksums(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    """md5 of the sorted rows (key "*"), and of each column's sorted values (to name what differs)."""
    columns = _compared_columns(con, schema, table)
    quoted = [f'"{c}"' for c in columns]
    row_text = "concat_ws('\x1f', " + ", ".join(f"coalesce(cast({q} as varchar), '\x00')" for q in quoted) + ")"
    parts = [f"md5(coalesce(string_agg({row_text}, '\x1e' order by {row_text}), '')) as \"*\""]
    parts += [
        f"md5(coalesce(string_agg(coalesce(cast({q} as varchar), '\x00'), '\x1e' order by {q}), '')) as {q}"
        for q in quoted
    ]
    values = con.execute(f'select {", ".join(parts)} from "{schema}"."{table}"').fetchone()
    return dict(zip(["*", *columns], values, strict=True))


def _warehouse_checksums(home: Path) -> dict[str, dict[str, str]]:
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        return {f"{s}.{t}": _checksums(con, s, t) for s, t in _relations(con)}


def _employer_ids(home: Path) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        rows = con.execute("select source, record_id, employer_id from marts.bridge_employer_record").fetchall()
    return {(source, record): employer for source, record, employer in rows}


@pytest.fixture(scope="module")
def rebuilt_home(built_home, tmp_path_factory, monkeypatch_module) -> Path:
    """A second, fresh home built from the very files `built_home` was built from."""
    home = tmp_path_factory.mktemp("rebuilt") / "home"
    (home / "dagster").mkdir(parents=True)
    write_dagster_yaml(home / "dagster")
    monkeypatch_module.setenv("WAREHOUSE_HOME", str(home))
    monkeypatch_module.setenv("DAGSTER_HOME", str(home / "dagster"))
    result = run_cli("build", "--source", str(sample_dir(built_home)), "--home", str(home))
    assert result.exit_code == 0, result.output
    return home


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_same_inputs_publish_the_same_rows_in_every_table(built_home, rebuilt_home):
    first, second = _warehouse_checksums(built_home), _warehouse_checksums(rebuilt_home)
    assert sorted(first) == sorted(second), "both builds publish the same tables"
    assert any(name.startswith("marts.") for name in first) and any(name.startswith("linkage.") for name in first)
    differing = {
        name: sorted(column for column, digest in first[name].items() if second[name][column] != digest)
        for name in first
        if first[name] != second[name]
    }
    assert not differing, f"tables whose rows differ between two builds of the same files (columns): {differing}"


def test_the_same_inputs_give_every_employer_record_the_same_employer_id(built_home, rebuilt_home):
    first, second = _employer_ids(built_home), _employer_ids(rebuilt_home)
    assert first, "the warehouse links employer records"
    assert first.keys() == second.keys()
    moved = {key: (first[key], second[key]) for key in first if first[key] != second[key]}
    assert not moved, f"{len(moved)} records got another employer id, e.g. {list(moved.items())[:5]}"
