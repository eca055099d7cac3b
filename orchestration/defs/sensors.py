"""Sensors: a run starts when a new (or changed) file appears in the local drop folder.

Agencies that download files by hand drop them, under their published names, into
``$WAREHOUSE_DROP_FOLDER`` (default ``$WAREHOUSE_HOME/drop``). For each new file the sensor asks
for one run that loads it into its table -- only its fiscal year for H-2A -- and rebuilds the
dbt models and the published warehouse. The run's tags tell the file assets to read the drop
folder and the raw assets to replace only the slices the file carries.
"""

import json
from pathlib import Path

import dagster as dg

from orchestration.defs.jobs import build_warehouse
from orchestration.defs.registry import extract_load_asset_names, is_extract_load_asset
from orchestration.defs.resources import WarehouseResource
from sources import all_tables

INPUT_TAG = "warehouse/input"
LOAD_MODE_TAG = "warehouse/load_mode"
DROP = "drop"


def drop_folder_requests(
    folder: Path, seen: dict[str, str], downstream: list[dg.AssetKey]
) -> tuple[list[dg.RunRequest], dict[str, str]]:
    """Run requests for files in `folder` not in `seen` (name -> size:mtime), and the new cursor."""
    requests: list[dg.RunRequest] = []
    current: dict[str, str] = {}
    if not folder.is_dir():
        return requests, seen
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        tables = [(spec, table) for spec, table in all_tables() if table.matches(path.name)]
        if not tables:
            continue
        stat = path.stat()
        current[path.name] = f"{stat.st_size}:{int(stat.st_mtime)}"
        if seen.get(path.name) == current[path.name]:
            continue
        spec, table = tables[0]
        keys = [dg.AssetKey(name) for name in extract_load_asset_names(spec, table)]
        requests.append(
            dg.RunRequest(
                run_key=f"{path.name}:{current[path.name]}",
                asset_selection=keys + downstream,
                partition_key=table.partition_of(path) if table.is_partitioned else None,
                tags={INPUT_TAG: DROP, LOAD_MODE_TAG: "merge", "warehouse/file": path.name},
            )
        )
    return requests, {**seen, **current}


@dg.sensor(
    name="new_files_in_drop_folder",
    job=build_warehouse,
    minimum_interval_seconds=60,
    description="Loads files dropped into $WAREHOUSE_DROP_FOLDER (published names), then rebuilds and publishes.",
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def new_files_in_drop_folder(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    seen = json.loads(context.cursor) if context.cursor else {}
    graph = context.repository_def.asset_graph
    downstream = [key for key in graph.get_all_asset_keys() if not is_extract_load_asset(key.to_user_string())]
    requests, cursor = drop_folder_requests(warehouse.drop_path(), seen, downstream)
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    if not requests:
        return dg.SkipReason(f"no new file in {warehouse.drop_path()}")
    return requests


default_sensors = [new_files_in_drop_folder]

__all__ = ["DROP", "INPUT_TAG", "LOAD_MODE_TAG", "default_sensors", "drop_folder_requests", "new_files_in_drop_folder"]
