"""Two linkage results of the same records, compared as a rerun may differ: the same employer for every
record and the same matched pairs, probabilities to the last bits splink's threads may add in another
order (as tests/integration/test_same_inputs_build_the_same_warehouse.py allows)."""

from __future__ import annotations

import pytest

RECORD = ["source", "record_id", "employer_id"]


def assert_same_links(got, expected) -> None:
    assert got.links.select(RECORD).equals(expected.links.select(RECORD))
    assert got.links["match_probability"].to_numpy() == pytest.approx(
        expected.links["match_probability"].to_numpy(), abs=1e-9
    )
    got_pairs, expected_pairs = (pairs_by_key(result.known) for result in (got, expected))
    assert got_pairs.keys() == expected_pairs.keys()
    assert list(got_pairs.values()) == pytest.approx([expected_pairs[key] for key in got_pairs], abs=1e-9)


def pairs_by_key(known) -> dict[tuple[str, str], float]:
    """A run's matched pairs by profile key (its profile ids are its own), the smaller key first."""
    key_of = dict(zip(known.profiles["profile_id"].to_pylist(), known.profiles["profile_key"].to_pylist(), strict=True))
    pairs = known.pairs.to_pydict()
    return {
        tuple(sorted((key_of[left], key_of[right]))): probability
        for left, right, probability in zip(
            pairs["profile_id_l"], pairs["profile_id_r"], pairs["match_probability"], strict=True
        )
    }
