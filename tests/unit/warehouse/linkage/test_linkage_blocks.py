"""Issue #27: the largest prediction blocks, measured per blocking rule; an association's phone blocks nothing."""

from __future__ import annotations

import itertools
import random

import pyarrow as pa
import pytest

from warehouse.linkage.blocks import measure, profiles_of
from warehouse.linkage.features import PHONE_BLOCK_MAX_NAMES, PROFILE_COLUMNS
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


def _record(i: int, name: str, phone: str) -> dict:
    return {
        "source": "h2a",
        "record_id": str(i),
        "role": "employer",
        "employer_name": name,
        "alternate_name": None,
        "street_address": f"{i} Main St",
        "city": f"Town {i}",
        "state_code": "NC",
        "zip_code": f"{27000 + i}",
        "phone": phone,
        "naics_code": None,
        "fein": None,
        "record_date": None,
    }


def test_a_phone_shared_by_many_names_blocks_no_pairs():
    association, own = "9105550100", "9105550199"
    members = [_record(i, f"Member {chr(65 + i % 26)}{i} Farms", association) for i in range(PHONE_BLOCK_MAX_NAMES + 1)]
    employer = [_record(100 + i, "Quillback Orchards", own) for i in range(3)]
    profiles = profiles_of(pa.Table.from_pylist(members + employer))
    blocks = {m.rule: m for m in measure(profiles, top=5)}["l.phone_block = r.phone_block"]
    assert [(b.key, b.profiles) for b in blocks.largest] == [(own, 3)]
    phones = profiles.select(["phone_digits", "phone_block"]).to_pylist()
    assert {p["phone_digits"] for p in phones if p["phone_block"] is None} == {association}
