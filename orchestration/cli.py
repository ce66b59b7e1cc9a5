"""Command line entry points used by the Makefile.

``python -m orchestration.cli run`` materializes the ``pql_daily`` job on the configured
raw files (the bundled sample by default), scoring every day up to the as-of date, and
prints what the warehouse now holds. ``python -m orchestration.cli daily YYYY-MM-DD`` runs
the one-day partition that the daily schedule would run for that day.
"""

from __future__ import annotations

import argparse
import fcntl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.partitions import ScoringWindow, range_tags
from orchestration.settings import Settings


def _print_table(title: str, columns: list[str], rows: list[tuple]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(v)) for v in [c, *(r[i] for r in rows)]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))


def print_summary(settings: Settings) -> None:
    """Top PQL companies if the marts exist, else what the raw and staging layers hold."""
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        tables = {
            (schema, name)
            for schema, name in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
        if ("marts", "pql_scores") in tables:
            cursor = con.execute(
                "SELECT company_domain, score, tier, route_to_sales, reason_summary "
                "FROM marts.pql_scores ORDER BY score DESC, company_domain LIMIT 10"
            )
            rows = cursor.fetchall()
            _print_table(
                "Top companies (marts.pql_scores)", [d[0] for d in cursor.description], rows
            )
            return
        rows = con.execute(
            """
            SELECT entity, count(*) AS files, sum(rows_read), sum(rows_inserted),
                   sum(rows_duplicate), sum(rows_rejected)
            FROM raw.load_log GROUP BY entity ORDER BY entity
            """
        ).fetchall()
        _print_table(
            "Raw layer (raw.load_log)",
            ["entity", "files", "read", "inserted", "duplicate", "rejected"],
            rows,
        )
        staging = sorted(name for schema, name in tables if schema == "staging")
        counts = [
            (name, con.execute(f'SELECT count(*) FROM staging."{name}"').fetchall()[0][0])
            for name in staging
        ]
        _print_table("Staging layer", ["model", "rows"], counts)


#: Tag on every run this command starts: a run killed with its process (SIGKILL, power loss)
#: is recognised by it on the next start.
CLI_RUN_TAG = "pql/started_by"
CLI_RUN_TAG_VALUE = "orchestration.cli"
UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
LOCK_FILE_NAME = ".pql-cli-run.lock"


@contextmanager
def one_cli_run_at_a_time(instance: dg.DagsterInstance) -> Iterator[None]:
    """Hold an exclusive lock on the instance for the whole command; the OS drops it on kill.

    While we hold it no other process of this command runs on the instance, so a run of this
    command that is still marked unfinished was killed: :func:`reclaim_killed_runs`.
    """
    root = getattr(instance, "root_directory", None)
    if not root:
        yield
        return
    lock_path = Path(root) / LOCK_FILE_NAME
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Waiting for another `orchestration.cli run` on {root} to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def reclaim_killed_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark the killed runs of this command failed and free their pool slots.

    A process killed with SIGKILL never reports its run's end: the run stays STARTED and
    keeps its slot of the pool ``duckdb_warehouse`` (limit 1, dagster.yaml), so every later
    run would wait for that slot forever. Call only under :func:`one_cli_run_at_a_time`.
    """
    records = instance.get_run_records(
        dg.RunsFilter(statuses=UNFINISHED, tags={CLI_RUN_TAG: CLI_RUN_TAG_VALUE})
    )
    reclaimed = []
    for record in records:
        run = record.dagster_run
        instance.report_run_failed(
            run, "The process of this run ended without reporting (killed); reclaimed."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reclaimed.append(run.run_id)
    return reclaimed


LOG_AT_INFO = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
AS_OF_MODEL = dg.AssetKey(["intermediate", "int_as_of_date"])


def scoring_window(
    defs: dg.Definitions, settings: Settings, instance: dg.DagsterInstance
) -> ScoringWindow:
    """Every day from the first event to the as-of date (`PQL_AS_OF`, else the warehouse's).

    Loads the raw files and builds the as-of date model first, so that the default as-of
    date comes from the one rule in dbt (int_as_of_date), not from a copy of it here.
    """
    # Checks run in the main run; here only the models the as-of date needs.
    selection = (
        dg.AssetSelection.groups("raw") | dg.AssetSelection.assets(AS_OF_MODEL).upstream()
    ).without_checks()
    result = dg.materialize(
        list(defs.assets or []),
        selection=selection,
        instance=instance,
        resources=defs.resources,
        run_config=LOG_AT_INFO,
        tags={CLI_RUN_TAG: CLI_RUN_TAG_VALUE},
        raise_on_error=True,
    )
    if not result.success:
        raise RuntimeError("loading the raw files failed")
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        as_of, first_day = con.execute(
            "SELECT (SELECT as_of_date FROM intermediate.int_as_of_date), "
            "(SELECT min(occurred_date) FROM staging.stg_product__events)"
        ).fetchall()[0]
    if as_of is None or first_day is None:
        raise RuntimeError(f"no events in {settings.seeds_dir}: nothing to score")
    return ScoringWindow(min(first_day, settings.as_of or as_of), settings.as_of or as_of)


DBT_STEPS = ("pql_dbt_models", "pql_score_history_daily", "pql_marts_from_history")


def materialize_everything(
    settings: Settings, instance: dg.DagsterInstance, full_refresh: bool = False
) -> dg.ExecuteInProcessResult:
    """Load, build and check everything, scoring every day up to the as-of date in one run.

    `full_refresh` rebuilds the incremental models from scratch (after a model change).
    """
    from orchestration.definitions import build_definitions

    defs = build_definitions(settings)
    window = scoring_window(defs, settings, instance)
    print(f"Scoring every day from {window.first_day} to {window.last_day} in one run")
    return defs.resolve_job_def("pql_daily").execute_in_process(
        instance=instance,
        raise_on_error=False,
        tags={**range_tags(window), CLI_RUN_TAG: CLI_RUN_TAG_VALUE},
        # Progress at INFO: one line per raw file and per dbt node, not Dagster's debug.
        run_config={
            **LOG_AT_INFO,
            "ops": {step: {"config": {"full_refresh": full_refresh}} for step in DBT_STEPS},
        },
    )


def materialize_day(
    settings: Settings, instance: dg.DagsterInstance, day: date
) -> dg.ExecuteInProcessResult:
    """The run the daily schedule launches: ``pql_daily`` for one day's partition.

    Loads the raw files that arrived since the last run, scores `day` and rebuilds the marts.
    """
    from orchestration.definitions import build_definitions

    defs = build_definitions(settings)
    print(f"Scoring {day} (the pql_daily partition the schedule runs for that day)")
    return defs.resolve_job_def("pql_daily").execute_in_process(
        instance=instance,
        raise_on_error=False,
        partition_key=day.isoformat(),
        tags={CLI_RUN_TAG: CLI_RUN_TAG_VALUE},
        run_config=LOG_AT_INFO,
    )


def run(settings: Settings, full_refresh: bool = False, day: date | None = None) -> int:
    print(f"Raw files:  {settings.seeds_dir}")
    print(f"Warehouse:  {settings.duckdb_path}")
    with dg.DagsterInstance.get() as instance, one_cli_run_at_a_time(instance):
        for run_id in reclaim_killed_runs(instance):
            print(f"Run {run_id} was killed before it finished: marked failed, slots freed")
        if day is None:
            result = materialize_everything(settings, instance, full_refresh)
        else:
            result = materialize_day(settings, instance, day)
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        print(f"\nThe run failed at: {', '.join(failed) or 'unknown step'}", file=sys.stderr)
        return 1
    print_summary(settings)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="materialize everything and print a summary")
    run_parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild incremental models from scratch (needed after their columns change)",
    )
    daily_parser = commands.add_parser(
        "daily", help="run pql_daily for one day's partition, as the daily schedule does"
    )
    daily_parser.add_argument("day", type=date.fromisoformat, help="the day to score, YYYY-MM-DD")
    commands.add_parser("summary", help="print what the warehouse holds")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "run":
        return run(settings, full_refresh=args.full_refresh)
    if args.command == "daily":
        return run(settings, day=args.day)
    print_summary(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
