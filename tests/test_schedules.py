"""The daily schedule and the operational settings behind it; freshness policies."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.assets.raw import build_raw_definitions
from orchestration.freshness import (
    DAILY_POLICY,
    DEFAULT_POLICY,
    apply_freshness,
    freshness_policy_for,
    with_freshness,
)
from orchestration.resources import RawFilesResource, WarehouseResource
from orchestration.schedules import build_daily_schedule
from orchestration.settings import Settings, SettingsError

# ------------------------------------------------------------------------------ schedule


def test_the_default_schedule_runs_pql_daily_at_six_utc():
    schedule = build_daily_schedule(Settings.from_env({}))
    assert schedule.name == "pql_daily_schedule"
    assert schedule.job_name == "pql_daily"
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_time_and_time_zone_come_from_the_environment():
    settings = Settings.from_env(
        {"PQL_SCHEDULE_CRON": "  30 7  * * 1-5 ", "PQL_SCHEDULE_TIMEZONE": "Europe/Berlin"}
    )
    schedule = build_daily_schedule(settings)
    assert schedule.cron_schedule == "30 7 * * 1-5"
    assert schedule.execution_timezone == "Europe/Berlin"
    assert "30 7 * * 1-5" in schedule.description


def test_a_tick_scores_the_day_before_it_in_the_schedules_time_zone():
    settings = Settings.from_env(
        {"PQL_SCHEDULE_CRON": "30 0 * * *", "PQL_SCHEDULE_TIMEZONE": "Europe/Berlin"}
    )
    schedule = build_daily_schedule(settings)
    # 00:30 in Berlin on Nov 2 is still Nov 1 in UTC: the tick scores Nov 1 (Berlin's
    # yesterday), not Oct 31.
    tick = datetime(2026, 11, 2, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick)
        request = schedule(context)
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == "2026-11-01"


@pytest.mark.parametrize("cron", ["0 6 * *", "0 6 * * * *", "61 6 * * *", "daily", "0 6 30 2 *"])
def test_an_invalid_cron_string_is_a_settings_error(cron):
    with pytest.raises(SettingsError, match="PQL_SCHEDULE_CRON"):
        Settings.from_env({"PQL_SCHEDULE_CRON": cron})


@pytest.mark.parametrize("zone", ["Mars/Olympus", "utc", "../etc/passwd", "+02:00"])
def test_an_unknown_time_zone_is_a_settings_error(zone):
    with pytest.raises(SettingsError, match="PQL_SCHEDULE_TIMEZONE"):
        Settings.from_env({"PQL_SCHEDULE_TIMEZONE": zone})


# ------------------------------------------------------------------- check thresholds


def test_check_thresholds_default_and_parse():
    defaults = Settings.from_env({})
    assert (defaults.max_reject_rate, defaults.max_row_count_change) == (0.05, 0.5)
    settings = Settings.from_env({"PQL_MAX_REJECT_RATE": "2%", "PQL_MAX_ROW_COUNT_CHANGE": "1.5"})
    assert settings.max_reject_rate == pytest.approx(0.02)
    assert settings.max_row_count_change == 1.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PQL_MAX_REJECT_RATE", "abc"),
        ("PQL_MAX_REJECT_RATE", "1.5"),
        ("PQL_MAX_REJECT_RATE", "-1%"),
        ("PQL_MAX_REJECT_RATE", "nan"),
        ("PQL_MAX_ROW_COUNT_CHANGE", "-0.1"),
        ("PQL_MAX_ROW_COUNT_CHANGE", "inf"),
    ],
)
def test_an_unusable_threshold_is_a_settings_error(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


# ----------------------------------------------------------------------------- freshness


def test_raw_and_marts_are_daily_everything_else_gets_the_default():
    assert freshness_policy_for(dg.AssetKey(["raw", "events"])) == DAILY_POLICY
    assert freshness_policy_for(dg.AssetKey(["marts", "pql_scores"])) == DAILY_POLICY
    assert freshness_policy_for(dg.AssetKey(["staging", "stg_product__users"])) == DEFAULT_POLICY
    assert freshness_policy_for(dg.AssetKey("event_catalog")) == DEFAULT_POLICY
    assert DAILY_POLICY.warn_window.to_timedelta() == timedelta(hours=26)
    assert DAILY_POLICY.fail_window.to_timedelta() == timedelta(hours=50)


def _policies(defs: dg.Definitions) -> dict[dg.AssetKey, dg.FreshnessPolicy | None]:
    graph = defs.resolve_asset_graph()
    return {key: graph.get(key).freshness_policy for key in graph.get_all_asset_keys()}


RESOURCES = {
    "warehouse": WarehouseResource(duckdb_path="unused.duckdb"),
    "raw_files": RawFilesResource(seeds_dir="unused"),
}


def test_every_asset_gets_a_freshness_policy():
    raw_assets, raw_checks = build_raw_definitions()
    mart = dg.AssetSpec(dg.AssetKey(["marts", "pql_scores"]), deps=[raw_assets[0]])
    other = dg.AssetSpec("some_model")
    defs = dg.Definitions(
        assets=apply_freshness([*raw_assets, mart, other]),
        asset_checks=raw_checks,
        resources=RESOURCES,
    )
    policies = _policies(defs)
    assert len(policies) == len(raw_assets) + 2
    assert all(policy is not None for policy in policies.values())
    assert policies[dg.AssetKey(["raw", "users"])] == DAILY_POLICY
    assert policies[mart.key] == DAILY_POLICY
    assert policies[other.key] == DEFAULT_POLICY
    # The same through Definitions.map_asset_specs, and an explicit policy wins.
    explicit = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=3))
    own = dg.AssetSpec("own_policy", freshness_policy=explicit)
    mapped = dg.Definitions(assets=[*raw_assets, own], resources=RESOURCES).map_asset_specs(
        func=with_freshness
    )
    policies = _policies(mapped)
    assert all(policy is not None for policy in policies.values())
    assert policies[own.key] == explicit


def test_every_asset_of_the_real_definitions_gets_a_policy():
    """The dbt multi-assets too (uses the dbt manifest, like test_definitions)."""
    from orchestration.definitions import build_definitions

    base = build_definitions()
    defs = dg.Definitions(
        assets=apply_freshness(list(base.assets or [])),
        asset_checks=list(base.asset_checks or []),
        resources=base.resources,
    )
    policies = _policies(defs)
    assert dg.AssetKey(["marts", "pql_scores"]) in policies
    assert [key for key, policy in policies.items() if policy is None] == []
    assert policies[dg.AssetKey(["marts", "pql_scores"])] == DAILY_POLICY
