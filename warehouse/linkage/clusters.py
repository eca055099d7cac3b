"""From matched pairs to employers: constrained clustering, analysts' overrides, stable ids.

Clustering joins profiles along matched pairs, strongest first (union-find), except where an
analyst's cannot_link override forbids two records to end up together; must_link overrides are
joined first; last, the records an earlier build put together are joined again (links are kept: a
retrained model never splits an employer, only an analyst's cannot_link does). Employer ids are stable across
rebuilds: a cluster takes the id its records had last time; when clusters merge the older id (the
lower number) survives; when a former employer splits, the part holding most of its records keeps
the id; only clusters with no known record get a new id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

ID_PREFIX = "E"
ID_DIGITS = 8
MUST_LINK, CANNOT_LINK = "must_link", "cannot_link"


def employer_id(number: int) -> str:
    return f"{ID_PREFIX}{number:0{ID_DIGITS}d}"


def id_number(employer: str) -> int:
    return int(employer[len(ID_PREFIX) :])


@dataclass
class _Forest:
    """Union-find over profiles, with per-root sets of roots they may never join."""

    parent: dict[int, int] = field(default_factory=dict)
    forbidden: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def find(self, node: int) -> int:
        root = node
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(node, node) != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def forbid(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        self.forbidden[ra].add(rb)
        self.forbidden[rb].add(ra)

    def join(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or rb in self.forbidden.get(ra, ()):
            return False
        keep, gone = min(ra, rb), max(ra, rb)
        self.parent[gone] = keep
        moved = self.forbidden.pop(gone, set())
        self.forbidden[keep] |= moved
        for other in moved:
            self.forbidden[other].discard(gone)
            self.forbidden[other].add(keep)
        return True


def cluster_profiles(
    profiles: Iterable[int],
    pairs: Iterable[tuple[int, int, float]],
    *,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    kept: Iterable[tuple[int, int]] = (),
    strongest_first: bool = False,
) -> dict[int, int]:
    """profile -> cluster (its smallest profile id). must_link first, then pairs strongest first,
    then `kept` (linked by an earlier build); nothing joins what cannot_link keeps apart.

    Args:
        strongest_first: `pairs` already come in that order (probability descending, then ids), so they
            can stream instead of being sorted here.
    """
    forest = _Forest()
    for a, b in cannot_link:
        forest.forbid(a, b)
    for a, b in must_link:
        forest.join(a, b)
    ordered = pairs if strongest_first else sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
    for a, b, _ in ordered:
        forest.join(a, b)
    for a, b in kept:
        forest.join(a, b)
    return {p: forest.find(p) for p in profiles}


def assign_stable_ids(
    clusters: dict[str, int], previous: dict[str, str], next_number: int
) -> tuple[dict[str, str], dict[str, str], int]:
    """Give each cluster an employer id, keeping last run's ids.

    Args:
        clusters: record key -> cluster.
        previous: record key -> employer id of the last run.
        next_number: the first number a new id may take.

    Returns:
        record key -> employer id; retired id -> the id it was merged into; the next free number.
    """
    members: dict[int, list[str]] = defaultdict(list)
    for record, cluster in clusters.items():
        members[cluster].append(record)
    votes: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for record, cluster in clusters.items():
        if record in previous:
            votes[previous[record]][cluster] += 1
    chosen: dict[int, str] = {}
    merged_into: dict[str, str] = {}
    # Older ids first: a merge keeps the older one; a split leaves the id with its largest part.
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


def kept_links(previous: dict[str, str], record_profile: dict[str, int]) -> list[tuple[int, int]]:
    """Profile pairs that chain together the present records of each earlier employer."""
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


def record_probabilities(
    record_profiles: dict[str, int], profile_cluster: dict[int, int], pairs: Iterable[tuple[int, int, float]]
) -> dict[str, float]:
    """How surely each record belongs to its employer: 1.0 alone or beside an identical record,
    else its strongest matched pair inside its cluster."""
    best: dict[int, float] = {}
    for a, b, probability in pairs:
        if profile_cluster[a] == profile_cluster[b]:
            best[a] = max(best.get(a, 0.0), probability)
            best[b] = max(best.get(b, 0.0), probability)
    return {record: best.get(profile, 1.0) for record, profile in record_profiles.items()}
