"""Schedules: the weekly rebuild (WHD publishes weekly; slower sources are simply re-checked)."""

import dagster as dg

from orchestration.defs.jobs import build_warehouse
from orchestration.defs.partitions import FULL_RANGE_TAGS


@dg.schedule(
    name="weekly_build",
    job=build_warehouse,
    cron_schedule="0 6 * * 1",
    execution_timezone="America/New_York",
    description="Every Monday 06:00 ET: rebuild everything (all H-2A fiscal years) from WAREHOUSE_SOURCE.",
)
def weekly_build(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """One run over the whole fiscal-year range, keyed by the scheduled time."""
    return dg.RunRequest(run_key=context.scheduled_execution_time.isoformat(), tags=FULL_RANGE_TAGS)


default_schedules = [weekly_build]

__all__ = ["default_schedules", "weekly_build"]
