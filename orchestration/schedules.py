"""Schedules: when jobs run on their own.

The daily run's time and time zone are settings (``PQL_SCHEDULE_CRON``,
``PQL_SCHEDULE_TIMEZONE``, read and validated in :mod:`orchestration.settings`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dagster as dg

from orchestration.jobs import pql_daily_job
from orchestration.settings import Settings

DAILY_SCHEDULE_NAME = "pql_daily_schedule"


def build_daily_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """The schedule ``pql_daily_schedule``: run ``pql_daily`` on the configured cron.

    Each tick scores the day before the tick (in the schedule's time zone): the daily
    partition of the score history that has just completed. Stopped until someone switches
    it on (UI or ``dagster schedule start``), like every Dagster schedule without a default
    status.
    """

    @dg.schedule(
        name=DAILY_SCHEDULE_NAME,
        job=pql_daily_job,
        cron_schedule=settings.schedule_cron,
        execution_timezone=settings.schedule_timezone,
        description=(
            f"Runs pql_daily on cron `{settings.schedule_cron}` in {settings.schedule_timezone} "
            "(PQL_SCHEDULE_CRON, PQL_SCHEDULE_TIMEZONE) for the previous day's partition: "
            "load new raw drops, score the day, rebuild the marts, run every check."
        ),
        tags={"pql/trigger": "schedule"},
    )
    def pql_daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        day = previous_day(context.scheduled_execution_time)
        return dg.RunRequest(run_key=day.isoformat(), partition_key=day.isoformat())

    return pql_daily_schedule


def previous_day(tick: datetime) -> date:
    """The scoring day a tick runs: the day before the tick, in the tick's time zone."""
    return tick.date() - timedelta(days=1)
