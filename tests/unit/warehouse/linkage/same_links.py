"""Two linkage results of the same records, compared as a rerun may differ: the same employer for every
record and the same matched pairs, probabilities to the last bits splink's threads may add in another
order (as tests/integration/test_same_inputs_build_the_same_warehouse.py allows)."""

from __future__ import annotations

import pytest

RECORD = ["source", "record_id", "employer_id"]
PAIR = ["profile_key_l", "profile_key_r"]


def assert_same_links(got, expected) -> None:
    assert got.links.select(RECORD).equals(expected.links.select(RECORD))
    assert got.links["match_probability"].to_numpy() == pytest.approx(
        expected.links["match_probability"].to_numpy(), abs=1e-9
    )
    got_pairs, expected_pairs = (_by_key(result.known.pairs) for result in (got, expected))
    assert got_pairs.keys() == expected_pairs.keys()
    assert list(got_pairs.values()) == pytest.approx([expected_pairs[key] for key in got_pairs], abs=1e-9)


def _by_key(pairs) -> dict[tuple[str, str], float]:
    keys = zip(*(pairs[column].to_pylist() for column in PAIR), strict=True)
    return dict(zip(keys, pairs["match_probability"].to_pylist(), strict=True))
