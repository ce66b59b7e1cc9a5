"""The dbt project as Dagster assets; dbt tests become asset checks.

Three asset definitions over one manifest, so that the score history can be partitioned
by day while everything else is rebuilt each run:

    pql_dbt_models          seeds, staging, intermediate, and the as-of marts (users, ...)
    pql_score_history_daily the scoring chain of the partition's days: the calendar, the
                            company tables (tag scoring_run_days), the score views and
                            marts.pql_score_history (one partition a day)
    pql_marts_from_history  the marts read from the history (pql_scores, companies, ...)
"""

import shutil
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.environment import patched_environ
from orchestration.partitions import DBT_VAR_ENV, dbt_vars, window_from_tags
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR, Settings

DBT_LAYERS = ("staging", "intermediate", "marts")
HISTORY_MODEL = "pql_score_history"
#: The models built for the scored days only, from the calendar to the history: they are
#: partitioned with it, so that materializing a day never reads another run's days.
SCORING_CHAIN = f"int_scoring_calendar+,+{HISTORY_MODEL}"
#: dbt tag of the tables in that chain that hold only the days of the latest run.
RUN_DAYS_TAG = "scoring_run_days"
#: dbt tests left out of Dagster runs: grain tests of the daily scoring views, each of which
#: recomputes the whole chain over the run's days. The grain is checked once, materialized,
#: by the tests of marts.pql_score_history; `dbt build` by hand and the tests run them all.
CHAIN_RECOMPUTING_TESTS = "recomputes_scoring_chain"


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class LayeredTranslator(DagsterDbtTranslator):
    """Asset keys `<layer>/<model>` and groups by dbt layer (staging, intermediate, marts)."""

    @staticmethod
    def _layer(dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return next((part for part in fqn if part in DBT_LAYERS), None)

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        layer = self._layer(dbt_resource_props)
        name = dbt_resource_props["name"]
        return dg.AssetKey([layer, name]) if layer else dg.AssetKey(name)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "config"
        return self._layer(dbt_resource_props) or super().get_group_name(dbt_resource_props)


class DbtBuildConfig(dg.Config):
    """Run config of the dbt steps (Launchpad: ops: <step>: config: full_refresh: true)."""

    full_refresh: bool = False  # rebuild incremental models from scratch


def _build(
    context: dg.AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
) -> Iterator[Any]:
    """`dbt build` of the selected models with the run's scoring window.

    The window reaches dbt through the environment variables that its vars read
    (dbt_project.yml), not `--vars`: new `--vars` make dbt re-parse the whole project
    (seconds per step), a changed environment variable only the files that use it.
    """
    window = window_from_tags(context.run.tags)
    run_vars = dbt_vars(window, Settings.from_env().as_of, warehouse.latest_scored_day())
    context.log.info(f"dbt vars for this run: {run_vars or 'none (dbt defaults)'}")
    args = ["build", *(["--full-refresh"] if config.full_refresh else [])]
    with patched_environ({DBT_VAR_ENV[name]: value for name, value in run_vars.items()}):
        invocation = dbt.cli(args, context=context)  # starts dbt with this environment
    yield from invocation.stream()
    # dbt writes a folder of artifacts per invocation under target/; keep only failed
    # ones (their dbt.log explains the failure), or the folder grows by MBs every run.
    if invocation.is_successful():
        shutil.rmtree(invocation.target_path, ignore_errors=True)


def build_dbt_assets(
    project: DbtProject, partitions: dg.PartitionsDefinition
) -> list[dg.AssetsDefinition]:
    def dbt_step(name: str, **selection: Any) -> dg.AssetsDefinition:
        @dbt_assets(
            name=name,
            manifest=project.manifest_path,
            project=project,
            dagster_dbt_translator=LayeredTranslator(),
            pool=WAREHOUSE_POOL,
            **selection,
        )
        def step(
            context: dg.AssetExecutionContext,
            config: DbtBuildConfig,
            dbt: DbtCliResource,
            warehouse: WarehouseResource,
        ) -> Iterator[Any]:
            yield from _build(context, config, dbt, warehouse)

        return step

    return [
        dbt_step(
            "pql_dbt_models",
            exclude=f"{SCORING_CHAIN} {HISTORY_MODEL}+ tag:{CHAIN_RECOMPUTING_TESTS}",
        ),
        dbt_step(
            "pql_score_history_daily",
            select=SCORING_CHAIN,
            exclude=f"tag:{CHAIN_RECOMPUTING_TESTS}",
            partitions_def=partitions,
            # A backfill of many days runs as one dbt build over the whole range.
            backfill_policy=dg.BackfillPolicy.single_run(),
        ),
        dbt_step("pql_marts_from_history", select=f"{HISTORY_MODEL}+", exclude=HISTORY_MODEL),
    ]
