"""The code location loads, every job resolves, and the lineage is one connected graph."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import defs
from sources import all_tables


def test_definitions_load_and_every_job_resolves():
    for job in defs.jobs or []:
        assert defs.resolve_job_def(job.name) is not None
    assert defs.resolve_job_def("build_warehouse") is not None


def test_each_source_table_has_file_parsed_and_raw_assets_wired_to_dbt():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for spec, table in all_tables():
        raw = table.contract.table_name
        assert {f"file_{spec.name}__{table.file_kind}", f"parsed_{spec.name}__{table.contract.name}", raw} <= keys
        children = {k.to_user_string() for k in graph.get(dg.AssetKey(raw)).child_keys}
        assert any(c.startswith(f"stg_{spec.name}__") for c in children), f"no staging model reads {raw}"


def test_lineage_is_one_connected_graph_ending_in_publish_then_the_report():
    graph = defs.resolve_asset_graph()
    published, report = dg.AssetKey("published_warehouse"), dg.AssetKey("published_report")
    assert graph.get(report).parent_keys == {published}, "the report is written from the published copy only"
    ancestors = _ancestors(graph, published)
    everything = set(graph.get_all_asset_keys()) - {published, report}
    assert everything <= ancestors, (
        f"not upstream of publish: {sorted(k.to_user_string() for k in everything - ancestors)}"
    )


def test_the_build_job_writes_the_report():
    job = defs.resolve_job_def("build_warehouse")
    assert dg.AssetKey("published_report") in job.asset_layer.executable_asset_keys


def _ancestors(graph, key):
    seen, stack = set(), [key]
    while stack:
        for parent in graph.get(stack.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen
