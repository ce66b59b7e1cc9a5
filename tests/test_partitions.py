"""Daily partitions: the pure window -> dbt vars logic, and a backfill that equals a full run."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.dbt import RUN_DAYS_TAG, dbt_project
from orchestration.definitions import build_definitions
from orchestration.partitions import ScoringWindow, dbt_vars, range_tags, window_from_tags
from orchestration.schedules import previous_day
from orchestration.settings import DEFAULT_SEEDS_DIR, Settings

D = date(2026, 10, 28)


def test_a_single_partition_run_scores_its_day():
    assert window_from_tags({"dagster/partition": "2026-10-28"}) == ScoringWindow(D, D)


def test_a_range_run_scores_every_day_of_its_range():
    tags = range_tags(ScoringWindow(D, D + timedelta(2)))
    assert window_from_tags(tags) == ScoringWindow(D, date(2026, 10, 30))


def test_an_unpartitioned_run_has_no_window_and_leaves_dbt_its_defaults():
    assert window_from_tags({"other": "tag"}) is None
    assert dbt_vars(None, None, None) == {}
    assert dbt_vars(None, D, None) == {"as_of": "2026-10-28"}


def test_backfilling_an_old_day_keeps_the_marts_on_the_newest_scored_day():
    old_day = ScoringWindow(date(2026, 9, 1), date(2026, 9, 1))
    assert dbt_vars(old_day, None, latest_scored=D) == {
        "score_from": "2026-09-01",
        "score_to": "2026-09-01",
        "as_of": "2026-10-28",
    }
    assert dbt_vars(ScoringWindow(D, D), None, latest_scored=date(2026, 10, 1))["as_of"] == (
        "2026-10-28"
    )


def test_pql_as_of_wins_over_the_window():
    assert dbt_vars(ScoringWindow(D, D), date(2026, 10, 1), D)["as_of"] == "2026-10-01"


def test_an_empty_window_is_refused():
    with pytest.raises(ValueError, match="empty scoring window"):
        ScoringWindow(D, D - timedelta(1))


def test_the_schedule_scores_the_day_before_its_tick():
    tick = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert previous_day(tick) == date(2026, 11, 23)


# --- backfill day by day == one run over the range ------------------------------------

DAYS = [D, D + timedelta(1), D + timedelta(2)]
LINEAGE = {"_load_id", "load_id", "loaded_at"}  # ids and wall-clock times of loads differ


def copy_seeds_known_by(day: date, target: Path) -> None:
    """The raw files as they stood on `day`: daily event drops up to that day."""
    target.mkdir(parents=True, exist_ok=True)
    for path in DEFAULT_SEEDS_DIR.glob("*.csv"):
        shutil.copy(path, target / path.name)
    (target / "events").mkdir(exist_ok=True)
    for path in sorted((DEFAULT_SEEDS_DIR / "events").glob("*.csv")):
        if date.fromisoformat(path.stem) <= day:
            shutil.copy(path, target / "events" / path.name)


def run(settings_env: dict[str, str], monkeypatch, instance, tags: dict[str, str]) -> None:
    for name, value in settings_env.items():
        monkeypatch.setenv(name, value)
    job = build_definitions(Settings.from_env()).resolve_job_def("pql_daily")
    result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
    assert result.success


def tables(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema IN ('raw', 'intermediate', 'marts')"
        ).fetchall()
        out = {}
        for schema, name in names:
            columns = [
                row[0]
                for row in con.execute(f'DESCRIBE "{schema}"."{name}"').fetchall()
                if row[0] not in LINEAGE
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            out[f"{schema}.{name}"] = con.execute(
                f'SELECT {select} FROM "{schema}"."{name}" ORDER BY ALL'
            ).fetchall()
        return out


@pytest.fixture(scope="module")
def backfill_and_range(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("backfill")
    with pytest.MonkeyPatch.context() as patch, dg.instance_for_test() as instance:
        patch.delenv("PQL_AS_OF", raising=False)
        for day in DAYS:  # the backfill: one run per day, files arriving day by day
            copy_seeds_known_by(day, tmp / "drip")
            env = {"PQL_SEEDS_DIR": str(tmp / "drip"), "PQL_DUCKDB_PATH": str(tmp / "b.duckdb")}
            run(env, patch, instance, {"dagster/partition": day.isoformat()})
        copy_seeds_known_by(DAYS[-1], tmp / "all")
        env = {"PQL_SEEDS_DIR": str(tmp / "all"), "PQL_DUCKDB_PATH": str(tmp / "r.duckdb")}
        run(env, patch, instance, range_tags(ScoringWindow(DAYS[0], DAYS[-1])))
    return tmp / "b.duckdb", tmp / "r.duckdb"


def run_days_tables() -> set[str]:
    """The scoring chain's tables that hold only the latest run's days (a dbt tag)."""
    manifest = json.loads(dbt_project().manifest_path.read_text())
    return {
        f"{node['schema']}.{node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and RUN_DAYS_TAG in node["tags"]
    }


def test_a_day_by_day_backfill_ends_in_the_same_tables_as_one_run_over_the_range(
    backfill_and_range,
):
    backfilled, one_run = (tables(path) for path in backfill_and_range)
    assert set(backfilled) == set(one_run)
    assert {"marts.pql_score_history", "intermediate.int_user_activity_daily"} <= set(one_run)
    run_days = run_days_tables()
    assert "intermediate.int_company_signals_daily" in run_days
    different = [n for n in one_run if n not in run_days and backfilled[n] != one_run[n]]
    assert different == []
    history_days = {row[1] for row in one_run["marts.pql_score_history"]}
    assert history_days == set(DAYS)


def test_the_run_days_tables_hold_the_last_runs_days_equal_to_the_range_run(backfill_and_range):
    backfilled, one_run = (tables(path) for path in backfill_and_range)
    scoring_date = 1  # (company_domain, scoring_date, ...) in every one of them
    signals = "intermediate.int_company_signals_daily"
    assert {row[scoring_date] for row in one_run[signals]} == set(DAYS)
    assert {row[scoring_date] for row in backfilled[signals]} == {DAYS[-1]}
    for name in run_days_tables():
        assert {row[scoring_date] for row in one_run[name]} <= set(DAYS), name
        last_day = [row for row in one_run[name] if row[scoring_date] == DAYS[-1]]
        assert backfilled[name] == last_day, name
