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
term frequencies are those of all profiles). A term frequency is a share of all profiles with a value, so
when the number of profiles with a phone changed, every pair of equal phones is scored again too. Every
other pair scores exactly as last time: the pairs kept are the known pairs between untouched profiles.

Otherwise (no known model, a digest differs, `--relink`, the Spark engine) the model is trained again and
every pair predicted: a full relink.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pyarrow as pa

from sources.common.duckdb_memory import in_memory_connection
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
    model_summary,
    predict,
    settings,
    tf_columns,
    train,
)

FULL = "full"
INCREMENTAL = "incremental"
# How the stored pairs are kept (store.py): a layout the settings digest names, so that what an older run
# stored in another layout is never read as this one (a full relink replaces it).
STORED_PAIRS = "pairs by the run's profile ids; profiles by id and key"


@dataclass(frozen=True)
class KnownLinkage:
    """What a linkage run knew: its trained model with the digests it depends on, and its profiles and
    matched pairs (store.py persists it). The tables are read only when a run links incrementally: a full
    relink needs the digests alone, and the stored pairs are the largest thing linkage keeps."""

    model: dict  # splink settings JSON, trained and smoothed
    settings_digest: str
    overrides_digest: str
    read_tables: Callable[[], tuple[pa.Table, pa.Table]] = field(repr=False, compare=False)

    @classmethod
    def of(cls, profiles: pa.Table, pairs: pa.Table, model: dict, *digests: str) -> KnownLinkage:
        return cls(model, *digests, read_tables=lambda: (profiles, pairs))

    @cached_property
    def _tables(self) -> tuple[pa.Table, pa.Table]:
        return self.read_tables()

    @property
    def profiles(self) -> pa.Table:  # profile_id, profile_key, PROFILE_COLUMNS
        return self._tables[0]

    @property
    def pairs(self) -> pa.Table:  # PAIRS_BY_ID over `profiles`' ids
        return self._tables[1]


@dataclass(frozen=True)
class Pairs:
    by_id: pa.Table  # PAIRS_BY_ID over this run's profiles
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
    profiles: pa.Table,
    threshold: float,
    *,
    overrides=(),
    known: KnownLinkage | None = None,
    relink: bool = False,
    spark=None,
) -> Pairs:
    """The matched pairs of `profiles` (profile_id, profile_key, PROFILE_COLUMNS), incrementally when `known`
    allows it (see the module docstring), with what this run leaves for the next."""
    digests = (settings_digest(threshold), overrides_digest(overrides))
    mode, reason = link_mode(known, digests, relink=relink, spark=spark)
    if mode == FULL:
        model = train(profiles) if profiles.num_rows > 1 else {}
        pairs = predict(profiles, model, threshold, spark=spark) if model else PAIRS_BY_ID.empty_table()
        counts = {"profiles_touched": profiles.num_rows, "pairs_kept": 0, "pairs_predicted": pairs.num_rows}
    else:
        model = known.model
        pairs, counts = _incremental(profiles, known, threshold)
    stored = profiles.select(["profile_id", "profile_key", *PROFILE_COLUMNS])
    summary = {"mode": mode, "mode_reason": reason, **counts}
    return Pairs(
        by_id=pairs,
        model=model_summary(model) if model else {},
        known=KnownLinkage.of(stored, pairs, model, *digests),
        summary=summary,
    )


def _incremental(profiles: pa.Table, known: KnownLinkage, threshold: float) -> tuple[pa.Table, dict]:
    tf = tf_columns(known.model)
    with in_memory_connection() as con:
        con.register("current", profiles)
        con.register("stored", known.profiles.select(["profile_id", "profile_key", *tf]))
        con.register("stored_pairs", known.pairs)
        con.execute("CREATE TABLE fresh AS SELECT * FROM current ANTI JOIN stored USING (profile_key)")
        con.execute("CREATE TABLE vanished AS SELECT * FROM stored ANTI JOIN current USING (profile_key)")
        shares_value = " OR ".join(f"current.{c} IN (SELECT {c} FROM fresh UNION SELECT {c} FROM vanished)" for c in tf)
        con.execute(
            f"""CREATE TABLE touched AS
                SELECT profile_key FROM fresh
                UNION SELECT profile_key FROM current WHERE {shares_value or "false"}"""
        )
        # A term frequency is a share of the profiles with a value: when their number changed, so did the
        # score of every pair equal on that column.
        moved = [c for c in tf if _count(con, "current", c) != _count(con, "stored", c)]
        equal_on_moved = " OR ".join(f"l.{c} = r.{c}" for c in moved)
        # The stored pairs between untouched profiles still present, by this run's ids (through the keys).
        con.execute(
            f"""CREATE TABLE kept AS
                SELECT least(l.profile_id, r.profile_id) AS profile_id_l,
                       greatest(l.profile_id, r.profile_id) AS profile_id_r, p.match_probability
                FROM stored_pairs p
                JOIN stored sl ON sl.profile_id = p.profile_id_l JOIN stored sr ON sr.profile_id = p.profile_id_r
                JOIN current l ON l.profile_key = sl.profile_key JOIN current r ON r.profile_key = sr.profile_key
                WHERE l.profile_key NOT IN (SELECT profile_key FROM touched)
                  AND r.profile_key NOT IN (SELECT profile_key FROM touched)
                  AND NOT coalesce({equal_on_moved or "false"}, false)"""
        )
        counts = {
            "profiles_new": _count(con, "fresh"),
            "profiles_vanished": _count(con, "vanished"),
            "profiles_touched": _count(con, "touched"),
            "tf_columns_rescored": ", ".join(moved),
        }
        kept = con.sql("SELECT * FROM kept").to_arrow_table()
        flagged = con.sql(
            """SELECT current.*, profile_key IN (SELECT profile_key FROM touched) AS touched
               FROM current ORDER BY profile_id"""
        ).to_arrow_table()
    only = " OR ".join(["l.touched", "r.touched", *(f"l.{c} = r.{c}" for c in moved)])
    rescore = counts["profiles_touched"] or moved
    fresh_pairs = predict(flagged, known.model, threshold, only=only) if rescore else PAIRS_BY_ID.empty_table()
    counts |= {"pairs_kept": kept.num_rows, "pairs_predicted": fresh_pairs.num_rows}
    return pa.concat_tables([kept.cast(PAIRS_BY_ID), fresh_pairs]), counts


def _count(con, table: str, column: str = "*") -> int:
    """Rows of `table` (with a non-null `column` when given)."""
    return con.execute(f"SELECT count({column}) FROM {table}").fetchall()[0][0]  # fetchone leaves the result open
