"""From matched pairs to employers: constrained clustering, analysts' overrides, stable ids.

Clustering joins profiles along matched pairs, strongest first (union-find), except where an
analyst's cannot_link override forbids two records to end up together; must_link overrides are
joined first; last, the records an earlier build put together are joined again (links are kept: a
retrained model never splits an employer, only an analyst's cannot_link does). Employer ids are stable across
rebuilds: a cluster takes the id its records had last time; when clusters merge the older id (the
lower number) survives; when a former employer splits, the part holding most of its records keeps
the id; only clusters with no known record get a new id.

At scale (tens of millions of pairs, millions of records) nothing here loops in Python over pairs or
records, nor holds all the pairs: the clusters are the connected components of must_link ∪ pairs ∪ kept
links, merged batch by batch as the pairs are read from linkage's DuckDB connection (numpy +
scipy.sparse.csgraph), and only a component holding both ends of a cannot_link pair replays the ordered,
constrained union-find on its own edges (the order matters only where something may be refused). A cluster
is named by its smallest profile id, as the union-find names it. Record-level work (kept links, id votes)
and each profile's probability are SQL over tables in linkage's DuckDB connection; Python holds per-profile
arrays and one batch of pairs, and loops only over the employer ids that compete for a cluster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
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


PAIR_BATCH_ROWS = 4_000_000  # matched pairs read from DuckDB at a time while clustering: ~100 MB of working set
_NO_PAIRS = np.empty((0, 2), dtype=np.int64)


def cluster_pairs(
    con: duckdb.DuckDBPyConnection,
    profile_ids: np.ndarray,
    pairs: str,
    *,
    must_link: np.ndarray = _NO_PAIRS,
    cannot_link: np.ndarray = _NO_PAIRS,
    kept: np.ndarray = _NO_PAIRS,
    batch_rows: int = PAIR_BATCH_ROWS,
) -> np.ndarray:
    """The cluster (smallest profile id) of each of `profile_ids` (ascending, unique): must_link first, then
    the matched pairs strongest first, then `kept` (linked by an earlier build); nothing joins what cannot_link
    keeps apart.

    Args:
        pairs: table in `con` (profile_id_l, profile_id_r, match_probability), read `batch_rows` at a time.
        must_link, cannot_link, kept: profile id pairs, shape (n, 2), in the order they are to be joined.
    """
    profile_ids = np.asarray(profile_ids, dtype=np.int64)
    must_link, cannot_link, kept = (
        np.asarray(p, dtype=np.int64).reshape(-1, 2) for p in (must_link, cannot_link, kept)
    )
    component = _components(profile_ids, [(must_link[:, 0], must_link[:, 1]), (kept[:, 0], kept[:, 1])])
    component = components_of_pairs(
        con, profile_ids, f"SELECT profile_id_l, profile_id_r FROM {pairs}", component, batch_rows
    )
    cluster = profile_ids[component]
    forbidden = _positions(profile_ids, cannot_link)
    constrained = np.unique(component[forbidden[:, 0]][component[forbidden[:, 0]] == component[forbidden[:, 1]]])
    if len(constrained):
        inside = np.isin(component, constrained)
        cluster[inside] = _replay(
            profile_ids[inside],
            _within(profile_ids, inside, must_link),
            _strongest_first(con, pairs, profile_ids[inside]),
            _within(profile_ids, inside, kept),
            cannot_link=cannot_link,
        )
    return cluster


def _components(profile_ids: np.ndarray, edges: Iterable[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The connected component of each profile, named by the position of its first profile, in the graph of
    `edges` (batches of left and right profile ids). One batch at a time (`merged_components`), so the working set
    is the profiles and one batch, however many pairs (at scale 10, tens of millions)."""
    component = np.arange(len(profile_ids), dtype=np.int32)
    for left, right in edges:
        component = merged_components(component, profile_ids, left, right)
    return component


def merged_components(
    component: np.ndarray, profile_ids: np.ndarray, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """`component` (each profile's, named by a position: the smallest of the component) with the edges between
    profile ids `left` and `right` joined in: the components of the edges between the components so far merge
    them."""
    a = component[_positions(profile_ids, left)]
    b = component[_positions(profile_ids, right)]
    apart = a != b
    if not apart.any():
        return component
    a, b = a[apart], b[apart]
    touched, ends = np.unique(np.concatenate([a, b]), return_inverse=True)
    graph = coo_matrix(
        (np.ones(len(a), dtype=bool), (ends[: len(a)], ends[len(a) :])), shape=(len(touched), len(touched))
    )
    merged = connected_components(graph, directed=False)[1]
    # touched ascends: the first of each merged group is its smallest component, which names it.
    _, first = np.unique(merged, return_index=True)
    renamed = np.arange(len(component), dtype=np.int32)
    renamed[touched] = touched[first][merged]
    return renamed[component]


def components_of_pairs(
    con: duckdb.DuckDBPyConnection,
    profile_ids: np.ndarray,
    pairs_sql: str,
    component: np.ndarray | None = None,
    batch_rows: int = PAIR_BATCH_ROWS,
) -> np.ndarray:
    """The connected component (a position, as `_components` names it) of each of `profile_ids` in the graph of
    the pairs `pairs_sql` selects (left and right profile id), read `batch_rows` at a time; merged into
    `component` when given."""
    component = np.arange(len(profile_ids), dtype=np.int32) if component is None else component
    for batch in con.sql(pairs_sql).to_arrow_reader(batch_rows):
        left, right = (batch.column(i).to_numpy().astype(np.int64) for i in (0, 1))
        component = merged_components(component, profile_ids, left, right)
    return component


def _strongest_first(con: duckdb.DuckDBPyConnection, pairs: str, members: np.ndarray) -> np.ndarray:
    """The matched pairs among `members` (profile ids), shape (n, 2), strongest first, then by ids."""
    con.register("constrained_profiles", pa.table({"profile_id": members}))
    try:
        rows = con.sql(
            f"""SELECT profile_id_l, profile_id_r FROM {pairs}
                WHERE profile_id_l IN (SELECT profile_id FROM constrained_profiles)
                ORDER BY match_probability DESC, profile_id_l, profile_id_r"""
        ).fetchnumpy()
    finally:
        con.unregister("constrained_profiles")
    return np.column_stack([rows["profile_id_l"], rows["profile_id_r"]]).astype(np.int64).reshape(-1, 2)


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


def profile_probabilities(profile_cluster: str, pairs: str) -> str:
    """SQL: profile_id, cluster and how surely each profile's records belong to their employer: 1.0 alone or
    beside an identical record, else the profile's strongest matched pair found inside its cluster (a
    prediction does not score a pair the pairs found before it already join: model._predict_on_duckdb).

    Args:
        profile_cluster: table (profile_id, cluster).
        pairs: table (profile_id_l, profile_id_r, match_probability).
    """
    return f"""WITH ends AS (
            SELECT unnest([pair.profile_id_l, pair.profile_id_r]) AS profile_id, pair.match_probability
            FROM {pairs} AS pair
            JOIN {profile_cluster} AS l ON pair.profile_id_l = l.profile_id
            JOIN {profile_cluster} AS r ON pair.profile_id_r = r.profile_id
            WHERE l.cluster = r.cluster),
        best AS (SELECT profile_id, max(match_probability) AS match_probability FROM ends GROUP BY profile_id)
        SELECT profile_id, cluster, coalesce(best.match_probability, 1.0) AS match_probability
        FROM {profile_cluster} LEFT JOIN best USING (profile_id)"""


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
