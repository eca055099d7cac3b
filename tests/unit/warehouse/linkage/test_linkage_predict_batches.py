"""Linkage's working set is bounded at scale: a large prediction runs in batches of the left profile
(model.prediction_batches), so DuckDB never holds every blocked pair at once, and the employers are those of
one prediction over all profiles (a later batch scores no pair the pairs found so far join); the model trains
on a fixed random sample of at most TRAINING_PROFILES profiles (model.training_sample)."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from sources.common.duckdb_memory import in_memory_connection
from tests.unit.warehouse.linkage.same_links import pairs_by_key
from warehouse.linkage import link_records
from warehouse.linkage import model as model_module
from warehouse.linkage.evaluation_runs import read_real_records
from warehouse.linkage.features import PROFILE_COLUMNS
from warehouse.linkage.model import BLOCKING_RULES, KEY_RANK

RECORDS = 6_000  # real H-2A records: a few thousand profiles


def test_a_prediction_in_batches_equals_one_over_all_profiles(monkeypatch):
    records = read_real_records().slice(0, RECORDS)
    whole = link_records(records)
    assert model_module.prediction_batches(whole.summary["profiles"]) == [None]

    monkeypatch.setattr(model_module, "PROFILES_PER_BATCH", 700)
    batches = model_module.prediction_batches(whole.summary["profiles"])
    assert len(batches) > 3
    batched = link_records(records)

    # The same employers; a later batch leaves unscored the pairs the earlier batches joined.
    assert batched.employer_of() == whole.employer_of()
    found, everything = pairs_by_key(batched.known), pairs_by_key(whole.known)
    assert found.keys() < everything.keys()
    assert max(abs(found[k] - everything[k]) for k in found) <= 1e-9


def test_the_model_trains_on_a_fixed_random_sample_of_many_profiles(monkeypatch):
    records = read_real_records().slice(0, RECORDS)
    whole = link_records(records)
    profiles = whole.known.profiles
    with in_memory_connection() as con:
        con.register("profiles", profiles)
        assert model_module.training_sample(con, "profiles").equals(profiles)  # all of them, by id

        monkeypatch.setattr(model_module, "TRAINING_PROFILES", profiles.num_rows // 2)
        sample = model_module.training_sample(con, "profiles")
        assert sample.num_rows == profiles.num_rows // 2
        assert model_module.training_sample(con, "profiles").equals(sample)  # the same draw every time
    assert set(sample["profile_key"].to_pylist()) < set(profiles["profile_key"].to_pylist())

    # A model trained on half the profiles still finds nearly every pair the whole-data model finds.
    sampled = link_records(records)
    found, expected = set(pairs_by_key(sampled.known)), set(pairs_by_key(whole.known))
    assert len(found & expected) / len(found | expected) >= 0.9


def test_the_anchor_pass_pairs_each_profile_with_the_first_profile_of_each_of_its_blocks():
    rng = random.Random(27)
    rows = [
        {column: rng.choice(["A", "B", "C", None]) for column in PROFILE_COLUMNS} | {KEY_RANK: rank}
        for rank in range(1, 120)
    ]
    with in_memory_connection() as con:
        con.register("rows", pa.Table.from_pylist(rows))
        con.execute("CREATE TABLE ranked AS SELECT * FROM rows")
        model_module._add_anchors(con)
        anchored = model_module.anchored({"blocking_rules_to_generate_predictions": list(BLOCKING_RULES)})
        rules = anchored["blocking_rules_to_generate_predictions"]
        self_rules = [rule for rule in BLOCKING_RULES if all(a == b for a, b in model_module.rule_columns(rule))]
        assert len(rules) == len(self_rules) < len(BLOCKING_RULES)  # not l.alt_key = r.name_key
        for rule, text in zip(self_rules, rules, strict=True):
            pairs = f"SELECT l.{KEY_RANK}, r.{KEY_RANK} FROM ranked l JOIN ranked r ON {text}"
            assert set(con.execute(f"{pairs} AND l.{KEY_RANK} < r.{KEY_RANK}").fetchall()) == _anchor_pairs(rows, rule)


def _anchor_pairs(rows: list[dict], rule: str) -> set[tuple[int, int]]:
    """(first profile of the block, profile) for every other profile of each block of `rule`, by counting."""
    columns = [left for left, _ in model_module.rule_columns(rule)]
    blocks: dict[tuple, list[int]] = {}
    for row in rows:
        if all(row[column] is not None for column in columns):
            blocks.setdefault(tuple(row[column] for column in columns), []).append(row[KEY_RANK])
    return {(min(ranks), rank) for ranks in blocks.values() for rank in ranks if rank != min(ranks)}


def test_an_anchor_pass_without_rules_is_refused_not_run_over_every_pair(monkeypatch):
    monkeypatch.setattr(model_module, "BLOCKING_RULES", ("l.alt_key = r.name_key",))
    with pytest.raises(ValueError, match="nothing to anchor"):
        model_module.anchored({"blocking_rules_to_generate_predictions": ["l.alt_key = r.name_key"]})
