"""`benchmarks/run.py` end to end at a tiny scale: it completes and its JSON holds every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and value > 0


def test_benchmark_run_writes_every_figure(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--scale",
            "0.002",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(tmp_path / "results"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (path,) = (tmp_path / "results").glob("*-scale0.002.json")
    result = json.loads(path.read_text(encoding="utf-8"))
    assert "build vs floor" in done.stdout
    for figure in (
        result["ratio_to_baseline"],
        result["ratio_to_naive_pandas"],
        result["build"]["seconds"],
        result["build"]["peak_rss_mb"],
        result["floor"]["seconds"],
        result["naive_pandas"]["seconds"],
        result["no_change_rebuild"]["seconds"],
        result["sample_generation"]["seconds"],
        result["sample_generation"]["peak_rss_mb"],
        result["queries"]["p50_ms"],
        result["queries"]["p95_ms"],
        result["queries"]["warehouse_query_seconds"],
        result["weekly_update"]["seconds"],
        result["weekly_update"]["peak_rss_mb"],
    ):
        assert _positive(figure), figure
    assert {"parse", "gate_and_load", "dbt_staging_intermediate", "linkage", "dbt_marts", "publish"} <= set(
        result["build"]["stages"]
    )
    assert set(result["build"]["gates"]) == {"whd", "h2a", "h2b", "qcew", "debarment", "mspa"}
    assert all(0 <= g["gate_share"] <= 1 for g in result["build"]["gates"].values())
    assert result["queries"]["queries"] == 200
    assert result["no_change_rebuild"]["share_of_full_build"] < 1
    week = result["weekly_update"]
    assert week["whd_difference"]["all"]["new"] == week["week"]["whd_new"]
    assert week["whd_difference"]["all"]["changed"] == week["week"]["whd_changed"]
    assert "dbt_staging_intermediate" in week["stages"]
    # How each build linked, from its linkage asset's metadata: a full link, then an incremental one.
    assert result["build"]["linkage"]["mode"] == "full" and week["linkage"]["mode"] == "incremental"
    assert result["build"]["linkage"]["pairs_step_seconds"].keys() == {"training", "prediction", "kept_for_next_run"}
    assert week["linkage"]["records"] > result["build"]["linkage"]["records"]  # the week's new cases
    assert 0 < week["share_of_full_build"] < 1
    assert len(result["targets"]) == 8
