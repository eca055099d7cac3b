"""Employer linkage: one employer across WHD cases, H-2A filings, debarments and the MSPA registry.

`link_records` takes the records of `intermediate.int_employer_records` (Arrow) and returns, per
record, its employer id and how surely it belongs there. The steps, each in its own module:

1. features.py: normalised comparison features; records equal on all features form one profile;
2. model.py: splink (DuckDB; on the Spark engine trained on DuckDB, predicting on Spark) scores pairs
   of profiles with m/u probabilities estimated from the data (on DuckDB, in batches: none a pair the pairs
   found before it already join);
3. clusters.py: pairs at or above the threshold join profiles into employers, analysts' overrides
   applied, earlier links and employer ids kept across rebuilds.

Records, profiles and pairs stay in one DuckDB (linkage's in-memory connection, bounded by
WAREHOUSE_DUCKDB_MEMORY_LIMIT, spilling beyond it): the record -> profile mapping and the profiles are tables
there, splink predicts in that connection into a table of pairs, which clustering reads in batches of a few
million (clusters.py); the clusters are a numpy array over profiles, each profile's probability is SQL over
the pairs, and the links table is one join. What
the next run needs (profiles, pairs) goes to Parquet files (incremental.KnownLinkage), never to Arrow in
Python; no Python object is made per record until the caller asks (`LinkResult.employer_of`).
`summary["step_seconds"]` times each step (benchmarks/linkage.py prints them).

Nothing here knows Dagster or the build database: store.py reads and writes those tables, the
orchestration asset `int_employer_links` calls both, and `warehouse linkage-eval` scores the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from sources.common.duckdb_memory import in_memory_connection
from warehouse.linkage.clusters import (
    CANNOT_LINK,
    MUST_LINK,
    assign_stable_ids,
    cluster_pairs,
    kept_links,
    profile_probabilities,
)
from warehouse.linkage.features import PROFILE_COLUMNS, features_sql, with_name_rarity
from warehouse.linkage.incremental import KnownLinkage, predict_profile_pairs
from warehouse.linkage.model import MATCH_THRESHOLD, count_rows
from warehouse.linkage.timing import Steps

LINK_COLUMNS = ("source", "record_id", "employer_id", "match_probability")
# The records as Arrow, or a function that creates them as a table in linkage's DuckDB (store.records_into:
# from the build database straight into DuckDB, so millions of records never become Arrow in Python).
Records = pa.Table | Callable[[duckdb.DuckDBPyConnection, str], None]
# Last run's (record_key, employer_id): a table, a dict, or a function that creates them as a table in linkage's
# DuckDB (store.previous_ids: copied from the build database, never millions of Python objects).
Previous = pa.Table | dict[str, str] | Callable[[duckdb.DuckDBPyConnection, str], None] | None


@dataclass(frozen=True)
class Override:
    """An analyst's decision on two records, applied after the model (dbt seed ref_employer_link_overrides)."""

    decision: str  # must_link | cannot_link
    record_a: str  # "<source>:<record_id>"
    record_b: str
    reason: str = ""


@dataclass
class LinkResult:
    links: pa.Table  # LINK_COLUMNS, one row per record
    merged_into: dict[str, str]  # retired employer id -> the id it was merged into
    next_number: int
    summary: dict = field(default_factory=dict)
    known: KnownLinkage | None = None  # this run's profiles, pairs and model, for the next (store.save)

    def employer_of(self) -> dict[str, str]:
        """record key ("<source>:<record_id>") -> employer id."""
        rows = self.links.select(["source", "record_id", "employer_id"]).to_pylist()
        return {f"{r['source']}:{r['record_id']}": r["employer_id"] for r in rows}


def link_records(
    records: Records,
    *,
    previous: Previous = None,
    next_number: int = 1,
    overrides: list[Override] = (),
    threshold: float = MATCH_THRESHOLD,
    spark=None,
    known: KnownLinkage | None = None,
    relink: bool = False,
    scratch: Path | None = None,
) -> LinkResult:
    """Link employer records into employers with stable ids.

    Args:
        records: rows shaped like intermediate.int_employer_records, with the `agent_key` of each record's
            filing (store.records_sql) where known; or a function that creates them as a table of the
            given name in linkage's DuckDB connection (store.records_into).
        previous: (record_key, employer_id) from the last run, as a table, a dict record key -> employer id, or
            a function that creates them as a table of the given name in linkage's DuckDB (store.previous_ids):
            its links are kept, its ids reused.
        next_number: the first number a new employer id may take.
        overrides: must_link / cannot_link decisions on record keys.
        threshold: match probability from which a pair is the same employer.
        spark: a SparkSession: predict pairs on splink's Spark backend (warehouse/linkage/model.py).
        known: what the last run left (store.read_known): with its model still current, only the pairs new or
            changed records can change are predicted (incremental.py).
        relink: train again and predict every pair even when `known` is current.
        scratch: an existing folder for the files this run leaves for store.save (its profiles and pairs, which
            at scale are gigabytes), which the caller removes after saving; by default a temporary folder that
            lives as long as the result.
    """
    started = time.monotonic()
    steps = Steps()
    with in_memory_connection() as con:
        drop_records = _put_records(con, records)
        record_profile, profiles = _profiles(con, {k for o in overrides for k in (o.record_a, o.record_b)})
        drop_records()
        steps.done("profiles")
        predicted = predict_profile_pairs(
            con, profiles, threshold, overrides=overrides, known=known, relink=relink, spark=spark, scratch=scratch
        )
        profile_count, pair_count = count_rows(con, profiles), count_rows(con, predicted.table)
        con.execute(f"DROP TABLE {profiles}")  # the next run's copy is in predicted.known
        steps.done("pairs")
        links, employers, merged_into, next_number = _employers(
            con, record_profile, profile_count, predicted.table, previous, next_number, overrides, steps
        )
    summary = {
        "records": links.num_rows,
        "profiles": profile_count,
        "matched_pairs": pair_count,
        "employers": employers,
        "threshold": threshold,
        "seconds": round(time.monotonic() - started, 1),
        "step_seconds": steps.seconds,
        "model": predicted.model,
        **predicted.summary,
    }
    return LinkResult(links, merged_into, next_number, summary, known=predicted.known)


def _put_records(con: duckdb.DuckDBPyConnection, records: Records) -> Callable[[], object]:
    """The records as `records_in` in `con`; returns what drops them (once the profiles are made)."""
    if callable(records):
        records(con, "records_in")
        return lambda: con.execute("DROP TABLE records_in")
    if "agent_key" not in records.column_names:  # int_employer_records read without its filings' agents
        records = records.append_column("agent_key", pa.nulls(records.num_rows, pa.string()))
    con.register("records_in", records)
    return lambda: con.unregister("records_in")


def _profiles(con: duckdb.DuckDBPyConnection, overridden: set[str]) -> tuple[str, str]:
    """Two tables in `con`: (record_key, profile_id), and the profiles (profile_id 1..n, profile_key,
    PROFILE_COLUMNS: distinct feature tuples; overridden records alone). Returns their names."""
    con.execute(f"CREATE TABLE plain_features AS {features_sql('records_in')}")
    columns = ", ".join(PROFILE_COLUMNS)
    con.execute("CREATE TABLE overridden (record_key VARCHAR)")
    if overridden:
        con.executemany("INSERT INTO overridden VALUES (?)", [[k] for k in sorted(overridden)])
    # A record an analyst overrode is its own profile, so a decision on it never drags its twins along. (The
    # name-wide features in the same statement: one wide table less to write, 21 s of 75 s at scale 10.)
    con.execute(
        f"""CREATE TABLE keyed AS
            SELECT features.*, md5(to_json(struct_pack({columns}, alone := overridden.record_key))) AS profile_key
            FROM ({with_name_rarity("plain_features")}) AS features LEFT JOIN overridden USING (record_key)"""
    )
    # Numbered on narrow rows, then each profile's columns joined from its first record: grouping and sorting
    # the wide rows grew 27-fold from scale 1 to scale 10.
    con.execute(
        """CREATE TABLE first_records AS
            SELECT profile_key, CAST(row_number() OVER (ORDER BY min(record_key)) AS BIGINT) AS profile_id,
                   min(record_key) AS record_key
            FROM keyed GROUP BY profile_key"""
    )
    con.execute(
        f"""CREATE TABLE profiles AS
            SELECT first_records.profile_id, profile_key, {", ".join(f"keyed.{c}" for c in PROFILE_COLUMNS)}
            FROM first_records JOIN keyed USING (record_key, profile_key)"""
    )
    con.execute(
        """CREATE TABLE record_profile AS
            SELECT keyed.record_key, profiles.profile_id FROM keyed JOIN profiles USING (profile_key)"""
    )
    con.execute("DROP TABLE plain_features; DROP TABLE keyed; DROP TABLE overridden")
    con.execute("DROP TABLE first_records")
    return "record_profile", "profiles"


def _employers(
    con: duckdb.DuckDBPyConnection,
    record_profile: str,
    profile_count: int,
    pairs: str,
    previous: Previous,
    next_number: int,
    overrides: list[Override],
    steps: Steps,
) -> tuple[pa.Table, int, dict[str, str], int]:
    """From the matched pairs (table `pairs` in `con`, dropped here) to the links: clusters, stable ids,
    probabilities. Returns the links, the number of employers, the merged ids and the next free id number."""
    _put_previous(con, "previous_ids", previous)
    profile_ids = np.arange(1, profile_count + 1, dtype=np.int64)  # _profiles numbers them 1..n
    cluster = cluster_pairs(
        con,
        profile_ids,
        pairs,
        must_link=_profile_pairs(con, overrides, MUST_LINK, record_profile),
        cannot_link=_profile_pairs(con, overrides, CANNOT_LINK, record_profile),
        kept=kept_links(con, "previous_ids", record_profile),
    )
    con.register("clustered", pa.table({"profile_id": profile_ids, "cluster": cluster}))
    con.execute(f"CREATE TABLE profile_cluster AS {profile_probabilities('clustered', pairs)}")
    con.unregister("clustered")
    con.execute(f"DROP TABLE {pairs}")
    con.execute(
        f"""CREATE TABLE record_cluster AS
            SELECT record_key, cluster FROM {record_profile} JOIN profile_cluster USING (profile_id)"""
    )
    steps.done("cluster")
    cluster_ids, merged_into, next_number = assign_stable_ids(con, "record_cluster", "previous_ids", next_number)
    con.register("cluster_ids", cluster_ids)
    steps.done("ids")
    links = con.sql(
        f"""SELECT record_key[:strpos(record_key, ':') - 1] AS source,
                   record_key[strpos(record_key, ':') + 1:] AS record_id,
                   cluster_ids.employer_id, profile_cluster.match_probability
            FROM {record_profile}
            JOIN profile_cluster USING (profile_id)
            JOIN cluster_ids USING (cluster)
            ORDER BY record_key"""
    ).to_arrow_table()
    steps.done("links")
    return links, cluster_ids.num_rows, merged_into, next_number


def _put_previous(con: duckdb.DuckDBPyConnection, name: str, previous: Previous) -> None:
    """Last run's ids as a (record_key, employer_id) table `name` in `con`, whichever way they were given."""
    if callable(previous):
        previous(con, name)
        return
    if not isinstance(previous, pa.Table):
        previous = previous or {}
        previous = pa.table(
            {
                "record_key": pa.array(list(previous), pa.string()),
                "employer_id": pa.array(list(previous.values()), pa.string()),
            }
        )
    con.register(name, previous.select(["record_key", "employer_id"]))


def _profile_pairs(
    con: duckdb.DuckDBPyConnection, overrides: list[Override], decision: str, record_profile: str
) -> np.ndarray:
    """The profiles of the overrides' records (both present), shape (n, 2), in the overrides' order."""
    chosen = [o for o in overrides if o.decision == decision]
    keys = sorted({k for o in chosen for k in (o.record_a, o.record_b)})
    profile = (
        dict(
            con.execute(
                f"SELECT record_key, profile_id FROM {record_profile} WHERE list_contains(?, record_key)", [keys]
            ).fetchall()
        )
        if keys
        else {}
    )
    pairs = [
        (profile[o.record_a], profile[o.record_b]) for o in chosen if o.record_a in profile and o.record_b in profile
    ]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


__all__ = ["LINK_COLUMNS", "MATCH_THRESHOLD", "LinkResult", "Override", "Previous", "Records", "link_records"]
