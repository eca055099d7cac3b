"""Run tags: every tag a run of this code location carries or reads, in one place.

Who sets each: the command line (through `orchestration.run`), the drop-folder sensor, or Dagster's
own partition-range tags for a run over several fiscal years.
"""

from __future__ import annotations

INPUT_TAG = "warehouse/input"  # where a run takes its files: DROP, or the warehouse resource's input mode
DROP = "drop"
LOAD_MODE_TAG = "warehouse/load_mode"  # "merge": load the run's file beside the table's other files
FILE_TAG = "warehouse/file"  # the dropped file a sensor run loads (shown in the UI)
INGEST_PATH_TAG = "warehouse/ingest_path"  # `warehouse ingest`: the one file the run loads
FISCAL_YEARS_TAG = "warehouse/fiscal_years"  # the fiscal years a partial run rebuilds (comma list)
HOME_TAG = "warehouse/home"  # the WAREHOUSE_HOME a run wrote (several homes may share one DAGSTER_HOME)
LAUNCHED_BY_TAG = "warehouse/launched_by"
LAUNCHED_BY_CLI = {LAUNCHED_BY_TAG: "cli"}  # the command line alerts on its own runs; the sensors leave them
PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"
