"""Which dbt models a build rebuilds: only those downstream of what changed this run.

What changed: the raw tables that loaded rows in this run (audit.accepted_loads by run id) and, for the
marts, the employer links when the linkage asset ran in this run. A model not downstream of them keeps
its last build (it is left out with `--exclude`, and its asset is reported as kept so the steps after it
still run). Everything is rebuilt instead when the last build of the same dbt asset did not finish, was
made by other transformation code (dbt project or linkage: `transform_code_version`) or another engine,
or the run is forced: every model is then as the code makes it.

Each dbt build records itself in audit.dbt_builds (started, then succeeded) in the build database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse.ingest.load import connect

BUILT_RESOURCES = ("model", "seed", "snapshot")
STARTED, SUCCEEDED = "started", "succeeded"
_TABLE = "audit.dbt_builds"


@dataclass(frozen=True)
class DbtPlan:
    """`kept`: names of the asset's nodes left as last built; empty in a full build. `reason` says why."""

    full: bool
    reason: str
    kept: tuple[str, ...] = ()
    changed_sources: tuple[str, ...] = ()

    def exclude_args(self) -> list[str]:
        return ["--exclude", " ".join(self.kept)] if self.kept else []


def downstream_nodes(manifest: dict, sources: Iterable[str]) -> set[str]:
    """Unique ids of every node downstream of the sources named `schema_source.table` (e.g. `raw.raw_whd__...`)."""
    wanted = set(sources)
    start = [uid for uid, s in manifest["sources"].items() if f"{s['source_name']}.{s['name']}" in wanted]
    children, seen = manifest["child_map"], set()
    pending = list(start)
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen


def plan_build(
    manifest: dict,
    scope: Iterable[str],
    changed: Iterable[str],
    *,
    previous: dict | None,
    code_version: str,
    force: bool,
) -> DbtPlan:
    """What one dbt asset builds. `scope`: the names of the nodes the asset builds (models and seeds);
    `previous`: its last recorded build (`last_build`), None if never built here."""
    changed = tuple(sorted(changed))
    if force:
        return DbtPlan(True, "forced run")
    if previous is None:
        return DbtPlan(True, "no earlier dbt build in this build database")
    if previous["status"] != SUCCEEDED:
        return DbtPlan(True, "the last dbt build did not finish")
    if previous["code_version"] != code_version:
        return DbtPlan(True, "the dbt project or the linkage code changed since the last build")
    nodes = manifest["nodes"]
    downstream = {nodes[uid]["name"] for uid in downstream_nodes(manifest, changed) if uid in nodes}
    kept = tuple(name for name in topological_names(manifest) if name in set(scope) - downstream)
    return DbtPlan(False, f"downstream of {', '.join(changed) or 'nothing'}", kept, changed)


def topological_names(manifest: dict) -> list[str]:
    """Every node's name, each after the nodes it depends on (Dagster wants a multi-asset's results in that
    order; a kept model is never downstream of a rebuilt one, so the kept are reported before dbt runs)."""
    order, seen = [], set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for parent in manifest.get("parent_map", {}).get(uid, []):
            visit(parent)
        if uid in manifest["nodes"]:
            order.append(manifest["nodes"][uid]["name"])

    for uid in sorted(manifest["nodes"]):
        visit(uid)
    return order


def scope_names(manifest: dict, asset_names: Iterable[str]) -> list[str]:
    """The models and seeds among an asset's nodes (its asset keys are the node names)."""
    names = set(asset_names)
    return sorted(
        n["name"] for n in manifest["nodes"].values() if n["resource_type"] in BUILT_RESOURCES and n["name"] in names
    )


def loaded_tables(build_db: Path, since: datetime) -> set[str]:
    """`raw.<table>` of every raw table that accepted a load after `since` (naive UTC): in this run, or in a
    run without dbt in between (`warehouse ingest`, `release`, a failed build)."""
    with connect(build_db) as con:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'audit' AND table_name = 'accepted_loads'"
        ).fetchone()[0]
        query = "SELECT DISTINCT table_name FROM audit.accepted_loads WHERE accepted_at > ?"
        rows = con.execute(query, [since]).fetchall() if exists else []
    return {f"raw.{name}" for (name,) in rows}


def last_build(build_db: Path, asset: str, engine: str) -> dict | None:
    """The asset's newest build here: its status, code version and when it started (naive UTC)."""
    with connect(build_db) as con:
        _ensure(con)
        row = con.execute(
            f"""SELECT status, code_version,
                       (SELECT min(s.built_at) FROM {_TABLE} s WHERE s.run_id = b.run_id AND s.asset = b.asset)
                FROM {_TABLE} b WHERE asset = ? AND engine = ? ORDER BY built_at DESC LIMIT 1""",
            [asset, engine],
        ).fetchone()
    return {"status": row[0], "code_version": row[1], "started_at": row[2]} if row else None


def now_utc() -> datetime:
    """Naive UTC, as audit.accepted_loads records its times."""
    return datetime.now(UTC).replace(tzinfo=None)


def record_build(
    build_db: Path, *, run_id: str, asset: str, engine: str, code_version: str, status: str, plan: DbtPlan
) -> None:
    with connect(build_db) as con:
        _ensure(con)
        con.execute(
            f"INSERT INTO {_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, asset, engine, code_version, status, plan.reason, len(plan.kept), now_utc()],
        )


def _ensure(con) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {_TABLE} (
              run_id VARCHAR, asset VARCHAR, engine VARCHAR, code_version VARCHAR, status VARCHAR,
              reason VARCHAR, kept_nodes INTEGER, built_at TIMESTAMP)"""
    )
    con.execute(
        f"COMMENT ON TABLE {_TABLE} IS 'Every dbt build of the pipeline: started, then succeeded; full or only "
        "the models downstream of what changed (why, and how many models were kept as last built).'"
    )
