"""Incremental linkage: score only the pairs that new or changed records can change.

A profile is keyed by the md5 of its features (`profile_key`), so the same features are the same profile
in every run. A run leaves what it knew (`KnownLinkage`: its profiles with their ids and keys, its matched
pairs by those ids and its trained model, with digests of what the model depends on); store.py keeps it in
the build database.

The next run, when the model's digests are unchanged (and no `--relink`), does not train again. Touched are
the profiles whose key the last run did not know (new records, changed records, and records whose
name-wide features such as name_rarity moved), and the known profiles sharing a value of a term-frequency
adjusted column (the phone) with a new or vanished profile. Only pairs with a touched side are scored, in
one splink prediction over all current profiles whose blocking rules are narrowed to such pairs (so the
term frequencies are those of all profiles), and no pair the kept pairs already join (model.predict). Since
a prediction leaves such pairs unscored, the stored pairs may join two profiles only through a third: where
a stored component lost a pair, the pairs inside it are scored again too (`_broken_components`). A term
frequency is a share of all profiles with a value, so when the number of profiles with a phone changed, every
pair of equal phones is scored again too. Every other pair scores exactly as last time: the pairs kept are the
known pairs between untouched profiles.

Otherwise (no known model, a digest differs, `--relink`, the Spark engine) the model is trained again and
every pair predicted: a full relink.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from sources.common.casting import sql_literal
from sources.common.duckdb_memory import in_memory_connection
from warehouse.linkage.clusters import components_of_pairs
from warehouse.linkage.features import PROFILE_COLUMNS, features_sql, with_name_rarity
from warehouse.linkage.model import (
    DETERMINISTIC_RECALL,
    DETERMINISTIC_RULES,
    M_FLOOR,
    PAIRS_BY_ID,
    SEED,
    TRAINING_BLOCKS,
    TRAINING_PROFILES,
    U_SAMPLE_PAIRS,
    count_rows,
    model_summary,
    predict,
    settings,
    tf_columns,
    train,
    training_sample,
)
from warehouse.linkage.timing import Steps

FULL = "full"
INCREMENTAL = "incremental"
# How the stored pairs are kept (store.py): a layout the settings digest names, so that what an older run
# stored in another layout is never read as this one (a full relink replaces it).
STORED_PAIRS = "pairs by the run's profile ids; profiles by id and key"
# The table of this run's matched pairs (model.PAIRS_BY_ID) in linkage's connection.
MATCHED_PAIRS = "matched_pairs"
# copy_tables(con, profiles table, pairs table): creates (or replaces) both tables in `con`.
CopyTables = Callable[[duckdb.DuckDBPyConnection, str, str], None]


@dataclass(frozen=True)
class KnownLinkage:
    """What a linkage run knew: its trained model with the digests it depends on, and its profiles
    (profile_id, profile_key, PROFILE_COLUMNS) and matched pairs (model.PAIRS_BY_ID). store.py persists it.
    The tables go from DuckDB to DuckDB (`copy_tables`): at scale 10 they are millions of profiles and tens of
    millions of pairs, which as Arrow in Python would cost gigabytes beside linkage's DuckDB. They are read only
    when a run links incrementally: a full relink needs the digests alone."""

    model: dict  # splink settings JSON, trained and smoothed
    settings_digest: str
    overrides_digest: str
    copy_tables: CopyTables = field(repr=False, compare=False)
    # The temporary folder of this run's tables (`written` without a scratch folder): removed when nothing
    # refers to it any more.
    folder: tempfile.TemporaryDirectory | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, profiles: pa.Table, pairs: pa.Table, model: dict, *digests: str) -> KnownLinkage:
        """From Arrow tables (tests)."""

        def copy(con: duckdb.DuckDBPyConnection, profiles_table: str, pairs_table: str) -> None:
            for name, table in ((profiles_table, profiles), (pairs_table, pairs)):
                con.register("known_in", table)
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM known_in")
                con.unregister("known_in")

        return cls(model, *digests, copy_tables=copy)

    @classmethod
    def written(
        cls, con: duckdb.DuckDBPyConnection, profiles: str, pairs: str, model: dict, *digests, scratch: Path | None
    ) -> KnownLinkage:
        """This run's tables `profiles` and `pairs` of `con`, written as Parquet files, from which store.save
        copies them into the build database after linkage's connection has closed. The files go into
        `scratch` (the caller removes it), or else into a temporary folder removed with the result."""
        folder = None if scratch else tempfile.TemporaryDirectory(prefix="warehouse-linkage-known-")
        place = scratch or Path(folder.name)
        files = {"profiles": place / "known_profiles.parquet", "pairs": place / "known_pairs.parquet"}
        columns = ", ".join(["profile_id", "profile_key", *PROFILE_COLUMNS])
        by_id = f"SELECT {columns} FROM {profiles} ORDER BY profile_id"
        con.execute(f"COPY ({by_id}) TO {sql_literal(files['profiles'])} (FORMAT PARQUET)")
        con.execute(f"COPY {pairs} TO {sql_literal(files['pairs'])} (FORMAT PARQUET)")

        def copy(target: duckdb.DuckDBPyConnection, profiles_table: str, pairs_table: str) -> None:
            for name, path in ((profiles_table, files["profiles"]), (pairs_table, files["pairs"])):
                target.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet({sql_literal(path)})")

        return cls(model, *digests, copy_tables=copy, folder=folder)

    @cached_property
    def _tables(self) -> tuple[pa.Table, pa.Table]:
        with in_memory_connection() as con:
            self.copy_tables(con, "profiles", "pairs")
            return (
                con.sql("SELECT * FROM profiles ORDER BY profile_id").to_arrow_table(),
                con.sql("SELECT * FROM pairs ORDER BY profile_id_l, profile_id_r").to_arrow_table(),
            )

    @property
    def profiles(self) -> pa.Table:  # as Arrow, for a look from Python (tests); linkage uses copy_tables
        return self._tables[0]

    @property
    def pairs(self) -> pa.Table:  # PAIRS_BY_ID over `profiles`' ids, as Arrow (tests)
        return self._tables[1]


@dataclass(frozen=True)
class Pairs:
    table: str  # this run's matched pairs: a table (model.PAIRS_BY_ID) in linkage's connection
    model: dict  # summary of the model (metadata)
    known: KnownLinkage  # what this run leaves for the next one
    summary: dict  # mode, its reason, the counts


def settings_digest(threshold: float) -> str:
    """Digest of everything the trained model and a pair's score depend on but the data: the features'
    SQL, the splink settings and blocking rules, the training constants and the threshold."""
    from importlib.metadata import version

    parts = {
        "features": [features_sql("records_in"), with_name_rarity("plain_features"), list(PROFILE_COLUMNS)],
        "settings": settings().get_settings("duckdb").as_dict(),
        "training": [list(DETERMINISTIC_RULES), DETERMINISTIC_RECALL, list(TRAINING_BLOCKS), TRAINING_PROFILES],
        "constants": [U_SAMPLE_PAIRS, M_FLOOR, SEED, threshold],
        "splink": version("splink"),
        "stored": STORED_PAIRS,
    }
    return _digest(parts)


def overrides_digest(overrides) -> str:
    return _digest(sorted([o.decision, *sorted((o.record_a, o.record_b))] for o in overrides))


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def link_mode(known: KnownLinkage | None, digests: tuple[str, str], *, relink: bool, spark) -> tuple[str, str]:
    """(FULL or INCREMENTAL, why)."""
    if relink:
        return FULL, "relink asked (--relink)"
    if spark is not None:
        return FULL, "the Spark engine relinks in full (incremental prediction runs on DuckDB)"
    if known is None:
        return FULL, "no stored model"
    if known.settings_digest != digests[0]:
        return FULL, "the model's settings, blocking rules, threshold or features changed"
    if known.overrides_digest != digests[1]:
        return FULL, "the overrides changed"
    return INCREMENTAL, "stored model and digests unchanged"


def predict_profile_pairs(
    con: duckdb.DuckDBPyConnection,
    profiles: str,
    threshold: float,
    *,
    overrides=(),
    known: KnownLinkage | None = None,
    relink: bool = False,
    spark=None,
    scratch: Path | None = None,
) -> Pairs:
    """Table MATCHED_PAIRS in `con`: the matched pairs of the profiles in table `profiles` (profile_id,
    profile_key, PROFILE_COLUMNS), predicted incrementally when `known` allows it (see the module docstring),
    with what this run leaves for the next."""
    digests = (settings_digest(threshold), overrides_digest(overrides))
    mode, reason = link_mode(known, digests, relink=relink, spark=spark)
    seconds = Steps()
    if mode == FULL:
        profile_count = count_rows(con, profiles)
        model = train(training_sample(con, profiles)) if profile_count > 1 else {}
        seconds.done("training")
        predict(con, profiles, model, threshold, into=MATCHED_PAIRS, spark=spark)
        counts = {"profiles_touched": profile_count, "pairs_kept": 0, "pairs_predicted": count_rows(con, MATCHED_PAIRS)}
    else:
        model = known.model
        counts = _incremental(con, profiles, known, threshold)
    seconds.done("prediction")
    written = KnownLinkage.written(con, profiles, MATCHED_PAIRS, model, *digests, scratch=scratch)
    seconds.done("kept_for_next_run")
    return Pairs(
        table=MATCHED_PAIRS,
        model=model_summary(model) if model else {},
        known=written,
        summary={"mode": mode, "mode_reason": reason, **counts, "pairs_step_seconds": seconds.seconds},
    )


# The tables _incremental works with, dropped when it is done.
_INCREMENTAL_TABLES = (
    "stored",
    "stored_pairs",
    "fresh",
    "vanished",
    "touched",
    "kept",
    "lost",
    "rechecked",
    "flagged",
    "fresh_pairs",
)


def _incremental(con: duckdb.DuckDBPyConnection, profiles: str, known: KnownLinkage, threshold: float) -> dict:
    """Table MATCHED_PAIRS: the known pairs no new profile can change, and the pairs predicted anew. Returns
    the counts."""
    tf = tf_columns(known.model)
    known.copy_tables(con, "stored", "stored_pairs")
    con.execute(f"CREATE OR REPLACE TABLE stored AS SELECT {', '.join(['profile_id', 'profile_key', *tf])} FROM stored")
    con.execute(f"CREATE TABLE fresh AS SELECT * FROM {profiles} ANTI JOIN stored USING (profile_key)")
    con.execute(f"CREATE TABLE vanished AS SELECT * FROM stored ANTI JOIN {profiles} USING (profile_key)")
    shares_value = " OR ".join(f"current.{c} IN (SELECT {c} FROM fresh UNION SELECT {c} FROM vanished)" for c in tf)
    con.execute(
        f"""CREATE TABLE touched AS
            SELECT profile_key FROM fresh
            UNION SELECT profile_key FROM {profiles} AS current WHERE {shares_value or "false"}"""
    )
    # A term frequency is a share of the profiles with a value: when their number changed, so did the
    # score of every pair equal on that column.
    moved = [c for c in tf if count_rows(con, profiles, c) != count_rows(con, "stored", c)]
    equal_on_moved = " OR ".join(f"l.{c} = r.{c}" for c in moved)
    # The stored pairs between untouched profiles still present, by this run's ids (through the keys).
    con.execute(
        f"""CREATE TABLE kept AS
            SELECT least(l.profile_id, r.profile_id) AS profile_id_l,
                   greatest(l.profile_id, r.profile_id) AS profile_id_r, p.match_probability
            FROM stored_pairs p
            JOIN stored sl ON sl.profile_id = p.profile_id_l JOIN stored sr ON sr.profile_id = p.profile_id_r
            JOIN {profiles} l ON l.profile_key = sl.profile_key JOIN {profiles} r ON r.profile_key = sr.profile_key
            WHERE l.profile_key NOT IN (SELECT profile_key FROM touched)
              AND r.profile_key NOT IN (SELECT profile_key FROM touched)
              AND NOT coalesce({equal_on_moved or "false"}, false)"""
    )
    broken = _broken_components(con, profiles, equal_on_moved)
    counts = {
        "profiles_new": count_rows(con, "fresh"),
        "profiles_vanished": count_rows(con, "vanished"),
        "profiles_touched": count_rows(con, "touched"),
        "tf_columns_rescored": ", ".join(moved),
        "components_rechecked": broken,
    }
    con.execute(
        f"""CREATE TABLE flagged AS
            SELECT current.*, current.profile_key IN (SELECT profile_key FROM touched) AS touched, rechecked.broken
            FROM {profiles} AS current LEFT JOIN rechecked USING (profile_key)"""
    )
    only = " OR ".join(["l.touched", "r.touched", *(f"l.{c} = r.{c}" for c in moved), "l.broken = r.broken"])
    if counts["profiles_touched"] or moved or broken:
        predict(con, "flagged", known.model, threshold, into="fresh_pairs", only=only, connected="kept")
    else:
        con.execute(f"CREATE TABLE fresh_pairs ({PAIRS_BY_ID})")
    con.execute(
        f"""CREATE TABLE {MATCHED_PAIRS} ({PAIRS_BY_ID});
            INSERT INTO {MATCHED_PAIRS} SELECT * FROM kept;
            INSERT INTO {MATCHED_PAIRS} SELECT * FROM fresh_pairs"""
    )
    counts |= {"pairs_kept": count_rows(con, "kept"), "pairs_predicted": count_rows(con, "fresh_pairs")}
    con.execute("; ".join(f"DROP TABLE {table}" for table in _INCREMENTAL_TABLES))
    return counts


def _broken_components(con: duckdb.DuckDBPyConnection, profiles: str, equal_on_moved: str) -> int:
    """Table `rechecked` (profile_key, broken): the known profiles of each component of the stored pairs that lost a
    pair (a side new, changed or gone, or a pair scored again), by component. Returns how many such components.

    A prediction scores no pair of two profiles already joined (model._predict_on_duckdb), so a stored component
    may hold matched pairs never scored, each joined through others. Where one of those others is lost, the pairs
    inside its component are scored again (skipping those the kept pairs still join): the result is the
    components of a full prediction."""
    con.execute(
        f"""CREATE TABLE lost AS
            SELECT p.profile_id_l FROM stored_pairs AS p
            JOIN stored AS sl ON sl.profile_id = p.profile_id_l JOIN stored AS sr ON sr.profile_id = p.profile_id_r
            LEFT JOIN {profiles} AS l ON l.profile_key = sl.profile_key
            LEFT JOIN {profiles} AS r ON r.profile_key = sr.profile_key
            WHERE l.profile_key IS NULL OR r.profile_key IS NULL
               OR l.profile_key IN (SELECT profile_key FROM touched)
               OR r.profile_key IN (SELECT profile_key FROM touched)
               OR coalesce({equal_on_moved or "false"}, false)"""
    )
    stored_ids = con.sql("SELECT profile_id FROM stored ORDER BY profile_id").fetchnumpy()["profile_id"]
    stored_ids = stored_ids.astype(np.int64)
    component = components_of_pairs(con, stored_ids, "SELECT profile_id_l, profile_id_r FROM stored_pairs")
    lost = con.sql("SELECT profile_id_l FROM lost").fetchnumpy()["profile_id_l"].astype(np.int64)
    broken = np.unique(component[np.searchsorted(stored_ids, lost)])
    inside = np.isin(component, broken)
    con.register("broken_in", pa.table({"profile_id": stored_ids[inside], "broken": component[inside]}))
    con.execute(
        """CREATE TABLE rechecked AS
            SELECT stored.profile_key, broken_in.broken FROM broken_in JOIN stored USING (profile_id)"""
    )
    con.unregister("broken_in")
    return len(broken)
