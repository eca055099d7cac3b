"""Where employer linkage reads and writes in the build database (schema `linkage`).

- `linkage.int_employer_links`: this run's record -> employer (read by the dbt marts as a source);
- `linkage.employer_record_ids`: every record's employer id as last assigned (kept across builds:
  it is what keeps employer ids stable);
- `linkage.employer_id_merges`: ids retired because their employer merged into an older one;
- `linkage.runs`: each run's summary (its mode, incremental or full, and why; the counts);
- `linkage.profiles`, `linkage.matched_pairs`, `linkage.model`: what the last run knew (its profiles by
  id and profile key, its matched pairs by those profile ids, its trained model and the digests of what
  that depends on), from which the next run links incrementally (incremental.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from sources.common.duckdb_memory import in_memory_connection
from warehouse.ingest.load import connect
from warehouse.linkage import LINK_COLUMNS, LinkResult, Override
from warehouse.linkage.clusters import ID_PREFIX
from warehouse.linkage.incremental import KnownLinkage

SCHEMA = "linkage"
LINKS_TABLE = f"{SCHEMA}.int_employer_links"
RECORDS = "intermediate.int_employer_records"
# The agent or attorney of each filing (its comparison key): evidence that a record at a new address is the
# same employer (linkage reads it beside the records; see model.py).
AGENTS = "intermediate.int_filing_agents"
OVERRIDES = "reference.ref_employer_link_overrides"
_DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.employer_record_ids (
        record_key VARCHAR PRIMARY KEY, employer_id VARCHAR, assigned_run VARCHAR, assigned_at TIMESTAMP)""",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.employer_id_merges (
        employer_id VARCHAR, merged_into VARCHAR, run_id VARCHAR, merged_at TIMESTAMP)""",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.runs (
        run_id VARCHAR, linked_at TIMESTAMP, summary_json VARCHAR)""",
)


def _ensure(con) -> None:
    for statement in _DDL:
        con.execute(statement)


def records_sql(records: str = RECORDS, agents: str = AGENTS) -> str:
    """The linkage input: every employer record, with the agent key of the filing it comes from."""
    return f"""SELECT records.*, agents.agent_key
        FROM {records} AS records
        LEFT JOIN {agents} AS agents
            ON agents.source = records.source AND agents.filing_id = records.filing_record_id
        ORDER BY records.source, records.record_id"""


def read_records(db_path: Path) -> pa.Table:
    with connect(db_path) as con:
        return con.sql(records_sql()).to_arrow_table()


def records_into(db_path: Path) -> Callable[[duckdb.DuckDBPyConnection, str], None]:
    """The linkage input as a function that copies it from the build database into a table of the given
    name in linkage's DuckDB (link_records calls it): DuckDB to DuckDB, spilling under the memory limit,
    where read_records would hold every record as Arrow in Python (millions at scale 10)."""

    def copy(con: duckdb.DuckDBPyConnection, name: str) -> None:
        with _attached(con, db_path, "build_db"):
            con.execute(f"CREATE TABLE {name} AS {records_sql(f'build_db.{RECORDS}', f'build_db.{AGENTS}')}")

    return copy


@contextmanager
def _attached(con: duckdb.DuckDBPyConnection, db_path: Path, alias: str) -> Iterator[None]:
    """The build database attached read-only to linkage's connection, for copying tables DuckDB to DuckDB."""
    con.execute(f"ATTACH ? AS {alias} (READ_ONLY)", [str(db_path)])
    try:
        yield
    finally:
        con.execute(f"DETACH {alias}")


def with_agents(records: pa.Table, agents: pa.Table) -> pa.Table:
    """`records` (int_employer_records read elsewhere: the Spark engine's files) with their filings' agent keys."""
    with in_memory_connection() as con:
        con.register("records_in", records)
        if agents.num_columns:
            con.register("agents_in", agents)
        else:  # no agent in any filing: Spark writes no file for an empty table
            con.execute("CREATE TABLE agents_in (source VARCHAR, filing_id VARCHAR, agent_key VARCHAR)")
        return con.sql(records_sql("records_in", "agents_in")).to_arrow_table()


def read_overrides(db_path: Path) -> list[Override]:
    with connect(db_path) as con:
        rows = con.execute(
            f"SELECT decision, source_a || ':' || record_id_a, source_b || ':' || record_id_b, reason FROM {OVERRIDES}"
        ).fetchall()
    return [Override(*row) for row in rows]


def overrides_from(table: pa.Table) -> list[Override]:
    """The overrides of a `ref_employer_link_overrides` table read elsewhere (the Spark engine's files)."""
    return [
        Override(
            r["decision"], f"{r['source_a']}:{r['record_id_a']}", f"{r['source_b']}:{r['record_id_b']}", r["reason"]
        )
        for r in table.to_pylist()
    ]


def previous_ids(db_path: Path) -> tuple[Callable[[duckdb.DuckDBPyConnection, str], None], int]:
    """Last run's (record_key, employer_id) as a function that copies them into a table of the given name in
    linkage's DuckDB (millions of rows at scale: never Python objects), and the first number a new id may take."""
    number = f"CAST(employer_id[{len(ID_PREFIX) + 1}:] AS BIGINT)"
    with connect(db_path) as con:
        _ensure(con)
        ((used,),) = con.execute(
            f"""SELECT max(number) FROM (
                    SELECT {number} AS number FROM {SCHEMA}.employer_record_ids
                    UNION ALL SELECT {number} FROM {SCHEMA}.employer_id_merges)"""
        ).fetchall()

    def copy(con: duckdb.DuckDBPyConnection, name: str) -> None:
        with _attached(con, db_path, "ids_db"):
            con.execute(
                f"CREATE TABLE {name} AS SELECT record_key, employer_id FROM ids_db.{SCHEMA}.employer_record_ids"
            )

    return copy, (used or 0) + 1


def save(db_path: Path, result: LinkResult, *, run_id: str) -> None:
    """Replace this run's links; remember every record's id (a record new or given another id records this
    run; the others keep the run that gave them their id); log merges and the run summary."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with connect(db_path) as con:
        _ensure(con)
        con.register("links", result.links.select(list(LINK_COLUMNS)))
        con.execute("BEGIN TRANSACTION")
        con.execute(f"CREATE OR REPLACE TABLE {LINKS_TABLE} AS SELECT * FROM links")
        # Only the ids that changed: replacing all of them (7.6M keys of a primary key at scale 10, most unchanged)
        # ran out of DuckDB's memory in a rebuild.
        con.execute(
            f"""INSERT OR REPLACE INTO {SCHEMA}.employer_record_ids
                SELECT linked.record_key, linked.employer_id, ?, ?
                FROM (SELECT source || ':' || record_id AS record_key, employer_id FROM links) AS linked
                LEFT JOIN {SCHEMA}.employer_record_ids AS known ON known.record_key = linked.record_key
                WHERE known.employer_id IS DISTINCT FROM linked.employer_id""",
            [run_id, now],
        )
        if result.merged_into:
            con.executemany(
                f"INSERT INTO {SCHEMA}.employer_id_merges VALUES (?, ?, ?, ?)",
                [[old, new, run_id, now] for old, new in sorted(result.merged_into.items())],
            )
        con.execute(f"INSERT INTO {SCHEMA}.runs VALUES (?, ?, ?)", [run_id, now, json.dumps(result.summary)])
        if result.known is not None:
            _save_known(con, result.known, run_id, now)
        con.execute("COMMIT")
        con.unregister("links")


def _save_known(con, known: KnownLinkage, run_id: str, now: datetime) -> None:
    known.copy_tables(con, f"{SCHEMA}.profiles", f"{SCHEMA}.matched_pairs")
    con.execute(
        f"""CREATE OR REPLACE TABLE {SCHEMA}.model (model_json VARCHAR, settings_digest VARCHAR,
            overrides_digest VARCHAR, run_id VARCHAR, saved_at TIMESTAMP)"""
    )
    con.execute(
        f"INSERT INTO {SCHEMA}.model VALUES (?, ?, ?, ?, ?)",
        [json.dumps(known.model), known.settings_digest, known.overrides_digest, run_id, now],
    )


def read_known(db_path: Path) -> KnownLinkage | None:
    """What the last run knew (trained model and digests now; its profiles and matched pairs when a run asks
    for them), or None before the first run that stored it (or when that run had no model: fewer than two
    profiles)."""
    with connect(db_path) as con:
        present = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [SCHEMA]
            ).fetchall()
        }
        if not {"profiles", "matched_pairs", "model"} <= present:
            return None
        rows = con.execute(f"SELECT model_json, settings_digest, overrides_digest FROM {SCHEMA}.model").fetchall()
    if not rows or not json.loads(rows[0][0]):
        return None
    model_json, *digests = rows[0]
    return KnownLinkage(json.loads(model_json), *digests, copy_tables=_copy_stored_tables(db_path))


def _copy_stored_tables(db_path: Path):
    """KnownLinkage.copy_tables for the tables stored in the build database: DuckDB to DuckDB, attached
    read-only (at scale 10 they are millions of profiles and tens of millions of pairs: never Arrow)."""

    def copy(con: duckdb.DuckDBPyConnection, profiles_table: str, pairs_table: str) -> None:
        with _attached(con, db_path, "stored_db"):
            con.execute(f"CREATE OR REPLACE TABLE {profiles_table} AS SELECT * FROM stored_db.{SCHEMA}.profiles")
            con.execute(f"CREATE OR REPLACE TABLE {pairs_table} AS SELECT * FROM stored_db.{SCHEMA}.matched_pairs")

    return copy
