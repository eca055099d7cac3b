"""Schedules: the weekly rebuild (WHD publishes weekly; slower sources are simply re-checked)."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.jobs import build_warehouse

weekly_build = dg.ScheduleDefinition(
    name="weekly_build",
    job=build_warehouse,
    cron_schedule="0 6 * * 1",
    execution_timezone="America/New_York",
    description="Every Monday 06:00 ET: rebuild from the configured inputs (WAREHOUSE_SOURCE).",
)

default_schedules = [weekly_build]

__all__ = ["default_schedules", "weekly_build"]
