"""Incremental linkage: score only the pairs that new or changed records can change.

A profile is keyed by the md5 of its features (`profile_key`), so the same features are the same profile
in every run. A run leaves what it knew (`KnownLinkage`: its profiles with their ids and keys, its matched
pairs by those ids and its trained model, with digests of what the model depends on); store.py keeps it in
the build database.

The next run, when the model's digests are unchanged (and no `--relink`), does not train again. Touched are
the profiles whose key the last run did not know (new records, changed records, and records whose
name-wide features such as name_rarity moved), and the known profiles sharing a value of a term-frequency
adjusted column (the phone) with a new or vanished profile: that value's count, so its term frequency, moved
(the denominator is the model's: model.with_tf_totals). Only pairs with a touched side are scored, in one
splink prediction over all current profiles whose blocking rules are narrowed to such pairs and to the blocks
holding them (`_flag_blocks_with_work`; the term frequencies are those of all profiles), and no pair the kept
pairs already join (model.predict). Since a prediction leaves such pairs unscored, the stored pairs may join
two profiles only through a third: where a stored component lost a pair, the pairs inside it are scored again
too (`_broken_components`). Every other pair scores exactly as last time: the pairs kept are the known pairs
between untouched profiles.

Otherwise (no known model, a digest differs, `--relink`, the Spark engine, or the profiles with a phone drifted
by more than TF_TOTALS_DRIFT from the model's denominator) the model is trained again and every pair
predicted: a full relink.
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
    BLOCKING_RULES,
    DETERMINISTIC_RECALL,
    DETERMINISTIC_RULES,
    M_FLOOR,
    PAIRS_BY_ID,
    SEED,
    TF_TOTALS,
    TRAINING_BLOCKS,
    TRAINING_PROFILES,
    U_SAMPLE_PAIRS,
    compares_columns_with_themselves,
    count_rows,
    model_summary,
    predict,
    rule_columns,
    settings,
    tf_columns,
    train,
    training_sample,
    with_tf_totals,
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
        "term_frequencies": TF_TOTALS,
    }
    return _digest(parts)


def overrides_digest(overrides) -> str:
    return _digest(sorted([o.decision, *sorted((o.record_a, o.record_b))] for o in overrides))


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


# A full relink renews the model's term-frequency denominators (model.with_tf_totals) once the profiles with a
# value of the column differ from them by more than this share: a value's term frequency is then off by as much,
# a pair's match weight by at most log2(1.2) = 0.26 bits. (A fiscal year added to the embedded sample: 12 %.)
TF_TOTALS_DRIFT = 0.20


def link_mode(
    known: KnownLinkage | None, digests: tuple[str, str], *, relink: bool, spark, tf_totals: dict[str, int]
) -> tuple[str, str]:
    """(FULL or INCREMENTAL, why). `tf_totals`: today's profiles with a value, per term-frequency column."""
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
    for column, total in sorted(known.model.get(TF_TOTALS, {}).items()):
        drift = abs(tf_totals[column] - total) / max(total, 1)
        if drift > TF_TOTALS_DRIFT:
            return FULL, f"the profiles with a {column} changed by {drift:.0%} since the model was trained"
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
    tf_totals = {column: count_rows(con, profiles, column) for column in tf_columns(known.model if known else {})}
    mode, reason = link_mode(known, digests, relink=relink, spark=spark, tf_totals=tf_totals)
    seconds = Steps()
    if mode == FULL:
        profile_count = count_rows(con, profiles)
        model = with_tf_totals(train(training_sample(con, profiles)), con, profiles) if profile_count > 1 else {}
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
    "flags",
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
    # The stored pairs between untouched profiles still present, by this run's ids (through the keys).
    con.execute(
        f"""CREATE TABLE kept AS
            SELECT least(l.profile_id, r.profile_id) AS profile_id_l,
                   greatest(l.profile_id, r.profile_id) AS profile_id_r, p.match_probability
            FROM stored_pairs p
            JOIN stored sl ON sl.profile_id = p.profile_id_l JOIN stored sr ON sr.profile_id = p.profile_id_r
            JOIN {profiles} l ON l.profile_key = sl.profile_key JOIN {profiles} r ON r.profile_key = sr.profile_key
            WHERE l.profile_key NOT IN (SELECT profile_key FROM touched)
              AND r.profile_key NOT IN (SELECT profile_key FROM touched)"""
    )
    broken = _broken_components(con, profiles)
    counts = {
        "profiles_new": count_rows(con, "fresh"),
        "profiles_vanished": count_rows(con, "vanished"),
        "profiles_touched": count_rows(con, "touched"),
        "components_rechecked": broken,
    }
    con.execute(
        f"""CREATE TABLE flags AS
            SELECT profile_id, {", ".join(_RULE_KEYS)},
                   current.profile_key IN (SELECT profile_key FROM touched) AS touched, rechecked.broken
            FROM {profiles} AS current LEFT JOIN rechecked USING (profile_key)"""
    )
    in_blocks = _flag_blocks_with_work(con, "flags")
    # A view: the prediction writes the wide rows once (model.predict's `ranked`), the flags are narrow.
    con.execute(
        f"""CREATE VIEW flagged AS
            SELECT current.*, flags.* EXCLUDE (profile_id, {", ".join(_RULE_KEYS)})
            FROM {profiles} AS current JOIN flags USING (profile_id)"""
    )
    only = [f"{sides} AND (l.touched OR r.touched OR l.broken = r.broken)" for sides in in_blocks]
    if counts["profiles_touched"] or broken:
        predict(
            con,
            "flagged",
            known.model,
            threshold,
            into="fresh_pairs",
            only=only,
            connected="kept",
            taking_part=IN_A_BLOCK_WITH_WORK,
        )
    else:
        con.execute(f"CREATE TABLE fresh_pairs ({PAIRS_BY_ID})")
    con.execute(
        f"""CREATE TABLE {MATCHED_PAIRS} ({PAIRS_BY_ID});
            INSERT INTO {MATCHED_PAIRS} SELECT * FROM kept;
            INSERT INTO {MATCHED_PAIRS} SELECT * FROM fresh_pairs"""
    )
    counts |= {"pairs_kept": count_rows(con, "kept"), "pairs_predicted": count_rows(con, "fresh_pairs")}
    con.execute("; ".join(["DROP VIEW flagged", *(f"DROP TABLE {table}" for table in _INCREMENTAL_TABLES)]))
    return counts


def _broken_components(con: duckdb.DuckDBPyConnection, profiles: str) -> int:
    """Table `rechecked` (profile_key, broken): the known profiles of each component of the stored pairs that lost a
    pair (a side new, changed or gone), by component. Returns how many such components.

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
               OR r.profile_key IN (SELECT profile_key FROM touched)"""
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


# The column of `flagged` telling that a profile is in a block with work for some rule (`_flag_blocks_with_work`).
IN_A_BLOCK_WITH_WORK = "in_a_block_with_work"


def _flag_blocks_with_work(con: duckdb.DuckDBPyConnection, flagged: str) -> list[str]:
    """Per blocking rule, a condition on l and r that every pair the incremental prediction scores meets (a
    touched side, or both in one broken component): both sides in a block of the rule holding such a pair.
    Each side is a boolean column added to table `flagged` (profiles with `touched` and `broken`), and
    IN_A_BLOCK_WITH_WORK is true where any is.

    Why: the condition on the pair (l.touched OR r.touched ...) can only be tested once the rule's blocks are
    joined, so a prediction over 1 % touched profiles joined every block, as a full one does (benchmarks/
    README.md). A condition on each side alone is a filter DuckDB applies before the join: only the blocks
    with work are joined."""
    flags, joins, conditions = {}, [], []
    for number, rule in enumerate(BLOCKING_RULES):
        sides = _rule_sides(rule)
        keys = f"work_keys_{number}"
        con.execute(f"CREATE TEMP TABLE {keys} AS {_keys_with_work(flagged, sides)}")
        for side, columns in sides.items():
            alias = f"w{number}{side}"
            on = " AND ".join(f"{alias}.k{i} = {flagged}.{column}" for i, column in enumerate(columns))
            joins.append(f"LEFT JOIN {keys} AS {alias} ON {on}")
            flags[f"work_{number}_{side}"] = f"{alias}.k0 IS NOT NULL"
        right = "r" if "r" in sides else "l"  # one side: both sides' flag is the same column
        conditions.append(f"l.work_{number}_l AND r.work_{number}_{right}")
    named = ", ".join(f"{flag} AS {name}" for name, flag in flags.items())
    any_flag = f"({' OR '.join(flags.values())}) AS {IN_A_BLOCK_WITH_WORK}"
    con.execute(
        f"""CREATE OR REPLACE TABLE {flagged} AS
            SELECT {flagged}.*, {named}, {any_flag} FROM {flagged} {" ".join(joins)}"""
    )
    con.execute("; ".join(f"DROP TABLE work_keys_{number}" for number in range(len(BLOCKING_RULES))))
    return conditions


# The columns the blocking rules compare.
_RULE_KEYS = sorted({column for rule in BLOCKING_RULES for pair in rule_columns(rule) for column in pair})


def _rule_sides(rule: str) -> dict[str, list[str]]:
    """The key columns of a blocking rule's left and right side ("l", "r"); one side when they are the same."""
    left, right = (list(side) for side in zip(*rule_columns(rule), strict=True))
    return {"l": left} if compares_columns_with_themselves(rule) else {"l": left, "r": right}


def _keys_with_work(flagged: str, sides: dict[str, list[str]]) -> str:
    """SQL: the keys (k0, k1 ...) of a rule's blocks that hold a touched profile or two profiles of one broken
    component (more than such pairs: either side may hold them). Each part filters before it groups: the
    touched and broken profiles are a few per cent of all."""
    keyed = " UNION ALL ".join(
        f"SELECT {', '.join(f'{c} AS k{i}' for i, c in enumerate(columns))}, touched, broken, profile_id FROM {flagged}"
        for columns in sides.values()
    )
    width = len(sides["l"])
    keys = ", ".join(f"k{i}" for i in range(width))
    not_null = " AND ".join(f"k{i} IS NOT NULL" for i in range(width))
    # (a profile with the same key on both sides is two rows: hence profiles counted by id)
    return f"""SELECT {keys} FROM ({keyed}) WHERE touched AND {not_null}
        UNION
        SELECT {keys} FROM ({keyed}) WHERE broken IS NOT NULL AND {not_null}
        GROUP BY {keys}, broken HAVING count(DISTINCT profile_id) > 1"""
