"""The dbt project as Dagster assets; dbt tests become asset checks."""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import WAREHOUSE_POOL
from orchestration.settings import DBT_PROJECT_DIR

DBT_LAYERS = ("staging", "intermediate", "marts")


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


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=LayeredTranslator(),
        pool=WAREHOUSE_POOL,
    )
    def pql_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        yield from dbt.cli(["build"], context=context).stream()

    return pql_dbt_models
