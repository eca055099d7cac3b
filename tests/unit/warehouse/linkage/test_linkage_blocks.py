"""Issue #27: the largest prediction blocks, measured per blocking rule; a key many names share blocks nothing."""

from __future__ import annotations

import itertools
import random

import pyarrow as pa
import pytest

from warehouse.linkage.blocks import measure, profiles_of
from warehouse.linkage.features import BLOCK_MAX_NAMES, BLOCK_MAX_STATES, PROFILE_COLUMNS
from warehouse.linkage.model import BLOCKING_RULES, rule_columns


def _random_profiles(seed: int, rows: int = 300) -> pa.Table:
    rng = random.Random(seed)
    values = {column: [rng.choice(["A", "B", "C", "D", None]) for _ in range(rows)] for column in PROFILE_COLUMNS}
    return pa.table({column: pa.array(values[column], pa.string()) for column in PROFILE_COLUMNS})


def _pairs_by_counting(rows: list[dict], rule: str) -> int:
    """Ordered (l, r) pairs of distinct rows meeting the rule, halved when the rule is symmetric."""
    columns = rule_columns(rule)
    meets = sum(
        all(left[lc] is not None and left[lc] == right[rc] for lc, rc in columns)
        for left, right in itertools.permutations(rows, 2)
    )
    return meets // 2 if all(lc == rc for lc, rc in columns) else meets


@pytest.mark.parametrize("seed", [1, 2])
def test_comparisons_per_rule_equal_a_count_of_the_pairs(seed):
    profiles = _random_profiles(seed)
    rows = profiles.to_pylist()
    measured = measure(profiles, top=2)
    assert [m.rule for m in measured] == list(BLOCKING_RULES)
    for rule in measured:
        assert rule.comparisons == _pairs_by_counting(rows, rule.rule), rule.rule
        largest = [b.comparisons for b in rule.largest]
        assert largest == sorted(largest, reverse=True) and len(largest) <= 2


def _record(
    i: int, name: str, phone: str, *, city: str | None = None, trade_name: str | None = None, state: str = "NC"
) -> dict:
    return {
        "source": "h2a",
        "record_id": str(i),
        "role": "employer",
        "employer_name": name,
        "alternate_name": trade_name,
        "street_address": f"{i} Main St",
        "city": city or f"Town {i}",
        "state_code": state,
        "zip_code": f"{27000 + i}",
        "phone": phone,
        "naics_code": None,
        "fein": None,
        "record_date": None,
    }


def _blocks_and_keys(records: list[dict], rule: str, key: str, column: str):
    profiles = profiles_of(pa.Table.from_pylist(records))
    blocks = {m.rule: m for m in measure(profiles, top=5)}[rule]
    unblocked = {p[key] for p in profiles.select([key, column]).to_pylist() if p[key] is not None and p[column] is None}
    return [(b.key, b.profiles) for b in blocks.largest], unblocked


def test_a_phone_shared_by_many_names_blocks_no_pairs():
    association, own = "9105550100", "9105550199"
    members = [_record(i, f"Member {chr(65 + i % 26)}{i} Farms", association) for i in range(BLOCK_MAX_NAMES + 1)]
    employer = [_record(100 + i, "Quillback Orchards", own) for i in range(3)]
    rule = "l.phone_block = r.phone_block"
    largest, unblocked = _blocks_and_keys(members + employer, rule, "phone_digits", "phone_block")
    assert largest == [(own, 3)] and unblocked == {association}


def test_a_trade_name_shared_by_many_names_blocks_no_pairs():
    """'SUNRISE FARMS' as the trade name of many employers says nothing; a trade name of one does."""
    many = range(BLOCK_MAX_NAMES + 1)
    generic = [_record(i, f"Grower{i} LLC", f"91055{i:05d}", trade_name="Sunrise Farms") for i in many]
    own = [_record(100 + i, "Quillback Holdings", f"91056{i:05d}", trade_name="Quillback Orchards") for i in range(3)]
    named = [_record(200, "Sunrise Farms", "9105700000"), _record(201, "Quillback Orchards", "9105700001")]
    largest, unblocked = _blocks_and_keys(generic + own + named, "l.alt_block = r.alt_block", "alt_key", "alt_block")
    assert largest == [("QUILLBACK ORCHARDS", 3)] and unblocked == {"SUNRISE FARMS"}
    largest, _ = _blocks_and_keys(generic + own + named, "l.alt_block = r.name_key", "alt_key", "alt_block")
    assert largest == [("QUILLBACK ORCHARDS", 4)]  # 3 trade names and one name: 3 pairs


@pytest.mark.parametrize(("word", "name"), [("town_first_block", "Sunrise {} Farms"), ("town_last_block", "{} Farms")])
def test_a_word_shared_by_many_names_of_one_town_blocks_no_pairs(word, name):
    """Hundreds of names ending in 'FARMS' in one town block nothing; in the next town, a handful still do."""
    many = range(BLOCK_MAX_NAMES + 1)
    crowded = [_record(i, name.format(f"Grower{i}"), f"91055{i:05d}", city="Mesa City") for i in many]
    few = [_record(100 + i, name.format(f"Grower{i}"), f"91056{i:05d}", city="Lone Pine") for i in range(3)]
    rule = next(r for r in BLOCKING_RULES if word in r)
    largest, unblocked = _blocks_and_keys(crowded + few, rule, "city_key", word)
    assert [profiles for _, profiles in largest] == [3] and unblocked == {"MESA CITY"}


def test_a_name_found_in_many_states_blocks_within_each_state():
    """'Smith Farms' in more than BLOCK_MAX_STATES states is many employers: its pairs across states are not
    compared; a name in a few states still is (an employer that moved)."""
    states = ["NC", "GA", "FL", "TX", "CA", "WA"][: BLOCK_MAX_STATES + 1]
    common = [_record(i, "Smith Farms", f"91055{i:05d}", state=state) for i, state in enumerate(states * 2)]
    moved = [
        _record(100 + i, "Quillback Orchards", f"91056{i:05d}", state=state) for i, state in enumerate(["NC", "GA"])
    ]
    profiles = profiles_of(pa.Table.from_pylist(common + moved))
    for rule, quillback in [
        ("l.name_block = r.name_block", "QUILLBACK ORCHARDS"),
        ("l.sorted_block = r.sorted_block", "ORCHARDS QUILLBACK"),
    ]:
        blocks = {m.rule: m for m in measure(profiles, top=10)}[rule]
        assert blocks.comparisons == len(states) + 1, rule  # a pair per state of Smith Farms, one of Quillback
        assert (quillback, 2) in [(b.key, b.profiles) for b in blocks.largest], rule
