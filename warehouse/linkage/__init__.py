"""Employer linkage: one employer across WHD cases, H-2A filings, debarments and the MSPA registry.

`link_records` takes the records of `intermediate.int_employer_records` (Arrow) and returns, per
record, its employer id and how surely it belongs there. The steps, each in its own module:

1. features.py: normalised comparison features; records equal on all features form one profile;
2. model.py: splink (DuckDB; on the Spark engine trained on DuckDB, predicting on Spark) scores pairs
   of profiles with m/u probabilities estimated from the data;
3. clusters.py: pairs at or above the threshold join profiles into employers, analysts' overrides
   applied, earlier links and employer ids kept across rebuilds.

Nothing here knows Dagster or the build database: store.py reads and writes those tables, the
orchestration asset `int_employer_links` calls both, and `warehouse linkage-eval` scores the result.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from sources.common.duckdb_memory import in_memory_connection
from warehouse.linkage.clusters import (
    CANNOT_LINK,
    MUST_LINK,
    assign_stable_ids,
    cluster_profiles,
    kept_links,
    record_probabilities,
)
from warehouse.linkage.features import PROFILE_COLUMNS, features_sql, with_name_rarity
from warehouse.linkage.incremental import KnownLinkage, predict_profile_pairs
from warehouse.linkage.model import MATCH_THRESHOLD

LINK_COLUMNS = ("source", "record_id", "employer_id", "match_probability")


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
    records: pa.Table,
    *,
    previous: dict[str, str] | None = None,
    next_number: int = 1,
    overrides: list[Override] = (),
    threshold: float = MATCH_THRESHOLD,
    spark=None,
    known: KnownLinkage | None = None,
    relink: bool = False,
) -> LinkResult:
    """Link employer records into employers with stable ids.

    Args:
        records: rows shaped like intermediate.int_employer_records, with the `agent_key` of each record's
            filing (store.records_sql) where known.
        previous: record key -> employer id from the last run (its links are kept, its ids reused).
        next_number: the first number a new employer id may take.
        overrides: must_link / cannot_link decisions on record keys.
        threshold: match probability from which a pair is the same employer.
        spark: a SparkSession: predict pairs on splink's Spark backend (warehouse/linkage/model.py).
        known: what the last run left (store.read_known): with its model still current, only the pairs new or
            changed records can change are predicted (incremental.py).
        relink: train again and predict every pair even when `known` is current.
    """
    started = time.monotonic()
    if "agent_key" not in records.column_names:  # int_employer_records read without its filings' agents
        records = records.append_column("agent_key", pa.nulls(records.num_rows, pa.string()))
    with in_memory_connection() as con:
        con.register("records_in", records)
        record_profile, profiles = _profiles(con, {k for o in overrides for k in (o.record_a, o.record_b)})
    predicted = predict_profile_pairs(profiles, threshold, overrides=overrides, known=known, relink=relink, spark=spark)
    pairs_table, model = predicted.by_id, predicted.model
    pairs_table = _strongest_first(pairs_table)
    profile_cluster = cluster_profiles(
        profiles.column("profile_id").to_pylist(),
        _pair_rows(pairs_table),
        must_link=_profile_pairs(overrides, MUST_LINK, record_profile),
        cannot_link=_profile_pairs(overrides, CANNOT_LINK, record_profile),
        kept=kept_links(previous or {}, record_profile),
        strongest_first=True,
    )
    clusters = {record: profile_cluster[profile] for record, profile in record_profile.items()}
    employer, merged_into, next_number = assign_stable_ids(clusters, previous or {}, next_number)
    probability = record_probabilities(record_profile, profile_cluster, _pair_rows(pairs_table))
    keys = sorted(record_profile)
    sources, ids = zip(*(k.split(":", 1) for k in keys), strict=True) if keys else ((), ())
    links = pa.table(
        {
            "source": pa.array(sources, pa.string()),
            "record_id": pa.array(ids, pa.string()),
            "employer_id": pa.array([employer[k] for k in keys], pa.string()),
            "match_probability": pa.array([probability[k] for k in keys], pa.float64()),
        }
    )
    summary = {
        "records": len(keys),
        "profiles": profiles.num_rows,
        "matched_pairs": pairs_table.num_rows,
        "employers": len(set(employer.values())),
        "threshold": threshold,
        "seconds": round(time.monotonic() - started, 1),
        "model": model,
        **predicted.summary,
    }
    return LinkResult(links, merged_into, next_number, summary, known=predicted.known)


def _profiles(con: duckdb.DuckDBPyConnection, overridden: set[str]) -> tuple[dict[str, int], pa.Table]:
    """record key -> profile id, and the profiles (distinct feature tuples; overridden records alone)."""
    con.execute(f"CREATE TABLE plain_features AS {features_sql('records_in')}")
    con.execute(f"CREATE TABLE features AS {with_name_rarity('plain_features')}")
    columns = ", ".join(PROFILE_COLUMNS)
    con.execute("CREATE TABLE overridden (record_key VARCHAR)")
    if overridden:
        con.executemany("INSERT INTO overridden VALUES (?)", [[k] for k in sorted(overridden)])
    # A record an analyst overrode is its own profile, so a decision on it never drags its twins along.
    con.execute(
        f"""CREATE TABLE keyed AS
            SELECT features.*, md5(to_json(struct_pack({columns}, alone := overridden.record_key))) AS profile_key
            FROM features LEFT JOIN overridden USING (record_key)"""
    )
    con.execute(
        f"""CREATE TABLE profiles AS
            SELECT CAST(row_number() OVER (ORDER BY min(record_key)) AS BIGINT) AS profile_id, profile_key,
                   {", ".join(f"any_value({c}) AS {c}" for c in PROFILE_COLUMNS)}
            FROM keyed GROUP BY profile_key"""
    )
    mapping = con.execute(
        "SELECT keyed.record_key, profiles.profile_id FROM keyed JOIN profiles USING (profile_key)"
    ).fetchall()
    profiles = con.sql(f"SELECT profile_id, profile_key, {columns} FROM profiles ORDER BY profile_id").to_arrow_table()
    return dict(mapping), profiles


_PAIR_SCHEMA = pa.schema(
    [("profile_id_l", pa.int64()), ("profile_id_r", pa.int64()), ("match_probability", pa.float64())]
)
_PAIR_BATCH_ROWS = 100_000


def _strongest_first(pairs: pa.Table | None) -> pa.Table:
    """The matched pairs in the order clustering takes them, kept as Arrow: at scale 10 there are tens of
    millions, which as Python tuples would take gigabytes."""
    if pairs is None:
        return _PAIR_SCHEMA.empty_table()
    keys = [("match_probability", "descending"), ("profile_id_l", "ascending"), ("profile_id_r", "ascending")]
    return pairs.select(_PAIR_SCHEMA.names).sort_by(keys)


def _pair_rows(pairs: pa.Table) -> Iterator[tuple[int, int, float]]:
    """(profile_l, profile_r, probability) rows, a batch at a time."""
    for batch in pairs.to_batches(max_chunksize=_PAIR_BATCH_ROWS):
        yield from zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True)


def _profile_pairs(overrides: list[Override], decision: str, record_profile: dict[str, int]) -> list[tuple[int, int]]:
    return [
        (record_profile[o.record_a], record_profile[o.record_b])
        for o in overrides
        if o.decision == decision and o.record_a in record_profile and o.record_b in record_profile
    ]


__all__ = ["LINK_COLUMNS", "MATCH_THRESHOLD", "LinkResult", "Override", "link_records"]
