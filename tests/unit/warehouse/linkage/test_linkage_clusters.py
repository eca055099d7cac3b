"""Employer clustering and ids: analysts' overrides win over the model, earlier links are kept, and
ids stay stable when records are added (new records join old ids; a merge keeps the older id; a
split, by an analyst's cannot_link, keeps it with the larger part)."""

from __future__ import annotations

from warehouse.linkage.clusters import (
    assign_stable_ids,
    cluster_profiles,
    employer_id,
    kept_links,
    record_probabilities,
)


def test_pairs_join_profiles_and_overrides_win():
    pairs = [(1, 2, 0.99), (2, 3, 0.95), (4, 5, 0.97)]
    assert cluster_profiles(range(1, 7), pairs) == {1: 1, 2: 1, 3: 1, 4: 4, 5: 4, 6: 6}
    # cannot_link 1/3 keeps them apart even though 2 links to both: the stronger pair (1-2) wins.
    split = cluster_profiles(range(1, 7), pairs, cannot_link=[(1, 3)])
    assert split[1] == split[2] != split[3]
    # must_link joins what the model left apart; a later cannot_link cannot undo it... but blocks a third.
    joined = cluster_profiles(range(1, 7), pairs, must_link=[(3, 6)], cannot_link=[(6, 4)])
    assert joined[3] == joined[6] == joined[1] and joined[4] == joined[5] != joined[1]


def test_records_an_earlier_build_linked_stay_linked_unless_an_analyst_splits_them():
    previous = {"whd:1": "E00000001", "h2a:A": "E00000001", "mspa:9": "E00000001", "gone:7": "E00000001"}
    record_profile = {"whd:1": 1, "h2a:A": 2, "mspa:9": 3, "whd:2": 4}
    kept = kept_links(previous, record_profile)
    assert sorted(kept) == [(2, 1), (2, 3)]
    # The retrained model no longer matches 3 with 1 or 2: the earlier link holds all three together.
    clusters = cluster_profiles(range(1, 5), [(1, 2, 0.97)], kept=kept)
    assert clusters[1] == clusters[2] == clusters[3] != clusters[4]
    split = cluster_profiles(range(1, 5), [(1, 2, 0.97)], kept=kept, cannot_link=[(3, 1)])
    assert split[1] == split[2] != split[3]


def test_new_records_join_the_old_ids_and_new_employers_get_new_ones():
    previous = {"whd:1": employer_id(1), "whd:2": employer_id(1), "h2a:A": employer_id(2)}
    clusters = {"whd:1": 10, "whd:2": 10, "whd:3": 10, "h2a:A": 20, "mspa:9": 30}
    ids, merged, next_number = assign_stable_ids(clusters, previous, 3)
    assert ids == {
        "whd:1": "E00000001",
        "whd:2": "E00000001",
        "whd:3": "E00000001",
        "h2a:A": "E00000002",
        "mspa:9": "E00000003",
    }
    assert (merged, next_number) == ({}, 4)


def test_a_merge_keeps_the_older_id_and_a_split_keeps_it_with_the_larger_part():
    previous = {
        "a": "E00000005",
        "b": "E00000005",
        "c": "E00000002",
        "d": "E00000007",
        "e": "E00000007",
        "f": "E00000007",
    }
    # a, b (E5) and c (E2) merge; E7 splits into {d, e} and {f}.
    clusters = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 3}
    ids, merged, next_number = assign_stable_ids(clusters, previous, 8)
    assert ids["a"] == ids["b"] == ids["c"] == "E00000002", "the older id survives a merge"
    assert merged == {"E00000005": "E00000002"}
    assert ids["d"] == ids["e"] == "E00000007" and ids["f"] == "E00000008"
    assert next_number == 9


def test_a_record_alone_is_surely_its_employer_else_its_strongest_pair():
    record_profiles = {"a": 1, "b": 1, "c": 2, "d": 3}
    profile_cluster = {1: 1, 2: 1, 3: 3}
    pairs = [(1, 2, 0.93), (2, 3, 0.5)]
    assert record_probabilities(record_profiles, profile_cluster, pairs) == {"a": 0.93, "b": 0.93, "c": 0.93, "d": 1.0}
