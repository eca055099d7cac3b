"""Employer clustering and ids: analysts' overrides win over the model, earlier links are kept, and
ids stay stable when records are added (new records join old ids; a merge keeps the older id; a
split, by an analyst's cannot_link, keeps it with the larger part)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable

import duckdb
import numpy as np
import pyarrow as pa

from sources.common.duckdb_memory import in_memory_connection
from warehouse.linkage.clusters import (
    _Forest,
    assign_stable_ids,
    cluster_pairs,
    employer_id,
    id_number,
    kept_links,
    profile_probabilities,
)


def _pairs_table(pairs: list[tuple[int, int, float]]) -> pa.Table:
    return pa.table(
        {
            "profile_id_l": pa.array([r[0] for r in pairs], pa.int64()),
            "profile_id_r": pa.array([r[1] for r in pairs], pa.int64()),
            "match_probability": pa.array([r[2] for r in pairs], pa.float64()),
        }
    )


def cluster_profiles(
    profiles: Iterable[int],
    pairs: Iterable[tuple[int, int, float]],
    *,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    kept: Iterable[tuple[int, int]] = (),
    batch_rows: int = 3,
) -> dict[int, int]:
    """profile -> cluster of cluster_pairs, for inputs written as Python values (by default a few pairs a
    batch, so that components merge across batches)."""
    ids = np.array(sorted(set(profiles)), dtype=np.int64)
    as_array = [np.array(list(p), dtype=np.int64).reshape(-1, 2) for p in (must_link, cannot_link, kept)]
    with in_memory_connection() as con:
        con.register("pairs", _pairs_table(list(pairs)))
        cluster = cluster_pairs(
            con, ids, "pairs", must_link=as_array[0], cannot_link=as_array[1], kept=as_array[2], batch_rows=batch_rows
        )
    return dict(zip(ids.tolist(), cluster.tolist(), strict=True))


def _table(rows: dict[str, str | int], value: str) -> pa.Table:
    return pa.table({"record_key": list(rows), value: list(rows.values())})


def _kept_links(previous: dict[str, str], record_profile: dict[str, int], con=None) -> list[tuple[int, int]]:
    if con is None:
        with in_memory_connection() as con:
            return _kept_links(previous, record_profile, con)
    con.register("previous", _table(previous, "employer_id"))
    con.register("record_profile", _table(record_profile, "profile_id"))
    return [tuple(pair) for pair in kept_links(con, "previous", "record_profile").tolist()]


def _assign_stable_ids(clusters: dict[str, int], previous: dict[str, str], next_number: int, con=None):
    """assign_stable_ids on tables, its per-cluster ids spread back to the records."""
    if con is None:
        with in_memory_connection() as con:
            return _assign_stable_ids(clusters, previous, next_number, con)
    con.register("record_cluster", _table(clusters, "cluster"))
    con.register("previous", _table(previous, "employer_id"))
    ids, merged, next_number = assign_stable_ids(con, "record_cluster", "previous", next_number)
    cluster_id = dict(zip(ids.column("cluster").to_pylist(), ids.column("employer_id").to_pylist(), strict=True))
    return {record: cluster_id[cluster] for record, cluster in clusters.items()}, merged, next_number


def _record_probabilities(
    record_profiles: dict[str, int], profile_cluster: dict[int, int], pairs: list[tuple[int, int, float]]
) -> dict[str, float]:
    with in_memory_connection() as con:
        con.register("pairs", _pairs_table(pairs))
        con.register(
            "clustered", pa.table({"profile_id": list(profile_cluster), "cluster": list(profile_cluster.values())})
        )
        best = dict(
            con.execute(
                f"SELECT profile_id, match_probability FROM ({profile_probabilities('clustered', 'pairs')})"
            ).fetchall()
        )
    return {record: best[profile] for record, profile in record_profiles.items()}


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
    kept = _kept_links(previous, record_profile)
    assert sorted(kept) == [(2, 1), (2, 3)]
    # The retrained model no longer matches 3 with 1 or 2: the earlier link holds all three together.
    clusters = cluster_profiles(range(1, 5), [(1, 2, 0.97)], kept=kept)
    assert clusters[1] == clusters[2] == clusters[3] != clusters[4]
    split = cluster_profiles(range(1, 5), [(1, 2, 0.97)], kept=kept, cannot_link=[(3, 1)])
    assert split[1] == split[2] != split[3]


def test_new_records_join_the_old_ids_and_new_employers_get_new_ones():
    previous = {"whd:1": employer_id(1), "whd:2": employer_id(1), "h2a:A": employer_id(2)}
    clusters = {"whd:1": 10, "whd:2": 10, "whd:3": 10, "h2a:A": 20, "mspa:9": 30}
    ids, merged, next_number = _assign_stable_ids(clusters, previous, 3)
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
    ids, merged, next_number = _assign_stable_ids(clusters, previous, 8)
    assert ids["a"] == ids["b"] == ids["c"] == "E00000002", "the older id survives a merge"
    assert merged == {"E00000005": "E00000002"}
    assert ids["d"] == ids["e"] == "E00000007" and ids["f"] == "E00000008"
    assert next_number == 9


def test_a_record_alone_is_surely_its_employer_else_its_strongest_pair():
    record_profiles = {"a": 1, "b": 1, "c": 2, "d": 3}
    profile_cluster = {1: 1, 2: 1, 3: 3}
    pairs = [(1, 2, 0.93), (2, 3, 0.5)]
    assert _record_probabilities(record_profiles, profile_cluster, pairs) == {"a": 0.93, "b": 0.93, "c": 0.93, "d": 1.0}


# The clustering and ids as they were before they moved to arrays and SQL (one Python union-find over
# every pair, dicts over every record): the reference the fast versions must equal exactly.


def reference_cluster_profiles(
    profiles: Iterable[int],
    pairs: Iterable[tuple[int, int, float]],
    *,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    kept: Iterable[tuple[int, int]] = (),
) -> dict[int, int]:
    forest = _Forest()
    for a, b in cannot_link:
        forest.forbid(a, b)
    for a, b in must_link:
        forest.join(a, b)
    for a, b, _ in sorted(pairs, key=lambda p: (-p[2], p[0], p[1])):
        forest.join(a, b)
    for a, b in kept:
        forest.join(a, b)
    return {p: forest.find(p) for p in profiles}


def reference_assign_stable_ids(clusters: dict[str, int], previous: dict[str, str], next_number: int):
    members: dict[int, list[str]] = defaultdict(list)
    for record, cluster in clusters.items():
        members[cluster].append(record)
    votes: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for record, cluster in clusters.items():
        if record in previous:
            votes[previous[record]][cluster] += 1
    chosen: dict[int, str] = {}
    merged_into: dict[str, str] = {}
    for old in sorted(votes, key=id_number):
        ranked = sorted(votes[old].items(), key=lambda item: (-item[1], min(members[item[0]])))
        free = [cluster for cluster, _ in ranked if cluster not in chosen]
        if free:
            chosen[free[0]] = old
        else:
            merged_into[old] = chosen[ranked[0][0]]
    for cluster in sorted(members, key=lambda c: min(members[c])):
        if cluster not in chosen:
            chosen[cluster] = employer_id(next_number)
            next_number += 1
    return {r: chosen[c] for r, c in clusters.items()}, merged_into, next_number


def reference_kept_links(previous: dict[str, str], record_profile: dict[str, int]) -> list[tuple[int, int]]:
    first_profile: dict[str, int] = {}
    pairs = []
    for record, employer in sorted(previous.items()):
        profile = record_profile.get(record)
        if profile is None:
            continue
        if employer in first_profile:
            pairs.append((first_profile[employer], profile))
        else:
            first_profile[employer] = profile
    return pairs


def _random_graph(rng: random.Random):
    """Profiles in a few dense neighbourhoods (so cannot_link pairs often share a component), pairs with tied
    probabilities, must/cannot links and an earlier build's employers over records of those profiles."""
    n = rng.randint(1, 60)
    first = rng.choice([1, 1, 100])  # ids 1..n (as link_records numbers them) or not
    profiles = list(range(first, first + n))
    spread = rng.randint(2, 12)

    def near(a: int) -> int:
        return min(first + n - 1, max(first, a + rng.randint(-spread, spread)))

    pairs = {}
    for _ in range(rng.randint(0, 3 * n)):
        a = rng.randint(first, first + n - 1)
        b = near(a)
        if a != b:
            pairs[(min(a, b), max(a, b))] = rng.choice([0.9, 0.95, 0.99, rng.random()])
    must = [(a, near(a)) for a in rng.choices(profiles, k=rng.randint(0, 3))]
    cannot = [(a, near(a)) for a in rng.choices(profiles, k=rng.randint(0, 4))]
    record_profile = {f"r:{i:03d}": rng.choice(profiles) for i in range(rng.randint(n, 3 * n))}
    previous = {
        record: employer_id(rng.randint(1, max(1, n // 3)))
        for record in rng.sample(sorted(record_profile), k=rng.randint(0, len(record_profile)))
    }
    previous |= {f"gone:{i}": employer_id(rng.randint(1, n)) for i in range(rng.randint(0, 3))}
    return profiles, [(a, b, p) for (a, b), p in pairs.items()], must, cannot, record_profile, previous


def test_clusters_and_ids_equal_the_python_union_find_on_random_graphs():
    rng = random.Random(20261205)
    constrained = 0
    con = duckdb.connect()
    for _ in range(300):
        profiles, pairs, must, cannot, record_profile, previous = _random_graph(rng)
        kept = _kept_links(previous, record_profile, con)
        assert kept == reference_kept_links(previous, record_profile)
        shuffled = rng.sample(pairs, k=len(pairs))
        clusters = cluster_profiles(profiles, shuffled, must_link=must, cannot_link=cannot, kept=kept)
        expected = reference_cluster_profiles(profiles, pairs, must_link=must, cannot_link=cannot, kept=kept)
        assert clusters == expected, (pairs, must, cannot, kept)
        constrained += any(expected[a] != expected[b] for a, b in cannot)
        record_cluster = {record: clusters[profile] for record, profile in record_profile.items()}
        next_number = rng.randint(1, 5) + max((id_number(e) for e in previous.values()), default=0)
        assert _assign_stable_ids(record_cluster, previous, next_number, con) == reference_assign_stable_ids(
            record_cluster, previous, next_number
        )
    assert constrained > 50, "the random graphs must exercise cannot_link inside components"


def test_link_records_equals_the_python_union_find_on_real_records(monkeypatch):
    """On real H-2B records, with an earlier build's ids, a cannot_link inside a matched employer and a
    must_link: link_records' links equal the reference clustering, ids and probabilities over the same pairs."""
    import warehouse.linkage as linkage
    from warehouse.linkage.evaluation_runs import REAL_H2B_RECORDS, read_real_records

    records = read_real_records(REAL_H2B_RECORDS)
    seen: dict = {}
    profiles_of, predict = linkage._profiles, linkage.predict_profile_pairs

    def spy_profiles(con, overridden):
        table, profiles = profiles_of(con, overridden)
        seen["record_profile"] = dict(con.execute(f"SELECT record_key, profile_id FROM {table}").fetchall())
        return table, profiles

    def spy_predict(con, *args, **kwargs):
        predicted = predict(con, *args, **kwargs)
        seen["pairs"] = con.sql(f"SELECT * FROM {predicted.table}").to_arrow_table()
        return predicted

    monkeypatch.setattr(linkage, "_profiles", spy_profiles)
    monkeypatch.setattr(linkage, "predict_profile_pairs", spy_predict)
    rng = random.Random(27)
    rows = records.select(["source", "record_id", "employer_name", "state_code"]).to_pylist()
    keys = [f"{r['source']}:{r['record_id']}" for r in rows]
    groups = sorted({(r["state_code"] or "", (r["employer_name"] or " ")[0]) for r in rows})
    number = {group: i + 1 for i, group in enumerate(groups)}
    previous = {
        key: employer_id(number[(r["state_code"] or "", (r["employer_name"] or " ")[0])])
        for key, r in zip(keys, rows, strict=True)
        if rng.random() < 0.7
    } | {"h2b:gone": employer_id(len(groups) + 1)}
    overrides = [
        linkage.Override("cannot_link", "h2b:C-11361-56632", "h2b:C-12286-59938"),  # Gallegos Corp., both years
        linkage.Override("must_link", keys[0], keys[-1]),
    ]
    result = linkage.link_records(records, previous=previous, next_number=len(groups) + 2, overrides=overrides)

    record_profile = seen["record_profile"]
    pairs = list(zip(*(seen["pairs"].column(c).to_pylist() for c in range(3)), strict=True))
    assert len(pairs) > 1000
    profile_pairs = {
        decision: [
            (record_profile[o.record_a], record_profile[o.record_b]) for o in overrides if o.decision == decision
        ]
        for decision in ("must_link", "cannot_link")
    }
    clusters = reference_cluster_profiles(
        sorted(set(record_profile.values())),
        pairs,
        must_link=profile_pairs["must_link"],
        cannot_link=profile_pairs["cannot_link"],
        kept=reference_kept_links(previous, record_profile),
    )
    record_cluster = {record: clusters[profile] for record, profile in record_profile.items()}
    ids, merged, next_number = reference_assign_stable_ids(record_cluster, previous, len(groups) + 2)
    best: dict[int, float] = {}
    for a, b, probability in pairs:
        if clusters[a] == clusters[b]:
            best[a], best[b] = max(best.get(a, 0.0), probability), max(best.get(b, 0.0), probability)
    links = result.links.to_pylist()
    assert [f"{r['source']}:{r['record_id']}" for r in links] == sorted(record_profile)
    assert {f"{r['source']}:{r['record_id']}": r["employer_id"] for r in links} == ids
    assert {f"{r['source']}:{r['record_id']}": r["match_probability"] for r in links} == {
        record: best.get(profile, 1.0) for record, profile in record_profile.items()
    }
    assert (result.merged_into, result.next_number) == (merged, next_number)
    assert merged, "the earlier employers merge"
    assert ids["h2b:C-11361-56632"] != ids["h2b:C-12286-59938"], "the cannot_link splits a matched employer"
