"""Jobs: what a run materializes."""

from __future__ import annotations

import dagster as dg

#: Everything: raw loads, dbt seeds, models and tests, and the checks on them. Partitioned
#: by scoring day through the score history: a run scores one day (or a range of days).
pql_daily_job = dg.define_asset_job(
    name="pql_daily",
    selection=dg.AssetSelection.all(),
    description=(
        "Load new raw files, build every dbt model, score the run's day(s) into the score "
        "history, rebuild the marts and run every check."
    ),
)

#: Only the raw loads: what the new-files sensor runs when files are dropped.
load_raw_files_job = dg.define_asset_job(
    name="load_raw_files",
    selection=dg.AssetSelection.groups("raw"),
    description="Load the raw files not loaded yet (each file once, by content).",
)
