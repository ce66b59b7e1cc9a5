"""Schedules: when jobs run on their own."""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import pql_daily_job

pql_daily_schedule = dg.ScheduleDefinition(
    name="pql_daily_schedule",
    job=pql_daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    description="Every day at 06:00 UTC: load yesterday's raw drops and rebuild the marts.",
)
