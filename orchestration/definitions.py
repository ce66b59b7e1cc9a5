"""The Dagster code location: ``dg dev`` / ``dagster dev`` load ``defs`` from here."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import build_dbt_assets, dbt_project
from orchestration.assets.raw import build_raw_definitions
from orchestration.assets.reports import build_report_assets
from orchestration.assets.serving import build_serving_assets, build_serving_resources
from orchestration.checks import build_checks
from orchestration.freshness import apply_freshness
from orchestration.jobs import load_raw_files_job, pql_daily_job
from orchestration.partitions import daily_partitions
from orchestration.resources import build_resources
from orchestration.schedules import build_daily_schedule
from orchestration.sensors import new_raw_files_sensor
from orchestration.settings import Settings


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    raw_assets, raw_checks = build_raw_definitions()
    dbt_assets = build_dbt_assets(dbt_project(), daily_partitions(settings.partitions_start))
    return dg.Definitions(
        assets=apply_freshness(
            [*raw_assets, *dbt_assets, *build_serving_assets(), *build_report_assets()]
        ),
        asset_checks=[*raw_checks, *build_checks(settings)],
        jobs=[pql_daily_job, load_raw_files_job],
        schedules=[build_daily_schedule(settings)],
        sensors=[new_raw_files_sensor],
        resources={**build_resources(settings), **build_serving_resources(settings)},
        # DuckDB allows one writing process per file: steps of a run execute one after
        # another in the run's process. Runs are serialized by the pool in dagster.yaml.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
