"""The probabilistic employer-matching model (splink, Fellegi-Sunter, on DuckDB or Spark).

Profiles (distinct feature tuples, see features.py) are compared pairwise within blocks; every
comparison's m and u probabilities are estimated from the data (u by random sampling, m by
expectation maximisation), never set by hand: on every full relink; an incremental run predicts with
the stored model (incremental.py). The prediction keeps pairs at or above `MATCH_THRESHOLD`;
clustering (clusters.py) turns them into employers.

Why these comparisons: the name says most, but the same name in another state is usually another
employer (real hard negatives: "Taylor Orchards" GA and WA), so location is one comparison with
levels from the same street to another state (the location columns are not independent, so they
are not separate comparisons); phone and FEIN are strong when present, and the term-frequency
adjustment of the phone stops an association's number (on hundreds of member rows) from linking
its members; NAICS separates a restaurant from a farm of the same surname. The agent or attorney of
the filing (term-frequency adjusted: a consultancy filing for hundreds of employers counts for little)
is the evidence that ties a move within a state (same name, new address) together, with the name's
spread: a name found in one state only is one employer there.

On the Spark engine the model is trained exactly as on DuckDB (the same settings, seed and samples,
so the same trained parameters), then the prediction over every block (the step that grows with the
data) runs on splink's Spark backend with that trained model, its SQL translated to Spark's dialect
(`for_spark`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import duckdb
import numpy as np
import pyarrow as pa

from sources.common.duckdb_memory import in_memory_connection
from warehouse.linkage.clusters import components_of_pairs
from warehouse.linkage.features import PROFILE_COLUMNS, RARE_NAME_WORD

# A pair is the same employer when its match probability reaches this (documented in docs/linkage.md).
MATCH_THRESHOLD = 0.9
# Pairs of profiles compared (blocking): equal on any of these; everything else is a non-match.
BLOCKING_RULES = (
    # *_block: the key, within its state for a name in many states, NULL where many names share it (features.py)
    "l.name_block = r.name_block",
    "l.sorted_block = r.sorted_block",
    "l.alt_block = r.name_key",
    "l.name_key = r.alt_block",
    "l.alt_block = r.alt_block",
    "l.phone_block = r.phone_block",
    "l.fein_digits = r.fein_digits",
    "l.zip5 = r.zip5 AND l.street_number = r.street_number",
    "l.state = r.state AND l.city_key = r.city_key AND l.town_first_block = r.town_first_block",
    # one town's names ending in one word, with one initial: "J Smith Farms" / "John Smith Farms"
    "l.state = r.state AND l.city_key = r.city_key AND l.town_last_block = r.town_last_block "
    "AND l.first_initial = r.first_initial",
)
# Training blocks: each estimates the m probabilities of the comparisons it does not block on.
# (Not the phone: an association's number on hundreds of member rows would teach that members match.)
TRAINING_BLOCKS = (
    "l.sorted_key = r.sorted_key",
    "l.zip5 = r.zip5 AND l.street_number = r.street_number",
)
# Pairs surely the same employer, to estimate how likely two random profiles match.
DETERMINISTIC_RULES = ("l.name_key = r.name_key AND l.state = r.state",)
DETERMINISTIC_RECALL = 0.7
U_SAMPLE_PAIRS = 2_000_000
# Smallest m probability a trained level keeps (see `smoothed`).
M_FLOOR = 0.005
SEED = 20261201

log = logging.getLogger(__name__)


_RARE = f"name_rarity_l <= {RARE_NAME_WORD}"


# Jaro-Winkler rewards a shared start, so "Nantucket Seafood" / "Nantucket Tents" and "Green Hill Landscape" /
# "Green A Landscape" (different employers in one town) would score as typos of one name. A similar name also
# needs its words but the last alike (or of the same letters: "Fxo" / "Fox"), and its last word alike or one a
# short form of the other ("Elberta Valley Ag" / "... Agriculture").
HEAD_SIMILARITY = 0.9
LAST_WORD_SIMILARITY = 0.8


def _similar_name(threshold: float) -> str:
    return (
        f"jaro_winkler_similarity(name_key_l, name_key_r) >= {threshold} "
        f"AND (jaro_winkler_similarity(name_head_l, name_head_r) >= {HEAD_SIMILARITY} "
        "OR name_head_letters_l = name_head_letters_r) "
        f"AND (jaro_winkler_similarity(last_token_l, last_token_r) >= {LAST_WORD_SIMILARITY} "
        "OR starts_with(last_token_l, last_token_r) OR starts_with(last_token_r, last_token_l))"
    )


# One name is the other with words added: an owner ("D & H Farms, c/o Hank Dawson"), a barn or permit
# number ("Claude McGaughey, Barn #20"), a trade name or a legal form the key keeps ("Flying S Part").
_NAME_HOLDS_OTHER = (
    "length(name_key_l) >= 5 AND length(name_key_r) >= 5 AND "
    "(contains(' ' || name_key_l || ' ', ' ' || name_key_r || ' ') "
    "OR contains(' ' || name_key_r || ' ', ' ' || name_key_l || ' '))"
)


def _name_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="employer name, normalised",
        comparison_levels=[
            cll.CustomLevel("name_key_l IS NULL OR name_key_r IS NULL").configure(is_null_level=True),
            cll.CustomLevel(
                f"(name_key_l = name_key_r OR sorted_key_l = sorted_key_r) AND {_RARE}",
                "same name (any word order), with a word no other name has",
            ),
            cll.CustomLevel(
                "name_key_l = name_key_r AND name_states_l = 1 AND state_l = state_r",
                "same name, found in this one state only",
            ),
            cll.ExactMatchLevel("name_key"),
            cll.CustomLevel("sorted_key_l = sorted_key_r", "same words, another order"),
            cll.CustomLevel(
                "alt_key_l = name_key_r OR name_key_l = alt_key_r OR alt_key_l = alt_key_r",
                "one's DBA / trade name is the other's name",
            ),
            cll.CustomLevel(_NAME_HOLDS_OTHER, "one name is the other with words added"),
            cll.CustomLevel(_similar_name(0.94), "Jaro-Winkler >= 0.94, both halves alike"),
            cll.CustomLevel(_similar_name(0.88), "Jaro-Winkler >= 0.88, both halves alike"),
            cll.ElseLevel(),
        ],
    )


# A firm that moved often keeps its old street as the mailing address ("100 Pendleton Corp. Mailing: 1000
# Milburn Sch. Rd., Caseyville IL"): the other record's street number and name, as whole words, in this line.
_ADDRESS_HOLDS_STREET = (
    "contains(' ' || street_key_r || ' ', ' ' || street_head_l || ' ') "
    "OR contains(' ' || street_key_l || ' ', ' ' || street_head_r || ' ')"
)


def _location_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    same_place = "(zip5_l = zip5_r OR city_key_l = city_key_r)"
    nowhere = "coalesce(street_key_{0}, city_key_{0}, zip5_{0}, state_{0}) IS NULL"
    return cl.CustomComparison(
        output_column_name="location",
        comparison_description="street, town, ZIP and state together (they are not independent)",
        comparison_levels=[
            cll.CustomLevel(f"{nowhere.format('l')} OR {nowhere.format('r')}").configure(is_null_level=True),
            cll.CustomLevel(
                f"(street_key_l = street_key_r OR street_words_l = street_words_r) AND {same_place}",
                "same street address",
            ),
            cll.CustomLevel(
                f"street_number_l = street_number_r AND jaro_winkler_similarity(street_key_l, street_key_r) >= 0.85 "
                f"AND {same_place}",
                "same street number, street written differently",
            ),
            cll.CustomLevel(
                "length(street_key_l) > 6 AND length(street_key_r) > 6 AND regexp_matches(street_key_l, '[0-9]') "
                "AND (contains(street_key_l, street_key_r) OR contains(street_key_r, street_key_l))",
                "one address line holds the other (an old address kept beside the new one)",
            ),
            cll.CustomLevel(
                _ADDRESS_HOLDS_STREET,
                "one address line holds the other's street number and name (a mailing or old address)",
            ),
            cll.CustomLevel("zip5_l = zip5_r", "same ZIP"),
            # Debarment lists give a town and a state only: for them, the same town is all one can ask.
            cll.CustomLevel(
                "city_key_l = city_key_r AND state_l = state_r AND (street_key_l IS NULL OR street_key_r IS NULL)",
                "same town, no street to compare",
            ),
            cll.CustomLevel("city_key_l = city_key_r AND state_l = state_r", "same town"),
            cll.CustomLevel("zip3_l = zip3_r", "same ZIP area"),
            cll.CustomLevel("state_l = state_r", "same state"),
            cll.ElseLevel(),
        ],
    )


def _distinctive_name_elsewhere():
    """Migratory beekeepers, custom harvesters and range associations file from several states under one
    distinctive name, while a surname and "Farms" in another state is another employer: the one
    interaction the location comparison alone cannot say (its columns are features, so EM trains it)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="distinctive_name_elsewhere",
        comparison_description="the same distinctive name (a word no other name has) in another state",
        comparison_levels=[
            cll.CustomLevel("distinctive_key_l IS NULL OR distinctive_key_r IS NULL").configure(is_null_level=True),
            cll.CustomLevel(
                "distinctive_key_l = distinctive_key_r AND distinctive_state_l IS DISTINCT FROM distinctive_state_r",
                "same distinctive name, another (or no) state",
            ),
            cll.ElseLevel(),
        ],
    )


def _name_within_its_state():
    """The rule for moves within a state: a name no other employer has ("HARASETH BROTHERS"), or found in this one
    state only ("PURE SOCCER", NJ), at another town of that state is the employer moved. The name and location
    comparisons cannot say it: a new town of the same state is weak evidence for a pair (most moves of common
    names are other employers), the name alone does not know the state."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="name_within_its_state",
        comparison_description="the same distinctive (or one-state) name in the same state",
        comparison_levels=[
            # Silent (no evidence either way) for a pair of two states: a move to another state is the other
            # comparisons' to judge, not a point against it here.
            cll.CustomLevel(
                "name_key_l IS NULL OR name_key_r IS NULL OR NOT coalesce(state_l = state_r, false)"
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "distinctive_key_l = distinctive_key_r AND state_l = state_r",
                "same distinctive name (a word no other name has), same state",
            ),
            cll.CustomLevel(
                "name_key_l = name_key_r AND name_states_l = 1 AND state_l = state_r",
                "same name, found in this one state only",
            ),
            cll.ElseLevel(),  # one state, and other names or a name found in other states too ("SMITH FARMS")
        ],
    )


def _same_name_and_agent():
    """The rule for moves: the same name filed by the same agent or attorney (or with the same phone) is one
    employer at a new address. The agent counts only with the name: one attorney files for all the trainers
    at the Belmont Park backstretch address, and a consultancy for hundreds of employers."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    same_name_and_agent = "name_key_l = name_key_r AND (agent_key_l = agent_key_r OR phone_digits_l = phone_digits_r)"
    return cl.CustomComparison(
        output_column_name="name_and_agent",
        comparison_description="the same name, filed by the same agent or attorney or with the same phone",
        comparison_levels=[
            cll.CustomLevel(
                "(agent_key_l IS NULL OR agent_key_r IS NULL) AND (phone_digits_l IS NULL OR phone_digits_r IS NULL)"
            ).configure(is_null_level=True),
            cll.CustomLevel(
                f"{same_name_and_agent} AND state_l = state_r", "same name, same agent or phone, same state"
            ),
            cll.ElseLevel(),
        ],
    )


def _exact(column: str, description: str, *, tf: bool = False):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    exact = cll.ExactMatchLevel(column)
    if tf:
        exact = exact.configure(tf_adjustment_column=column, tf_adjustment_weight=1.0)
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=description,
        comparison_levels=[cll.NullLevel(column), exact, cll.ElseLevel()],
    )


def _industry_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="industry",
        comparison_description="NAICS code prefixes",
        comparison_levels=[
            cll.NullLevel("naics2"),
            cll.ExactMatchLevel("naics4"),
            cll.ExactMatchLevel("naics2"),
            cll.ElseLevel(),
        ],
    )


def settings():
    """The splink settings: comparisons, blocking, the profile id column."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="profile_id",
        comparisons=[
            _name_comparison(),
            _location_comparison(),
            _distinctive_name_elsewhere(),
            _name_within_its_state(),
            _exact("phone_digits", "phone number (digits)", tf=True),
            _same_name_and_agent(),
            _exact("fein_digits", "FEIN"),
            _industry_comparison(),
        ],
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
    )


def train(sample: pa.Table) -> dict:
    """The trained model (splink settings JSON, m probabilities `smoothed`) of these profiles (a
    `training_sample`: profile_id and PROFILE_COLUMNS)."""
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    with in_memory_connection() as con:
        frame = DuckDBAPI(connection=con).register(sample.select(["profile_id", *PROFILE_COLUMNS]))
        linker = Linker(frame, settings(), log_level=logging.ERROR)  # untrained levels are in the summary
        linker.training.estimate_probability_two_random_records_match(
            list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
        )
        with probabilities_floored_while_training():
            linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
            for rule in TRAINING_BLOCKS:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True
                )
        return smoothed(linker.misc.save_model_to_json())


# Profiles the model is trained on, at most. EM materialises every pair of a training block with its
# comparison vector, and those pairs grow with the square of the profiles (at scale 10, ~50 million a block
# filled the disk with spill). A random sample of profiles (fixed by SEED) keeps each pair's chance of being
# drawn, so the estimates stay unbiased; the prediction still scores every profile.
TRAINING_PROFILES = 400_000


def training_sample(con: duckdb.DuckDBPyConnection, profiles: str) -> pa.Table:
    """The profiles of table `profiles` in `con` (profile_id, profile_key, PROFILE_COLUMNS) by id, or
    TRAINING_PROFILES of them drawn at random (the same draw for the same profiles), as Arrow."""
    columns = f"profile_id, profile_key, {', '.join(PROFILE_COLUMNS)}"
    if count_rows(con, profiles) <= TRAINING_PROFILES:
        return con.sql(f"SELECT {columns} FROM {profiles} ORDER BY profile_id").to_arrow_table()
    return con.sql(
        f"SELECT {columns} FROM {profiles} ORDER BY hash(profile_id, {SEED}), profile_id LIMIT {TRAINING_PROFILES}"
    ).to_arrow_table()


# Matched pairs: by the profiles' ids, the smaller on the left (clusters.py, incremental.py, store.py).
PAIRS_BY_ID = "profile_id_l BIGINT, profile_id_r BIGINT, match_probability DOUBLE"
# splink's unique id in a prediction: the profile's rank by profile_key. A pair is scored in the one order of
# its keys (a few comparison levels are not symmetric), which no other record can change (incremental.py keeps
# pairs across runs); as a BIGINT, not the 32-character key, each blocked pair splink writes (at scale 10,
# hundreds of millions) and each matched pair is a quarter of the size.
KEY_RANK = "key_rank"


def predict(
    con: duckdb.DuckDBPyConnection,
    profiles: str,
    trained: dict,
    threshold: float = MATCH_THRESHOLD,
    *,
    into: str,
    only: Sequence[str] | None = None,
    connected: str | None = None,
    taking_part: str | None = None,
    spark=None,
) -> None:
    """Table `into` (PAIRS_BY_ID, in `con`): the pairs of the profiles in table `profiles` at or above
    `threshold` scored by the trained model. The prediction runs in `con` itself, so the profiles and their
    pairs never leave linkage's DuckDB (one memory limit for all of it).

    On DuckDB a pair whose profiles the pairs found so far (and `connected`) already join is not scored
    (`_predict_on_duckdb`): its employers are the same whatever it scores.

    Profiles are compared in the order of their profile_key (the md5 of their features), not of the run's
    profile ids (KEY_RANK).

    Args:
        profiles: a table of profile_id, profile_key, PROFILE_COLUMNS (and any column `only` reads).
        only: per blocking rule (BLOCKING_RULES, in order), an SQL condition on l and r that a pair the rule
            blocks must also meet (incremental prediction, see incremental.py); the term frequencies are still
            those of all `profiles`, so a pair scores as it would in a prediction over all of them.
        connected: a table (profile_id_l, profile_id_r) of pairs known to be one employer before this prediction
            (incremental.py: the pairs it keeps), whose profiles' other pairs need no score.
        taking_part: a condition on a profile (its columns) that both sides of every pair `only` lets through
            meet: the prediction batches are counted over those profiles (an incremental prediction's few blocks
            are one batch).
        spark: a SparkSession: predict on splink's Spark backend (every pair scored).
    """
    con.execute(f"CREATE TABLE {into} ({PAIRS_BY_ID})")
    if count_rows(con, profiles) < 2:
        return
    # Ranked on two columns, then joined: a sort of the whole wide rows grew 25-fold from scale 1 to 10.
    con.execute(
        f"""CREATE TABLE key_ranks AS
            SELECT profile_id, CAST(row_number() OVER (ORDER BY profile_key) AS BIGINT) AS {KEY_RANK} FROM {profiles}"""
    )
    con.execute(
        f"""CREATE TABLE ranked AS
            SELECT p.* EXCLUDE (profile_key), k.{KEY_RANK}, CAST(k.{KEY_RANK} - 1 AS INTEGER) AS {COMPONENT}
            FROM {profiles} AS p JOIN key_ranks AS k USING (profile_id)"""
    )
    con.execute("DROP TABLE key_ranks")
    con.execute(f"CREATE TABLE matched ({KEY_RANK}_l BIGINT, {KEY_RANK}_r BIGINT, match_probability DOUBLE)")
    if spark is not None:
        ranked = con.sql("SELECT * EXCLUDE (profile_id) FROM ranked").to_arrow_table()
        con.register("matched_on_spark", _predict_on_spark(spark, ranked, by_key_rank(trained, only), threshold))
        con.execute("INSERT INTO matched SELECT * FROM matched_on_spark")
        con.unregister("matched_on_spark")
    else:
        _predict_on_duckdb(con, trained, threshold, only, connected, taking_part)
    con.execute(
        f"""INSERT INTO {into}
            SELECT least(l.profile_id, r.profile_id), greatest(l.profile_id, r.profile_id), m.match_probability
            FROM matched m
            JOIN ranked l ON l.{KEY_RANK} = m.{KEY_RANK}_l JOIN ranked r ON r.{KEY_RANK} = m.{KEY_RANK}_r
            ORDER BY 1, 2"""
    )
    con.execute("DROP TABLE matched; DROP TABLE ranked")


def count_rows(con: duckdb.DuckDBPyConnection, table: str, column: str = "*") -> int:
    """Rows of `table` (with a non-null `column` when given)."""
    return con.execute(f"SELECT count({column}) FROM {table}").fetchall()[0][0]  # fetchone leaves the result open


def _predict_on_duckdb(
    con, trained: dict, threshold: float, only: Sequence[str] | None, connected: str | None, taking_part: str | None
) -> None:
    """Predict the `ranked` profiles of `con` into its table `matched`, batch by batch (prediction_batches).

    Between batches the pairs found so far join profiles into components (`ranked.component`), and a later
    batch scores only pairs of two components: a pair inside one decides nothing, since the employers are the
    connected components of the matched pairs (clusters.py). Which pairs are found depends on the batches, not
    the clusters.

    With more than one batch, or any `connected` pair, an anchor pass comes first (`anchored`): each profile is
    scored against the first profile of each of its blocks only, at most a pair per profile and rule. Within one
    employer of n profiles nearly every pair is blocked (its name or its address), and the anchor pass joins most
    of them with about n pairs, so the batches skip their n^2/2 (at scale 10 one employer of the sample has
    thousands of profiles under one name). An incremental prediction (`connected`: the pairs it keeps) needs it
    even in one batch: where the anchor of a big employer is touched, the kept pairs lose the star through it,
    and one pass would score its n^2/2 pairs (25M at scale 10)."""
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    profiles = count_rows(con, "ranked")
    batches = prediction_batches(count_rows(con, f"ranked WHERE {taking_part}") if taking_part else profiles)
    anchor = len(batches) > 1 or bool(connected and count_rows(con, connected))
    if anchor:
        _add_anchors(con)  # before splink reads the table
    db_api = DuckDBAPI(connection=con)
    registered = db_api.register("ranked")
    term_frequencies = {
        column: db_api.register(table) for column, table in _term_frequency_tables(con, trained).items()
    }
    ranks = np.arange(1, profiles + 1, dtype=np.int64)  # KEY_RANK is 1..n
    component = np.arange(profiles, dtype=np.int32)
    if connected:
        component = _joined(con, ranks, component, _connected_by_rank(connected))
    passes = [by_key_rank(trained, _narrowed(only, batch, n or anchor or connected)) for n, batch in enumerate(batches)]
    if anchor:
        passes.insert(0, anchored(by_key_rank(trained, _narrowed(only, None, connected))))
    try:
        for number, model in enumerate(passes):
            started = time.perf_counter()
            linker = Linker(registered, model, log_level=logging.ERROR)
            for column, table in term_frequencies.items():
                linker.table_management.register_term_frequency_lookup(table, column)
            predictions = linker.inference.predict(threshold_match_probability=threshold)
            pairs = f"{KEY_RANK}_l, {KEY_RANK}_r"
            con.execute(f"INSERT INTO matched SELECT {pairs}, match_probability FROM {predictions.physical_name}")
            log.info(
                "prediction pass %d of %d%s: %s pairs matched in %.1f s",
                number + 1,
                len(passes),
                " (anchors)" if anchor and number == 0 else "",
                f"{count_rows(con, predictions.physical_name):,}",
                time.perf_counter() - started,
            )
            if number < len(passes) - 1:
                component = _joined(con, ranks, component, f"SELECT {pairs} FROM {predictions.physical_name}")
            predictions.drop_table_from_database_and_remove_from_cache()
    finally:  # its term-frequency tables and the profiles with them: linkage's connection goes on after it
        db_api.delete_tables_created_by_splink_from_db()
        for table in term_frequencies.values():
            con.execute(f"DROP TABLE IF EXISTS {table.physical_name}")


# The column of `ranked` naming each profile's component of the pairs found so far, and the condition that keeps
# a pair to score only when its profiles are not yet joined.
COMPONENT = "component"
SCORED_ACROSS_COMPONENTS = f"l.{COMPONENT} <> r.{COMPONENT}"


def _narrowed(only: Sequence[str] | None, batch: str | None, skip_joined) -> list[str | None]:
    """Per blocking rule, the condition narrowing it in one pass (None: none)."""
    skip = SCORED_ACROSS_COMPONENTS if skip_joined else None
    return [
        " AND ".join(f"({condition})" for condition in (rule_only, batch, skip) if condition) or None
        for rule_only in (only or [None] * len(BLOCKING_RULES))
    ]


def rule_columns(rule: str) -> list[tuple[str, str]]:
    """The (left column, right column) equalities a blocking rule is made of."""
    pairs = []
    for part in rule.split(" AND "):
        match = _EQUALITY.match(part.strip())
        if not match:
            raise ValueError(f"blocking rule {rule!r}: {part!r} is not of the form l.column = r.column")
        pairs.append((match.group(1), match.group(2)))
    return pairs


_EQUALITY = re.compile(r"^l\.(\w+) = r\.(\w+)$")


def compares_columns_with_themselves(rule: str) -> bool:
    """Whether a blocking rule's blocks are the values of one key (l.x = r.x AND ...), not of two columns
    (l.alt_key = r.name_key)."""
    return all(left == right for left, right in rule_columns(rule))


def _anchor_columns() -> dict[str, str]:
    """Per blocking rule that compares columns with themselves (l.x = r.x AND ...): the `ranked` column holding
    the KEY_RANK of the first profile of each of its blocks."""
    return {
        rule: f"anchor_{number}" for number, rule in enumerate(BLOCKING_RULES) if compares_columns_with_themselves(rule)
    }


def _add_anchors(con: duckdb.DuckDBPyConnection) -> None:
    """The anchor columns of `ranked` (_anchor_columns); NULL for a profile with no key for the rule. Each is
    a group by and a join: window functions over the wide rows took 97 s at scale 10 (5 s at scale 1)."""
    anchors, joins = [], []
    for number, (rule, column) in enumerate(_anchor_columns().items()):
        keys = [left for left, _ in rule_columns(rule)]
        not_null = " AND ".join(f"{key} IS NOT NULL" for key in keys)
        anchors.append(f"a{number}.{column}")
        joins.append(
            f"""LEFT JOIN (SELECT {", ".join(keys)}, min({KEY_RANK}) AS {column} FROM ranked WHERE {not_null}
                GROUP BY ALL) AS a{number} ON {" AND ".join(f"a{number}.{key} = ranked.{key}" for key in keys)}"""
        )
    columns, joined = ", ".join(anchors), " ".join(joins)
    con.execute(f"CREATE OR REPLACE TABLE ranked AS SELECT ranked.*, {columns} FROM ranked {joined}")


def anchored(model: dict) -> dict:
    """`model` (by_key_rank, possibly narrowed) comparing each profile only with the first profile of its block
    (the smallest KEY_RANK; splink's left side has the smaller one), per rule with anchor columns. Any subset
    of the blocked pairs may be scored first, so this changes which pairs are scored, not the employers (see
    _predict_on_duckdb)."""
    anchors = _anchor_columns()
    narrowed = _rule_texts(model["blocking_rules_to_generate_predictions"])
    rules = [
        f"({text}) AND l.{KEY_RANK} = r.{anchors[rule]}"
        for rule, text in zip(BLOCKING_RULES, narrowed, strict=True)
        if rule in anchors
    ]
    if not rules:  # splink compares every pair with every other when given no rule
        raise ValueError("no blocking rule compares columns with themselves: nothing to anchor")
    return {**model, "blocking_rules_to_generate_predictions": rules}


def _connected_by_rank(connected: str) -> str:
    """SQL: the pairs of table `connected` (by profile id) by KEY_RANK."""
    return f"""SELECT l.{KEY_RANK}, r.{KEY_RANK} FROM {connected} AS c
        JOIN ranked AS l ON l.profile_id = c.profile_id_l JOIN ranked AS r ON r.profile_id = c.profile_id_r"""


def _joined(con, ranks: np.ndarray, component: np.ndarray, pairs_sql: str) -> np.ndarray:
    """The components with the pairs of `pairs_sql` (two KEY_RANK columns) joined in, a few million pairs at a
    time (clusters.components_of_pairs), written to `ranked.component` where they changed."""
    before, component = component, components_of_pairs(con, ranks, pairs_sql, component)
    changed = np.flatnonzero(component != before)
    if len(changed):
        con.register("changed_components", pa.table({KEY_RANK: ranks[changed], COMPONENT: component[changed]}))
        con.execute(
            f"""UPDATE ranked SET {COMPONENT} = c.{COMPONENT} FROM changed_components AS c
                WHERE ranked.{KEY_RANK} = c.{KEY_RANK}"""
        )
        con.unregister("changed_components")
    return component


# Profiles on the left side of one DuckDB prediction. splink first writes every blocked pair (two profile
# ranks and the rule) as a table: at scale 10, before the caps on shared blocks (features.BLOCK_MAX_NAMES),
# about 550 million candidate pairs, tens of GB spilled. In batches of the left profile's rank each prediction
# holds a share of them, bounded by the records, not their square (the term frequencies are still those of all
# profiles: a pair scores the same). Each batch also costs about 10 s whatever its size at scale 10 (16 batches
# of 250,000: 232 s; 4 of 1,000,000: 106 s, peak RSS 2.5 GB either way; benchmarks/README.md).
PROFILES_PER_BATCH = 1_000_000


def prediction_batches(profiles: int) -> list[str | None]:
    """A condition on the left profile per prediction batch (one batch: no condition)."""
    batches = -(-profiles // PROFILES_PER_BATCH)
    if batches <= 1:
        return [None]
    return [f"l.{KEY_RANK} % {batches} = {batch}" for batch in range(batches)]


def by_key_rank(trained: dict, only: Sequence[str | None] | None = None) -> dict:
    """The trained model predicting over profile ranks (KEY_RANK), each blocking rule narrowed by its condition
    in `only` (one per rule, None: not narrowed), as splink settings."""
    import copy

    model = copy.deepcopy({key: value for key, value in trained.items() if key != TF_TOTALS})
    model["unique_id_column_name"] = KEY_RANK
    if only:
        rules = _rule_texts(model["blocking_rules_to_generate_predictions"])
        model["blocking_rules_to_generate_predictions"] = [
            f"({rule}) AND ({condition})" if condition else rule for rule, condition in zip(rules, only, strict=True)
        ]
    return model


def _rule_texts(rules: list) -> list[str]:
    return [rule["blocking_rule"] if isinstance(rule, dict) else rule for rule in rules]


# The key of a trained model holding, per term-frequency column, the number of profiles with a value when it was
# trained: the denominator of the column's term frequencies (`with_tf_totals`).
TF_TOTALS = "term_frequency_totals"


def with_tf_totals(trained: dict, con: duckdb.DuckDBPyConnection, profiles: str) -> dict:
    """The trained model with its term frequencies' denominators: the profiles of table `profiles` with a value.

    splink divides a value's count by the profiles with a value *now*, so one new phone would change the score of
    every pair of equal phones, and an incremental run would score them all again (at scale 10 most pairs of
    multi-profile employers). As part of the model, like the u probabilities, the denominator stays until a full
    relink; a value's count is still today's (incremental.py scores again the profiles whose value's count
    changed), and a full relink renews it, so a full prediction scores exactly as splink does."""
    return {**trained, TF_TOTALS: {column: count_rows(con, profiles, column) for column in tf_columns(trained)}}


def _term_frequency_tables(con: duckdb.DuckDBPyConnection, trained: dict) -> dict[str, str]:
    """Per term-frequency column, a table (column, tf_column) of `ranked`'s values: a value's profiles over the
    model's denominator (with_tf_totals; today's count for a model without). Returns the tables' names."""
    totals = trained.get(TF_TOTALS, {})
    tables = {}
    for column in tf_columns(trained):
        total = totals.get(column) or count_rows(con, "ranked", column)
        tables[column] = f"term_frequencies_{column}"
        con.execute(
            f"""CREATE OR REPLACE TABLE {tables[column]} AS
                SELECT {column}, CAST(count(*) AS DOUBLE) / {total} AS tf_{column}
                FROM ranked WHERE {column} IS NOT NULL GROUP BY {column}"""
        )
    return tables


def tf_columns(trained: dict) -> list[str]:
    """The columns whose term frequencies (share of profiles with the value) enter a pair's score."""
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in trained.get("comparisons", [])
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


PROFILES_PER_PARTITION = 2_000


def _predict_on_spark(spark, profiles: pa.Table, trained: dict, threshold: float) -> pa.Table:
    """The pairs (by KEY_RANK) at or above `threshold`, predicted by splink's Spark backend with the trained
    model."""
    from splink import Linker
    from splink.backends.spark import SparkAPI

    _use_compiled_spark_generator()
    # Intermediate tables (blocked pairs, comparison vectors) are written as Parquet, in partitions of a
    # size the driver holds: about one per 2,000 profiles (splink divides this for its smaller tables).
    partitions = max(int(spark.conf.get("spark.default.parallelism")), profiles.num_rows // PROFILES_PER_PARTITION)
    db_api = SparkAPI(spark_session=spark, break_lineage_method="parquet", num_partitions_on_repartition=partitions)
    frame = db_api.register(spark.createDataFrame(profiles))
    linker = Linker(frame, for_spark(trained), log_level=logging.ERROR)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    columns = [f"{KEY_RANK}_l", f"{KEY_RANK}_r", "match_probability"]
    rows = predictions.as_spark_dataframe().select(*columns).collect()
    return pa.table({column: [row[column] for row in rows] for column in columns})


def _use_compiled_spark_generator() -> None:
    """splink's Spark backend writes its SQL through `CustomSpark`, a subclass of sqlglot's Spark SQL
    generator that only adds a shorter spelling of double literals. dagster-dbt installs sqlglot's
    compiled build (sqlglotc), whose generator classes Python cannot subclass ("interpreted classes
    cannot inherit from compiled"), so the subclass is swapped for sqlglot's own Spark generator: the
    same SQL, with `CAST(0.5 AS DOUBLE)` for `0.5D`."""
    from splink.internals.spark.spark_helpers.custom_spark_dialect import CustomSpark
    from sqlglot.dialects import Spark

    CustomSpark.generator_class = Spark.generator_class


# DuckDB functions the comparisons use -> the functions splink registers on Spark (its Scala jar).
_SPARK_FUNCTIONS = {"jaro_winkler_similarity": "jaro_winkler"}


def for_spark(model: dict) -> dict:
    """A trained model (DuckDB SQL) with every condition and blocking rule in Spark SQL, parameters unchanged."""
    import copy
    import re

    import sqlglot

    def translate(sql: str) -> str:
        if sql.strip().upper() == "ELSE":
            return sql
        for duckdb_name, spark_name in _SPARK_FUNCTIONS.items():
            sql = re.sub(rf"\b{duckdb_name}\s*\(", f"{spark_name}(", sql, flags=re.IGNORECASE)
        return sqlglot.transpile(sql, read="duckdb", write="spark")[0]

    model = copy.deepcopy(model)
    model["sql_dialect"] = "spark"
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = translate(level["sql_condition"])
    rules = model.get("blocking_rules_to_generate_predictions", [])
    for i, rule in enumerate(rules):
        if isinstance(rule, dict):
            rule["blocking_rule"] = translate(rule["blocking_rule"])
            rule["sql_dialect"] = "spark"
        else:
            rules[i] = translate(rule)
    return model


@contextmanager
def probabilities_floored_while_training() -> Iterator[None]:
    """While training, an m or u probability that EM drives below splink's minimum (1e-300) is set to that
    minimum instead of stopping the build.

    splink 5.0.0 raises as soon as a level's m or u is set below 1e-300, also when its own EM sets it: a
    level almost never seen among matches then stops linkage ("m_probability value 3.5e-323 is below the
    minimum allowed value", seen when a re-issued file dropped 60 % of WHD cases). Such a level's m is
    effectively zero, which `smoothed` floors at M_FLOOR after training anyway; the setters are
    wrapped for the training only and restored after.
    """
    from splink.internals.comparison_level import M_U_CLAMP_MIN, ComparisonLevel

    originals = {name: getattr(ComparisonLevel, name) for name in ("m_probability", "u_probability")}

    def floored(prop: property) -> property:
        def setter(level, value):
            is_number = isinstance(value, float | int) and not isinstance(value, bool)
            prop.fset(level, max(value, M_U_CLAMP_MIN) if is_number else value)

        return property(prop.fget, setter)

    for name, prop in originals.items():
        setattr(ComparisonLevel, name, floored(prop))
    try:
        yield
    finally:
        for name, prop in originals.items():
            setattr(ComparisonLevel, name, prop)


def smoothed(model: dict) -> dict:
    """The trained model with every m probability at least `M_FLOOR` (then renormalised per comparison).

    EM sets m to 0 for a level it never saw among matches (a NAICS code or FEIN that differs, when the
    training data happens to hold no such match). A zero m would let that one level veto a match
    against all other evidence; real employers do change codes and numbers. The floor keeps such a
    level a strong penalty (about -7 bits), not an absolute one. Untrained levels are left to splink.
    """
    for comparison in model["comparisons"]:
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        trained = [lvl for lvl in levels if lvl.get("m_probability") is not None]
        for level in trained:
            level["m_probability"] = max(level["m_probability"], M_FLOOR)
        total = sum(level["m_probability"] for level in trained)
        for level in trained:
            level["m_probability"] /= total
    return model


def model_summary(settings_dict: dict) -> dict:
    return {
        "probability_two_random_records_match": settings_dict.get("probability_two_random_records_match"),
        "comparisons": {
            c["output_column_name"]: [
                {
                    "level": level.get("label_for_charts") or level.get("sql_condition"),
                    "m": level.get("m_probability"),
                    "u": level.get("u_probability"),
                }
                for level in c["comparison_levels"]
                if not level.get("is_null_level")
            ]
            for c in settings_dict["comparisons"]
        },
    }
