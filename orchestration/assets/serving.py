"""The asset ``serving/duckdb``: publish the checked marts to the read-only serving file.

Write-audit-publish: dbt writes the marts into the working warehouse (write), dbt tests and
the blocking checks of ``orchestration/checks.py`` run on them (audit), then this asset
copies them into a new serving file and swaps it in (publish, ``orchestration/serving``).
It depends on every mart, so in a run where a blocking check or a dbt test fails it does
not run at all and BI readers keep the previous publication.

It also refuses to publish when it runs on its own (``Materialize`` on just this asset)
and the latest execution of a check on a mart failed: the working warehouse then holds
marts that did not pass their checks. See docs/serving.md.
"""

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.serving.publish import KEEP_PUBLICATIONS, SERVING_MARTS, publish
from orchestration.settings import Settings

SERVING_ASSET_KEY = dg.AssetKey(["serving", "duckdb"])
SERVING_GROUP = "serving"


class ServingResource(dg.ConfigurableResource):
    """The published read-only copy for BI readers (``PQL_SERVING_PATH``)."""

    serving_path: str
    keep_publications: int = KEEP_PUBLICATIONS

    @classmethod
    def from_settings(cls, settings: Settings) -> "ServingResource":
        return cls(serving_path=str(settings.serving_path))


def build_serving_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """``{"serving": ServingResource}``, to merge into the definitions' resources."""
    return {"serving": ServingResource.from_settings(settings)}


def mart_asset_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


def unverified_marts(
    context: dg.AssetExecutionContext, mart_keys: Sequence[dg.AssetKey]
) -> list[str]:
    """Why the marts' current state has not passed its checks (empty: publish).

    The checks considered: those of the code location's asset graph (known when the run is
    launched from the code location: UI, schedule), those of this run, and those planned
    in the runs that last materialized the marts. For each, the latest execution must have
    passed (or failed with severity WARN) on the mart's latest materialization. A check of
    this run that has not reported yet is no reason: the blocking ones run before this
    asset, because it depends on their assets.
    """
    instance = context.instance
    wanted = set(mart_keys)
    latest_materialization = {key: _latest_materialization(instance, key) for key in wanted}
    check_keys = {key for key in _known_check_keys(context) if key.asset_key in wanted}
    for run_id in {record.run_id for record in latest_materialization.values() if record}:
        check_keys |= {
            key for key in _checks_planned_in(instance, run_id) if key.asset_key in wanted
        }
    if not check_keys:
        return []
    ordered = sorted(check_keys, key=lambda key: (key.asset_key.to_user_string(), key.name))
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(ordered)
    problems = []
    for check_key in ordered:
        name = f"{check_key.asset_key.to_user_string()}:{check_key.name}"
        record = latest.get(check_key)
        evaluation = record.evaluation if record else None
        # Only a check whose latest result failed (severity ERROR) stops the publication:
        # a check that never ran or did not report (e.g. one not selected in a partitioned
        # run) is no evidence against the marts, and blocking checks of this run have
        # already stopped it before this asset if they failed.
        if (
            isinstance(evaluation, dg.AssetCheckEvaluation)
            and not evaluation.passed
            and evaluation.severity == dg.AssetCheckSeverity.ERROR
        ):
            problems.append(f"{name} failed in run {record.run_id}")
    return problems


def _known_check_keys(context: dg.AssetExecutionContext) -> set[dg.AssetCheckKey]:
    keys = set(context.job_def.asset_layer.asset_graph.asset_check_keys)
    try:
        keys |= set(context.repository_def.asset_graph.asset_check_keys)
    except Exception:  # no repository in execute_in_process / dg.materialize
        context.log.debug("no repository definition: checks of this run only")
    return keys


def _latest_materialization(
    instance: dg.DagsterInstance, asset_key: dg.AssetKey
) -> dg.EventLogRecord | None:
    records = instance.fetch_materializations(asset_key, limit=1).records
    return records[0] if records else None


def _checks_planned_in(instance: dg.DagsterInstance, run_id: str) -> set[dg.AssetCheckKey]:
    planned = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
    ).records
    return {
        record.event_log_entry.dagster_event.event_specific_data.asset_check_key
        for record in planned
        if record.event_log_entry.dagster_event is not None
    }


def build_serving_assets(marts: Sequence[str] = SERVING_MARTS) -> list[dg.AssetsDefinition]:
    """The asset ``serving/duckdb``, downstream of ``marts/<name>`` for each of ``marts``."""
    marts = tuple(marts)
    mart_keys = [mart_asset_key(name) for name in marts]

    @dg.asset(
        key=SERVING_ASSET_KEY,
        group_name=SERVING_GROUP,
        kinds={"duckdb"},
        deps=mart_keys,
        pool=WAREHOUSE_POOL,
        description=(
            "The read-only copy of the BI marts at PQL_SERVING_PATH (and as Parquet in "
            "`parquet/latest/` beside it), replaced whole after the marts passed every "
            f"blocking check. Marts: {', '.join(marts)}; plus meta.publication. "
            "See docs/serving.md."
        ),
    )
    def serving_duckdb(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        serving: ServingResource,
    ) -> dg.MaterializeResult:
        problems = unverified_marts(context, mart_keys)
        if problems:
            raise dg.Failure(
                description=(
                    "Not published: the marts in the working warehouse have not passed their "
                    "checks. Re-run the marts with their checks (job pql_daily). BI readers "
                    "keep the previous publication."
                ),
                metadata={"problems": dg.MetadataValue.json(problems)},
            )
        result = publish(
            Path(warehouse.duckdb_path),
            Path(serving.serving_path),
            marts,
            context.run_id,
            keep=serving.keep_publications,
        )
        context.log.info(
            f"Published {result.publication_id} (as of {result.as_of_date}) to "
            f"{result.serving_path} in {result.duration_seconds:.2f}s"
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.serving_path)),
                "publication_id": result.publication_id,
                "as_of_date": str(result.as_of_date),
                "rows_per_mart": dg.MetadataValue.json(result.rows),
                "total_rows": sum(result.rows.values()),
                "parquet_folder": dg.MetadataValue.path(str(result.parquet_dir)),
                "parquet_latest": dg.MetadataValue.path(str(result.latest_link)),
                "pruned_publications": dg.MetadataValue.json([p.name for p in result.pruned]),
                "size_bytes": result.size_bytes,
                "duration_seconds": result.duration_seconds,
            }
        )

    return [serving_duckdb]
