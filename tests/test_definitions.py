"""The Dagster definitions load, and the asset graph is one connected lineage."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import build_definitions
from orchestration.raw.contract import ENTITY_NAMES


def test_definitions_load_with_every_raw_entity_and_staging_model():
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for name in ENTITY_NAMES:
        assert f"raw/{name}" in keys
        assert f"staging/stg_product__{name}" in keys


def test_staging_models_depend_on_their_raw_loader():
    graph = build_definitions().resolve_asset_graph()
    for name in ENTITY_NAMES:
        parents = graph.get(dg.AssetKey(["staging", f"stg_product__{name}"])).parent_keys
        assert dg.AssetKey(["raw", name]) in parents


def test_dbt_tests_and_reconciliation_are_asset_checks():
    graph = build_definitions().resolve_asset_graph()
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    for name in ENTITY_NAMES:
        assert (f"raw/{name}", "files_reconcile") in checks
    staging_checks = {name for asset, name in checks if asset.startswith("staging/")}
    assert any(name.startswith("unique_") for name in staging_checks)
    assert any(name.startswith("not_null_") for name in staging_checks)


def test_the_daily_job_is_scheduled_and_covers_everything():
    defs = build_definitions()
    job = defs.resolve_job_def("pql_daily")
    schedule = defs.resolve_schedule_def("pql_daily_schedule")
    assert schedule.job_name == job.name
    assert schedule.cron_schedule == "0 6 * * *"
    selected = job.asset_layer.selected_asset_keys
    assert dg.AssetKey(["raw", "events"]) in selected
    assert dg.AssetKey(["staging", "stg_product__events"]) in selected
