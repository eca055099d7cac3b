"""orchestration.run: the outcome of a run in plain values (what the command line prints), and the
helpers around a run (dagster.yaml written once, the assets of a partial build)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.run import DAGSTER_YAML, RunOutcome, StepFailure, write_dagster_yaml


def _outcome(**fields) -> RunOutcome:
    base = dict(run_id="r1", success=True, started_at="t0", finished_at="t1", seconds=1.0, dbt_log=Path("x.log"))
    return RunOutcome(**{**base, **fields})


def test_the_one_outcome_of_a_one_file_run():
    outcome = _outcome(table_outcomes={"raw_h2a__disclosure": {"2016": ("loaded", 12)}})
    assert outcome.table_outcome("raw_h2a__disclosure") == ("loaded", 12)
    with pytest.raises(RuntimeError, match="did not materialize raw_whd__compliance_actions"):
        outcome.table_outcome("raw_whd__compliance_actions")


def test_failed_steps_and_download_failures_per_source():
    failures = (
        StepFailure(
            "file_h2a__disclosure", "long message", "h2a: cannot connect", "h2a fiscal year 2008: cannot connect"
        ),
        StepFailure("file_h2a__addendum_b", "long", "h2a again", "h2a fiscal year 2020: cannot connect"),
        StepFailure("dbt_models", "a dbt test failed", "a dbt test failed"),
    )
    outcome = _outcome(success=False, failures=failures)
    assert outcome.failed_steps == [
        {"step": "file_h2a__disclosure", "error": "h2a: cannot connect"},
        {"step": "file_h2a__addendum_b", "error": "h2a again"},
        {"step": "dbt_models", "error": "a dbt test failed"},
    ]
    assert outcome.download_failures == {"h2a": "h2a fiscal year 2008: cannot connect"}, "the first per source"


def test_the_dagster_yaml_is_written_once(tmp_path):
    config = write_dagster_yaml(tmp_path / "dagster")
    assert config.read_text(encoding="utf-8") == DAGSTER_YAML
    config.write_text("telemetry:\n  enabled: false\nrun_monitoring: {}\n", encoding="utf-8")
    write_dagster_yaml(tmp_path / "dagster")
    assert "run_monitoring" in config.read_text(encoding="utf-8"), "an existing file is kept"
