"""Daily partitions of the score history, and how a run's partitions become dbt vars.

A run for day D (the schedule's daily run, or one day of a backfill) scores only D; a
range run (a single-run backfill, or ``make run``) scores every day of its range. The
window and the as-of date are passed to every dbt step of the run as vars (through the
environment variables of :data:`DBT_VAR_ENV`), so all models of one run agree on the day
they describe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import dagster as dg

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def daily_partitions(start: date) -> dg.DailyPartitionsDefinition:
    """One partition per scoring day (UTC), from `start` up to yesterday."""
    return dg.DailyPartitionsDefinition(start_date=start.isoformat(), timezone="UTC")


@dataclass(frozen=True)
class ScoringWindow:
    """The days a run scores, both ends included."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.first_day > self.last_day:
            raise ValueError(f"empty scoring window {self.first_day} .. {self.last_day}")


def window_from_tags(tags: Mapping[str, str]) -> ScoringWindow | None:
    """The window of a partitioned run from its tags; None for an unpartitioned run."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return ScoringWindow(
            date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG])
        )
    if PARTITION_TAG in tags:
        day = date.fromisoformat(tags[PARTITION_TAG])
        return ScoringWindow(day, day)
    return None


def range_tags(window: ScoringWindow) -> dict[str, str]:
    """Tags that launch one run over a whole window (a single-run backfill)."""
    return {
        RANGE_START_TAG: window.first_day.isoformat(),
        RANGE_END_TAG: window.last_day.isoformat(),
    }


#: The environment variable each run var reaches dbt through (dbt_project.yml `vars`).
DBT_VAR_ENV = {"score_from": "PQL_SCORE_FROM", "score_to": "PQL_SCORE_TO", "as_of": "PQL_AS_OF"}


def dbt_vars(
    window: ScoringWindow | None, as_of_setting: date | None, latest_scored: date | None
) -> dict[str, str]:
    """The dbt vars of one run.

    - no window (a plain ``dbt build``-like run): only `PQL_AS_OF` if set; dbt scores the
      `score_history_days` days ending on the as-of date;
    - a window: score exactly its days; the marts describe `PQL_AS_OF` if set, else the
      newest day scored so far, so that backfilling an old day never turns today's list
      back into an old one.
    """
    if window is None:
        return {"as_of": as_of_setting.isoformat()} if as_of_setting else {}
    newest = max(window.last_day, latest_scored) if latest_scored else window.last_day
    return {
        "score_from": window.first_day.isoformat(),
        "score_to": window.last_day.isoformat(),
        "as_of": (as_of_setting or newest).isoformat(),
    }
