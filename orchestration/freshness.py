"""Freshness policies: how old each asset may get before Dagster warns or fails.

The pipeline runs once a day, so the assets people look at (the raw loads, which show
whether data still arrives, and the BI marts) warn after 26 hours (a daily run was late
or missed) and fail after 50 hours (two runs missed). Every other asset (dbt seeds,
staging views, intermediate models) is rebuilt by the same daily run; it gets a looser
default so that one missed run raises a handful of alerts, on the assets that matter,
instead of one per model. The default still catches an asset that silently stopped being
built (deselected, excluded from a job).

Dagster 1.13 evaluates these policies in the daemon (the freshness daemon is on by
default, ``freshness: enabled`` in dagster.yaml) and shows the state in the UI.
An explicit policy already on an asset (for example set in dbt ``meta``) is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TypeVar

import dagster as dg

#: Raw loads and BI marts: daily data.
DAILY_POLICY = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=50), warn_window=timedelta(hours=26)
)
#: Everything else.
DEFAULT_POLICY = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=7), warn_window=timedelta(hours=50)
)
#: First part of the asset key -> policy; any other key gets DEFAULT_POLICY.
POLICIES_BY_KEY_PREFIX: dict[str, dg.FreshnessPolicy] = {
    "raw": DAILY_POLICY,
    "marts": DAILY_POLICY,
    "serving": DAILY_POLICY,
    "reports": DAILY_POLICY,
}

AssetLike = TypeVar("AssetLike", dg.AssetsDefinition, dg.AssetSpec)


def freshness_policy_for(key: dg.AssetKey) -> dg.FreshnessPolicy:
    return POLICIES_BY_KEY_PREFIX.get(key.path[0], DEFAULT_POLICY)


def with_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    """The spec with its policy (an explicit policy already on the spec wins).

    Usable as ``Definitions(...).map_asset_specs(func=with_freshness)``.
    """
    if spec.freshness_policy is not None:
        return spec
    return spec.replace_attributes(freshness_policy=freshness_policy_for(spec.key))


def apply_freshness(assets: Iterable[AssetLike]) -> Sequence[AssetLike]:
    """Attach a policy to every asset of AssetsDefinitions (also @dbt_assets) and AssetSpecs."""
    return dg.map_asset_specs(with_freshness, list(assets))
