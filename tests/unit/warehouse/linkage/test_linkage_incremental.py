"""Issue #27: incremental linkage. Records added (and records whose features moved with them) are linked
against the profiles of the last run with its stored model; the result equals a prediction of every pair
of all records with that same model. A changed model setting, overrides or `--relink` relinks in full."""

from __future__ import annotations

import dataclasses
import json

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tests.unit.warehouse.linkage.same_links import pairs_by_key
from warehouse.linkage import Override, link_records
from warehouse.linkage import incremental as incremental_module
from warehouse.linkage import model as model_module
from warehouse.linkage.evaluation_runs import REAL_RECORDS, read_real_records
from warehouse.linkage.incremental import FULL, INCREMENTAL, KnownLinkage
from warehouse.linkage.store import read_known, save

HELD_BACK_EVERY = 50  # every 50th record (2 %) is new to the second run


@pytest.fixture(scope="module")
def records() -> pa.Table:
    """Real H-2A employer records (FY2012 and FY2016 files), with phones: the term-frequency adjusted column."""
    return read_real_records(REAL_RECORDS)


@pytest.fixture(scope="module")
def first_run(records):
    held_back = pa.array([i % HELD_BACK_EVERY == 7 for i in range(records.num_rows)])
    return link_records(records.filter(pc.invert(held_back)))


def _same_model_nothing_known(known: KnownLinkage) -> KnownLinkage:
    """The stored model with no stored profile or pair: every profile is new, every pair predicted."""
    return KnownLinkage.of(
        known.profiles.slice(0, 0), known.pairs.slice(0, 0), known.model, known.settings_digest, known.overrides_digest
    )


def test_incremental_linkage_equals_a_full_prediction_with_the_same_model(records, first_run):
    assert first_run.summary["mode"] == FULL and first_run.summary["mode_reason"] == "no stored model"
    incremental = link_records(records, known=first_run.known)
    full = link_records(records, known=_same_model_nothing_known(first_run.known))

    assert incremental.summary["mode"] == INCREMENTAL
    assert full.summary["pairs_kept"] == 0 and full.summary["profiles_touched"] == full.summary["profiles"]
    # Incremental: most profiles untouched, most pairs kept. More profiles have a phone now, but a phone's term
    # frequency is its count over the model's denominator: only the pairs of phones whose count moved are scored.
    assert 0 < incremental.summary["profiles_new"] < incremental.summary["profiles"] // 10
    assert incremental.summary["profiles_touched"] < incremental.summary["profiles"] // 4
    assert incremental.summary["pairs_kept"] > incremental.summary["pairs_predicted"] > 0
    phones_then = first_run.known.model[model_module.TF_TOTALS]["phone_digits"]
    assert incremental.known.model[model_module.TF_TOTALS]["phone_digits"] == phones_then
    assert full.known.profiles.filter(pc.is_valid(full.known.profiles["phone_digits"])).num_rows > phones_then

    assert_same_employers_fewer_pairs(incremental, full)
    assert incremental.summary["matched_pairs"] <= full.summary["matched_pairs"], "joined pairs are not scored"


def test_incremental_linkage_in_batches_finds_the_employers_of_a_full_prediction(records, monkeypatch):
    """With several prediction batches each run leaves pairs its earlier batches joined unscored, the stored pairs
    join some profiles only through others; the incremental run scores again inside every component that lost
    a pair, and finds the employers of a full prediction."""
    monkeypatch.setattr(model_module, "PROFILES_PER_BATCH", 1_500)
    held_back = pa.array([i % HELD_BACK_EVERY == 7 for i in range(records.num_rows)])
    first = link_records(records.filter(pc.invert(held_back)))
    assert len(model_module.prediction_batches(first.summary["profiles"])) > 3
    incremental = link_records(records, known=first.known)
    full = link_records(records, known=_same_model_nothing_known(first.known))
    assert incremental.summary["mode"] == INCREMENTAL and incremental.summary["components_rechecked"] > 0
    assert incremental.employer_of() == full.employer_of()
    # Each run found its own pairs (which depend on its batches); a pair both found scores the same.
    found, also = pairs_by_key(incremental.known), pairs_by_key(full.known)
    assert max(abs(found[k] - also[k]) for k in found.keys() & also.keys()) <= 1e-9


def _one_employer(naics_codes: list[str]) -> pa.Table:
    """Records of one orchard at one address, a profile each (their NAICS codes differ in four digits)."""
    count = len(naics_codes)
    same = lambda value: pa.array([value] * count, pa.string())  # noqa: E731
    return pa.table(
        {
            "source": same("h2a"),
            "record_id": [f"A-{code}" for code in naics_codes],
            "role": same("employer"),
            "employer_name": same("QUILLAYUTE ORCHARDS LLC"),
            "alternate_name": same(None),
            "street_address": same("1200 RIVER RD"),
            "city": same("WENATCHEE"),
            "state_code": same("WA"),
            "zip_code": same("98801"),
            "phone": same(None),
            "naics_code": pa.array(naics_codes, pa.string()),
            "fein": same(None),
            "agent_key": same(None),
            "record_date": pa.array([None] * count, pa.date32()),
        }
    )


def test_a_pair_left_unscored_is_scored_when_the_profile_joining_it_is_gone(first_run):
    """The last run stored A-B and B-C and left A-C unscored (B joined them). B's record is gone: A-C is scored now,
    and A and C stay one employer, as a full prediction finds."""
    no_phones = {**first_run.known.model, model_module.TF_TOTALS: {"phone_digits": 0}}  # the model of these records
    nothing_known = _same_model_nothing_known(dataclasses.replace(first_run.known, model=no_phones))
    last = link_records(_one_employer(["111331", "111421", "115115"]), known=nothing_known).known
    profile = {row["naics4"]: row["profile_id"] for row in last.profiles.to_pylist()}
    a, c = sorted((profile["1113"], profile["1151"]))
    assert len(profile) == len(last.pairs) == 3, "three profiles, matched pairwise"
    unscored = pc.and_(pc.equal(last.pairs["profile_id_l"], a), pc.equal(last.pairs["profile_id_r"], c))
    known = KnownLinkage.of(
        last.profiles, last.pairs.filter(pc.invert(unscored)), last.model, last.settings_digest, last.overrides_digest
    )
    without_b = _one_employer(["111331", "115115"])
    again = link_records(without_b, known=known)
    assert again.summary["mode"] == INCREMENTAL and again.summary["components_rechecked"] == 1
    assert again.summary["pairs_predicted"] == 1
    assert len(set(again.employer_of().values())) == 1
    assert again.employer_of() == link_records(without_b, known=nothing_known).employer_of()


def assert_same_employers_fewer_pairs(got, expected) -> None:
    """The same employer for every record; the pairs found are pairs the other found too, scored the same."""
    assert got.employer_of() == expected.employer_of()
    found, everything = pairs_by_key(got.known), pairs_by_key(expected.known)
    assert found.keys() <= everything.keys()
    assert max(abs(found[k] - everything[k]) for k in found) <= 1e-9


def test_the_same_records_again_predict_nothing(records, first_run):
    """No record changed: every pair is kept as it was, none scored again."""
    kept = first_run.links.num_rows
    again = link_records(_first_records(records, first_run), known=first_run.known)
    assert again.links.num_rows == kept
    assert again.summary["mode"] == INCREMENTAL
    assert again.summary["profiles_touched"] == again.summary["pairs_predicted"] == 0
    assert pairs_by_key(again.known) == pairs_by_key(first_run.known)
    assert again.employer_of() == first_run.employer_of()


def _first_records(records: pa.Table, first_run) -> pa.Table:
    linked = set(first_run.employer_of())
    keys = [f"{s}:{r}" for s, r in zip(records["source"].to_pylist(), records["record_id"].to_pylist(), strict=True)]
    return records.filter(pa.array([k in linked for k in keys]))


@pytest.fixture
def no_training(monkeypatch, first_run):
    """Training replaced by the stored model: these tests are about when a run relinks in full."""
    trained = []
    monkeypatch.setattr(incremental_module, "train", lambda profiles: trained.append(1) or first_run.known.model)
    return trained


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"known": "settings"}, "the model's settings, blocking rules, threshold or features changed"),
        ({"threshold": 0.95}, "the model's settings, blocking rules, threshold or features changed"),
        ({"overrides": "one more"}, "the overrides changed"),
        ({"relink": True}, "relink asked (--relink)"),
    ],
)
def test_a_changed_setting_overrides_or_relink_relinks_in_full(records, first_run, no_training, change, reason):
    subset = _first_records(records, first_run).slice(0, 3_000)
    known = dataclasses.replace(first_run.known, copy_tables=_stored_tables_not_needed)
    options = {"known": known}
    if change.get("known") == "settings":
        options["known"] = dataclasses.replace(known, settings_digest="a digest of other settings")
    if "threshold" in change:
        options["threshold"] = change["threshold"]
    if "overrides" in change:
        a, b = (f"{r['source']}:{r['record_id']}" for r in subset.slice(0, 2).to_pylist())
        options["overrides"] = [Override("cannot_link", a, b, "test")]
    if "relink" in change:
        options["relink"] = True
    result = link_records(subset, **options)
    assert (result.summary["mode"], result.summary["mode_reason"]) == (FULL, reason)
    assert no_training == [1], "the model was trained again"
    assert result.summary["pairs_kept"] == 0
    assert result.summary["profiles_touched"] == result.summary["profiles"]


def test_a_model_whose_phone_denominator_drifted_relinks_in_full(records, first_run, no_training):
    """A phone's term frequency is its count over the profiles with a phone when the model was trained: once
    today's profiles with a phone differ from that by more than TF_TOTALS_DRIFT, the model is trained again."""
    subset = _first_records(records, first_run).slice(0, 3_000)
    known = dataclasses.replace(first_run.known, copy_tables=_stored_tables_not_needed)
    result = link_records(subset, known=known)
    assert result.summary["mode"] == FULL and no_training == [1]
    assert result.summary["mode_reason"].startswith("the profiles with a phone_digits changed by ")
    with_phone = result.known.profiles.filter(pc.is_valid(result.known.profiles["phone_digits"])).num_rows
    assert result.known.model[model_module.TF_TOTALS] == {"phone_digits": with_phone}
    assert with_phone < first_run.known.model[model_module.TF_TOTALS]["phone_digits"] * 0.9


def _stored_tables_not_needed(*_):
    raise AssertionError("a full relink read the stored profiles and pairs")


def test_the_run_stores_its_mode_counts_and_what_it_knew(records, first_run, tmp_path):
    db = tmp_path / "build.duckdb"
    save(db, first_run, run_id="first")
    known = read_known(db)
    assert known.settings_digest == first_run.known.settings_digest
    assert known.overrides_digest == first_run.known.overrides_digest
    assert known.model == json.loads(json.dumps(first_run.known.model))
    assert pairs_by_key(known) == pairs_by_key(first_run.known)
    assert known.profiles.num_rows == first_run.summary["profiles"]

    second = link_records(records, known=known)
    save(db, second, run_id="second")
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT run_id, summary_json FROM linkage.runs").fetchall()
    runs = {run: json.loads(summary) for run, summary in rows}
    assert runs["first"]["mode"] == FULL and runs["second"]["mode"] == INCREMENTAL
    assert runs["second"]["mode_reason"] == "stored model and digests unchanged"
    for count in ("profiles_new", "profiles_vanished", "profiles_touched", "pairs_kept", "pairs_predicted"):
        assert runs["second"][count] == second.summary[count]
    assert pairs_by_key(read_known(db)) == pairs_by_key(second.known)


def test_nothing_known_before_a_first_run(tmp_path):
    assert read_known(tmp_path / "build.duckdb") is None


def test_the_blocks_with_work_hold_every_pair_to_score_and_few_others(records):
    """The incremental prediction narrows each blocking rule to the blocks holding a pair to score, by a flag on
    each side (so DuckDB filters before the join). Every pair the rule and the pair condition select is still
    selected, and most of the rule's other pairs are not."""
    from warehouse.linkage.blocks import profiles_of

    profiles = profiles_of(records)
    ids = pa.array(range(profiles.num_rows), pa.int64())
    touched = pa.array([i % 40 == 3 for i in range(profiles.num_rows)])  # 2.5 %
    broken = pa.array([i // 3 if i % 97 < 3 else None for i in range(profiles.num_rows)], pa.int64())
    flagged = profiles.append_column("profile_id", ids).append_column("touched", touched)
    flagged = flagged.append_column("broken", broken)
    scored = "(l.touched OR r.touched OR l.broken = r.broken)"
    with duckdb.connect() as con:
        con.execute("CREATE TABLE flagged AS SELECT * FROM flagged")
        in_blocks = incremental_module._flag_blocks_with_work(con, "flagged")
        all_blocked = still_blocked = 0
        for rule, condition in zip(model_module.BLOCKING_RULES, in_blocks, strict=True):

            def pairs(where: str, rule=rule) -> set:
                query = f"SELECT l.profile_id, r.profile_id FROM flagged l JOIN flagged r ON {rule} WHERE {where}"
                return set(con.execute(f"{query} AND l.profile_id <> r.profile_id").fetchall())

            needed, blocked = pairs(scored), pairs(condition)
            assert needed <= blocked, rule
            assert blocked <= pairs("true"), rule
            all_blocked, still_blocked = all_blocked + len(pairs("true")), still_blocked + len(blocked)
        assert still_blocked < all_blocked / 5  # 8 % here
        in_some_block = con.execute(f"SELECT count(*) FROM flagged WHERE {incremental_module.IN_A_BLOCK_WITH_WORK}")
        assert 0 < in_some_block.fetchall()[0][0] < profiles.num_rows
