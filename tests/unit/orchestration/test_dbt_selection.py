"""Which dbt models a build rebuilds: those downstream of the changed sources, unless a full build is due."""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestration.defs.dbt_selection import (
    STARTED,
    SUCCEEDED,
    DbtPlan,
    last_build,
    loaded_tables,
    now_utc,
    plan_build,
    record_build,
)
from warehouse.quality.audit import record_accepted_load

# raw.whd -> stg_whd -> int_whd -> mart_both <- int_qcew <- stg_qcew <- raw.qcew; a seed ref_codes -> dim_codes
EDGES = {
    "source.p.raw.raw_whd": ["model.p.stg_whd"],
    "source.p.raw.raw_qcew": ["model.p.stg_qcew"],
    "model.p.stg_whd": ["model.p.int_whd", "test.p.not_null_stg_whd"],
    "model.p.stg_qcew": ["model.p.int_qcew"],
    "model.p.int_whd": ["model.p.mart_both"],
    "model.p.int_qcew": ["model.p.mart_both"],
    "seed.p.ref_codes": ["model.p.dim_codes"],
}
NODES = ["stg_whd", "stg_qcew", "int_whd", "int_qcew", "mart_both", "dim_codes"]


def _manifest() -> dict:
    nodes = {f"model.p.{n}": {"name": n, "resource_type": "model"} for n in NODES}
    nodes["seed.p.ref_codes"] = {"name": "ref_codes", "resource_type": "seed"}
    nodes["test.p.not_null_stg_whd"] = {"name": "not_null_stg_whd", "resource_type": "test"}
    sources = {
        "source.p.raw.raw_whd": {"source_name": "raw", "name": "raw_whd"},
        "source.p.raw.raw_qcew": {"source_name": "raw", "name": "raw_qcew"},
    }
    parents: dict[str, list[str]] = {}
    for parent, children in EDGES.items():
        for child in children:
            parents.setdefault(child, []).append(parent)
    return {"nodes": nodes, "sources": sources, "child_map": EDGES, "parent_map": parents}


SCOPE = [*NODES, "ref_codes"]
DONE = {"status": SUCCEEDED, "code_version": "c1"}


def _plan(changed, previous=DONE, code="c1", force=False) -> DbtPlan:
    return plan_build(_manifest(), SCOPE, changed, previous=previous, code_version=code, force=force)


def test_only_the_models_downstream_of_a_changed_source_are_rebuilt():
    plan = _plan({"raw.raw_whd"})
    assert not plan.full
    assert set(plan.kept) == {"stg_qcew", "int_qcew", "dim_codes", "ref_codes"}
    assert plan.exclude_args() == ["--exclude", " ".join(plan.kept)]
    # Reported to Dagster in dependency order: a node after the nodes it reads.
    assert plan.kept.index("stg_qcew") < plan.kept.index("int_qcew")
    assert plan.kept.index("ref_codes") < plan.kept.index("dim_codes")


def test_nothing_changed_keeps_every_model():
    assert set(_plan(set()).kept) == set(SCOPE)


def test_a_full_build_when_forced_never_built_unfinished_or_the_code_changed():
    assert _plan({"raw.raw_whd"}, force=True).full
    assert _plan({"raw.raw_whd"}, previous=None).full
    assert _plan({"raw.raw_whd"}, previous={"status": STARTED, "code_version": "c1"}).full
    changed_code = _plan({"raw.raw_whd"}, code="c2")
    assert changed_code.full and "code changed" in changed_code.reason
    assert _plan({"raw.raw_whd"}, force=True).exclude_args() == []


def test_builds_and_loads_are_read_back_from_the_build_database(tmp_path):
    db = tmp_path / "build.duckdb"
    assert last_build(db, "dbt_models", "duckdb") is None
    assert loaded_tables(db, datetime(2000, 1, 1)) == set()
    plan = DbtPlan(True, "forced run")
    record_build(db, run_id="r", asset="dbt_models", engine="duckdb", code_version="c1", status=STARTED, plan=plan)
    started = last_build(db, "dbt_models", "duckdb")
    assert (started["status"], started["code_version"]) == (STARTED, "c1")
    record_build(db, run_id="r", asset="dbt_models", engine="duckdb", code_version="c1", status=SUCCEEDED, plan=plan)
    done = last_build(db, "dbt_models", "duckdb")
    assert done["status"] == SUCCEEDED and done["started_at"] == started["started_at"]
    assert last_build(db, "dbt_models", "spark") is None
    record_accepted_load(db, run_id="ingest", table="raw_whd", slice_counts={"all": 3}, files=[{"sha256": "s"}])
    assert loaded_tables(db, done["started_at"]) == {"raw.raw_whd"}, "loaded after the last build started"
    assert loaded_tables(db, now_utc() + timedelta(seconds=1)) == set()
