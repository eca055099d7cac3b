"""Our full build and the no-change rebuild through the real CLI, in a fresh WAREHOUSE_HOME, with the
time of every Dagster step (from the run's event log) and the gate time each raw step recorded."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

from benchmarks.measure import Measured, run_measured
from orchestration.run import write_dagster_yaml

WAREHOUSE_CLI = str(Path(sys.executable).with_name("warehouse"))
# Dagster step name prefix -> the stage it belongs to (the checks' steps are counted with their asset's stage).
STAGES = {
    "file_": "acquire",
    "parsed_": "parse",
    "raw_": "gate_and_load",
    "dbt_models": "dbt_staging_intermediate",
    "int_employer_links": "linkage",
    "dbt_marts": "dbt_marts",
    "published_": "publish",
}
BUILT = (0, 3)  # exit codes of a build that published (3: some files rejected)


def cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "WAREHOUSE_SOURCE")}
    env["WAREHOUSE_HOME"] = str(home)
    return env


def prepare_home(home: Path) -> None:
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    write_dagster_yaml(home / "dagster")


def run_build(home: Path, *extra: str) -> Measured:
    measured = run_measured([WAREHOUSE_CLI, "build", "--home", str(home), *extra], env=cli_env(home))
    if measured.returncode not in BUILT:
        raise RuntimeError(
            f"warehouse build {' '.join(extra)} exited {measured.returncode}:\n{measured.stderr[-3000:]}"
        )
    return measured


def step_stats(home: Path) -> list:
    """The newest run's step statistics (step key, start and end time, materializations)."""
    from dagster import DagsterInstance

    instance = DagsterInstance.from_config(str(home / "dagster"))
    (run,) = instance.get_runs(limit=1)
    return instance.get_run_step_stats(run.run_id)


def stage_seconds(stats: list) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for step in stats:
        stage = next((name for prefix, name in STAGES.items() if step.step_key.startswith(prefix)), "other")
        totals[stage] += (step.end_time or step.start_time) - step.start_time
    return dict(totals)


def stage_peak_rss_mb(stats: list, timeline: tuple[tuple[float, int], ...]) -> dict[str, float]:
    """Per stage: the highest resident memory of the build's process tree sampled during its steps."""
    peaks: dict[str, float] = defaultdict(float)
    for step in stats:
        stage = next((name for prefix, name in STAGES.items() if step.step_key.startswith(prefix)), "other")
        end = step.end_time or step.start_time
        during = [rss for at, rss in timeline if step.start_time <= at <= end]
        if during:
            peaks[stage] = max(peaks[stage], max(during) / 1e6)
    return dict(peaks)


def _source_of(step_key: str) -> str:
    return step_key.split("_", 1)[1].split("__", 1)[0]


def gate_shares(stats: list) -> dict[str, dict[str, float]]:
    """Per source: parse, gate and load seconds, and the gate's share of the three. The one-time Great
    Expectations import and context (`gx_setup`, paid in the raw step of whichever source gates first) is
    its own figure, in no share."""
    per_source: dict[str, dict[str, float]] = defaultdict(
        lambda: {"parse": 0.0, "gate": 0.0, "load": 0.0, "gx_setup": 0.0}
    )
    for step in stats:
        took = (step.end_time or step.start_time) - step.start_time
        if step.step_key.startswith("parsed_"):
            per_source[_source_of(step.step_key)]["parse"] += took
        elif step.step_key.startswith("raw_"):
            times = per_source[_source_of(step.step_key)]
            gate, setup = _step_metadata_seconds(step, "gate_seconds"), _step_metadata_seconds(step, "gx_setup_seconds")
            times["gate"] += gate
            times["gx_setup"] += setup
            times["load"] += max(took - gate - setup, 0.0)
    for times in per_source.values():
        ingest = times["parse"] + times["gate"] + times["load"]
        times["gate_share"] = times["gate"] / ingest if ingest else 0.0
    return dict(per_source)


def _step_metadata_seconds(step, key: str) -> float:
    """A raw step emits one materialization per partition, each with the step's summed seconds."""
    for entry in step.materialization_events:
        value = entry.asset_materialization.metadata.get(key)
        if value is not None:
            return float(value.value)
    return 0.0


def step_metadata(stats: list, step_prefix: str, key: str):
    """A metadata value of the step whose key starts `step_prefix` (e.g. WHD's row difference in raw_whd__...)."""
    for step in stats:
        if step.step_key.startswith(step_prefix):
            for entry in step.materialization_events:
                value = entry.asset_materialization.metadata.get(key)
                if value is not None:
                    return value.value
    return None


# What the build's linkage run reports (its asset's metadata: warehouse/linkage summary): how it linked, its
# counts and the seconds of its steps.
LINKAGE_FIGURES = (
    "mode",
    "records",
    "profiles",
    "matched_pairs",
    "employers",
    "pairs_predicted",
    "pairs_kept",
    "profiles_touched",
    "step_seconds",
    "pairs_step_seconds",
)


def linkage_figures(stats: list) -> dict:
    linkage_step = next(prefix for prefix, stage in STAGES.items() if stage == "linkage")
    return {key: step_metadata(stats, linkage_step, key) for key in LINKAGE_FIGURES}
