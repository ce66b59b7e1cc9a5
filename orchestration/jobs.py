"""Jobs: what a run materializes."""

from __future__ import annotations

import dagster as dg

#: Everything: raw loads, dbt seeds, models and tests, and the checks on them.
pql_daily_job = dg.define_asset_job(
    name="pql_daily",
    selection=dg.AssetSelection.all(),
    description="Load new raw files, build every dbt model and run every check.",
)
