"""From matched pairs to employers: constrained clustering, analysts' overrides, stable ids.

Clustering joins profiles along matched pairs, strongest first (union-find), except where an
analyst's cannot_link override forbids two records to end up together; must_link overrides are
joined first; last, the records an earlier build put together are joined again (links are kept: a
retrained model never splits an employer, only an analyst's cannot_link does). Employer ids are stable across
rebuilds: a cluster takes the id its records had last time; when clusters merge the older id (the
lower number) survives; when a former employer splits, the part holding most of its records keeps
the id; only clusters with no known record get a new id.

At scale (tens of millions of pairs, millions of records) nothing here loops in Python over pairs or
records: the clusters are the connected components of must_link ∪ pairs ∪ kept links (numpy +
scipy.sparse.csgraph), and only a component holding both ends of a cannot_link pair replays the ordered,
constrained union-find on its own edges (the order matters only where something may be refused). A cluster
is named by its smallest profile id, as the union-find names it. Record-level work (kept links, id votes)
is SQL over the record -> cluster table in linkage's DuckDB connection; Python holds per-profile arrays and
loops only over the employer ids that compete for a cluster.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

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


_NO_PAIRS = np.empty((0, 2), dtype=np.int64)


def cluster_array(
    profile_ids: np.ndarray,
    pairs: pa.Table,
    *,
    must_link: np.ndarray = _NO_PAIRS,
    cannot_link: np.ndarray = _NO_PAIRS,
    kept: np.ndarray = _NO_PAIRS,
    strongest_first: bool = False,
) -> np.ndarray:
    """The cluster (smallest profile id) of each of `profile_ids` (ascending, unique): must_link first, then
    pairs strongest first, then `kept` (linked by an earlier build); nothing joins what cannot_link keeps apart.

    Args:
        pairs: profile_id_l, profile_id_r, match_probability (any order unless `strongest_first`).
        must_link, cannot_link, kept: profile id pairs, shape (n, 2), in the order they are to be joined.
        strongest_first: `pairs` already come in the order to join them (else probability descending, then ids).
    """
    profile_ids = np.asarray(profile_ids, dtype=np.int64)
    pair_l, pair_r, probability = _pair_columns(pairs)
    must_link, cannot_link, kept = (
        np.asarray(p, dtype=np.int64).reshape(-1, 2) for p in (must_link, cannot_link, kept)
    )
    component = _components(
        profile_ids, [(must_link[:, 0], must_link[:, 1]), (pair_l, pair_r), (kept[:, 0], kept[:, 1])]
    )
    # profile_ids ascend: a component's first member is its smallest id, the union-find's root.
    _, first = np.unique(component, return_index=True)
    cluster = profile_ids[first][component]
    forbidden = _positions(profile_ids, cannot_link)
    constrained = np.unique(component[forbidden[:, 0]][component[forbidden[:, 0]] == component[forbidden[:, 1]]])
    if len(constrained):
        inside = np.isin(component, constrained)
        pairs_inside = inside[_positions(profile_ids, pair_l)]
        left, right, strength = pair_l[pairs_inside], pair_r[pairs_inside], probability[pairs_inside]
        order = np.arange(len(left)) if strongest_first else np.lexsort((right, left, -strength))
        cluster[inside] = _replay(
            profile_ids[inside],
            _within(profile_ids, inside, must_link),
            np.column_stack([left[order], right[order]]),
            _within(profile_ids, inside, kept),
            cannot_link=cannot_link,
        )
    return cluster


def _components(profile_ids: np.ndarray, edges: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The connected component of each profile (a label) in the graph of `edges` (arrays of left and right
    profile ids). The graph is built from 32-bit positions, one side at a time: at scale 10 the matched
    pairs run to tens of millions, and every int64 copy of them costs gigabytes."""
    n = len(profile_ids)
    if not n:
        return np.empty(0, dtype=np.int32)
    rows = np.concatenate([_positions(profile_ids, left).astype(np.int32, copy=False) for left, _ in edges])
    columns = np.concatenate([_positions(profile_ids, right).astype(np.int32, copy=False) for _, right in edges])
    graph = coo_matrix((np.ones(len(rows), dtype=bool), (rows, columns)), shape=(n, n))
    del rows, columns
    return connected_components(graph, directed=False)[1]


def _pair_columns(pairs: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs' ids in their own integer type (link_records hands over 32-bit ids: no copy) and probabilities."""
    return (
        pairs.column("profile_id_l").to_numpy(),
        pairs.column("profile_id_r").to_numpy(),
        pairs.column("match_probability").to_numpy().astype(np.float64, copy=False),
    )


def _positions(profile_ids: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Where each profile id of `pairs` stands in `profile_ids`; an unknown id is an error."""
    n = len(profile_ids)
    if n and profile_ids[0] == 1 and profile_ids[-1] == n:  # 1..n, as link_records numbers them: no search
        at = pairs - 1
        unknown = (at < 0) | (at >= n)
    else:
        at = np.searchsorted(profile_ids, pairs)
        unknown = (at >= n) | (profile_ids[np.minimum(at, n - 1)] != pairs) if n else np.ones(pairs.shape, bool)
    if unknown.any():
        raise ValueError(f"pairs name profiles that are not among the profiles, e.g. {pairs[unknown][:3].tolist()}")
    return at


def _within(profile_ids: np.ndarray, inside: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The pairs (in their order) whose profiles lie in the constrained components."""
    return pairs[inside[_positions(profile_ids, pairs[:, 0])]]


def _replay(
    members: np.ndarray, must_link: np.ndarray, pairs: np.ndarray, kept: np.ndarray, *, cannot_link: np.ndarray
) -> np.ndarray:
    """The ordered, constrained union-find over the components that hold a cannot_link pair."""
    forest = _Forest()
    for a, b in cannot_link.tolist():
        forest.forbid(a, b)
    for edges in (must_link, pairs, kept):
        for a, b in edges.tolist():
            forest.join(a, b)
    return np.array([forest.find(p) for p in members.tolist()], dtype=np.int64)


def profile_probabilities(profile_ids: np.ndarray, cluster: np.ndarray, pairs: pa.Table) -> np.ndarray:
    """How surely each profile's records belong to their employer: 1.0 alone or beside an identical record,
    else the profile's strongest matched pair inside its cluster."""
    pair_l, pair_r, probability = _pair_columns(pairs)
    at_l = _positions(profile_ids, pair_l).astype(np.int32, copy=False)
    at_r = _positions(profile_ids, pair_r).astype(np.int32, copy=False)
    same = cluster[at_l] == cluster[at_r]
    best = np.full(len(profile_ids), -np.inf)
    np.maximum.at(best, at_l[same], probability[same])
    np.maximum.at(best, at_r[same], probability[same])
    return np.where(np.isneginf(best), 1.0, best)


def kept_links(con: duckdb.DuckDBPyConnection, previous: str, record_profile: str) -> np.ndarray:
    """Profile pairs (shape (n, 2), by record key) that chain together the present records of each earlier
    employer: each present record to the first one (by record key) of its employer.

    Args:
        previous: table (record_key, employer_id) of the last run.
        record_profile: table (record_key, profile_id) of this run.
    """
    rows = con.sql(
        f"""SELECT first_value(now.profile_id) OVER employer AS first_profile, now.profile_id
            FROM {previous} AS earlier JOIN {record_profile} AS now USING (record_key)
            WINDOW employer AS (PARTITION BY earlier.employer_id ORDER BY record_key)
            QUALIFY row_number() OVER employer > 1
            ORDER BY record_key"""
    ).to_arrow_table()
    columns = [rows.column(name).to_numpy().astype(np.int64) for name in ("first_profile", "profile_id")]
    return np.column_stack(columns).reshape(-1, 2)


def assign_stable_ids(
    con: duckdb.DuckDBPyConnection, record_cluster: str, previous: str, next_number: int
) -> tuple[pa.Table, dict[str, str], int]:
    """Give each cluster an employer id, keeping last run's ids.

    Args:
        record_cluster: table (record_key, cluster) of this run.
        previous: table (record_key, employer_id) of the last run.
        next_number: the first number a new id may take.

    Returns:
        (cluster, employer_id) for every cluster; retired id -> the id it was merged into; the next free number.
    """
    # A cluster ranks by its smallest record key (ties between old ids' votes; the order of new ids).
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cluster_first AS
            SELECT cluster, min(record_key) AS first_key FROM {record_cluster} GROUP BY cluster"""
    )
    # votes: how many of an old id's records each cluster holds, in the order the ids are settled: older ids
    # first (a merge keeps the older one), each one's clusters by most votes (a split leaves the id with its
    # largest part). An id whose clusters no other id votes for takes its first cluster without contest.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE votes AS
            WITH counted AS (
                SELECT earlier.employer_id AS old, now.cluster, count(*) AS votes
                FROM {previous} AS earlier JOIN {record_cluster} AS now USING (record_key)
                GROUP BY ALL),
            contested AS (
                SELECT counted.*, cluster_first.first_key,
                       count(*) OVER (PARTITION BY cluster) AS voters
                FROM counted JOIN cluster_first USING (cluster))
            SELECT old, cluster, votes, first_key,
                   bool_and(voters = 1) OVER (PARTITION BY old) AS alone,
                   row_number() OVER (PARTITION BY old ORDER BY votes DESC, first_key) AS rank
            FROM contested"""
    )
    chosen: dict[int, str] = {}
    merged_into: dict[str, str] = {}
    contest = con.execute(
        f"""SELECT old, list(cluster ORDER BY rank) FROM votes WHERE NOT alone
            GROUP BY old ORDER BY CAST(old[{len(ID_PREFIX) + 1}:] AS BIGINT)"""
    ).fetchall()
    for old, ranked in contest:
        free = [cluster for cluster in ranked if cluster not in chosen]
        if free:
            chosen[free[0]] = old
        else:
            merged_into[old] = chosen[ranked[0]]
    con.register(
        "contest_winners",
        pa.table(
            {"cluster": pa.array(list(chosen), pa.int64()), "employer_id": pa.array(list(chosen.values()), pa.string())}
        ),
    )
    ids = con.sql(
        f"""WITH kept AS (
                SELECT cluster, old AS employer_id FROM votes WHERE alone AND rank = 1
                UNION ALL SELECT cluster, employer_id FROM contest_winners),
            fresh AS (
                SELECT cluster, row_number() OVER (ORDER BY first_key) - 1 + {int(next_number)} AS number
                FROM cluster_first ANTI JOIN kept USING (cluster))
            SELECT cluster, employer_id FROM kept
            UNION ALL SELECT cluster, printf('{ID_PREFIX}%0{ID_DIGITS}d', number) FROM fresh"""
    ).to_arrow_table()
    con.unregister("contest_winners")
    (uncontested,) = con.execute("SELECT count(*) FROM votes WHERE alone AND rank = 1").fetchall()[0]
    return ids, merged_into, next_number + ids.num_rows - uncontested - len(chosen)
