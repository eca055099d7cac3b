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


def test_lineage_is_one_connected_graph_ending_in_publish():
    graph = defs.resolve_asset_graph()
    published = dg.AssetKey("published_warehouse")
    upstream = graph.upstream_key_iterator(published) if hasattr(graph, "upstream_key_iterator") else None
    ancestors = set(upstream) if upstream is not None else _ancestors(graph, published)
    everything = set(graph.get_all_asset_keys()) - {published}
    assert everything <= ancestors, (
        f"not upstream of publish: {sorted(k.to_user_string() for k in everything - ancestors)}"
    )


def _ancestors(graph, key):
    seen, stack = set(), [key]
    while stack:
        for parent in graph.get(stack.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen
