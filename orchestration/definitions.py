"""The Dagster code location: ``dg dev`` / ``dagster dev`` load ``defs`` from here."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import build_dbt_assets, dbt_project
from orchestration.assets.raw import build_raw_definitions
from orchestration.jobs import pql_daily_job
from orchestration.resources import build_resources
from orchestration.schedules import pql_daily_schedule
from orchestration.settings import Settings


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    raw_assets, raw_checks = build_raw_definitions()
    return dg.Definitions(
        assets=[*raw_assets, build_dbt_assets(dbt_project())],
        asset_checks=raw_checks,
        jobs=[pql_daily_job],
        schedules=[pql_daily_schedule],
        resources=build_resources(settings),
        # DuckDB allows one writing process per file: steps of a run execute one after
        # another in the run's process. Runs are serialized by the pool in dagster.yaml.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
