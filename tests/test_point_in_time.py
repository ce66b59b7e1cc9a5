"""Scores as of a past day D are the same whether computed from all data or from the data
that existed at D: history can be rebuilt, and a backfill gives the live run's answer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import DEFAULT_SEEDS_DIR
from tests.support import load_raw, query, run_dbt

CUTOFF = date(2026, 8, 31)

# What the warehouse could know at the end of CUTOFF, per raw table: rows that existed,
# with facts that happened later (acceptance, churn) not happened yet.
KNOWN_AT_CUTOFF = {
    "users": "SELECT * EXCLUDE (_extra, _source_file, _source_row, _load_id) FROM raw.users "
    "WHERE CAST(created_at AS DATE) <= $d",
    "accounts": "SELECT * EXCLUDE (_extra, _source_file, _source_row, _load_id) FROM raw.accounts "
    "WHERE CAST(created_at AS DATE) <= $d",
    "memberships": "SELECT * EXCLUDE (_extra, _source_file, _source_row, _load_id) "
    "FROM raw.memberships WHERE CAST(joined_at AS DATE) <= $d",
    "invites": "SELECT * EXCLUDE (accepted_at, accepted_user_id, _extra, _source_file, "
    "_source_row, _load_id), CASE WHEN CAST(accepted_at AS DATE) <= $d THEN accepted_at END "
    "AS accepted_at, CASE WHEN CAST(accepted_at AS DATE) <= $d THEN accepted_user_id END "
    "AS accepted_user_id FROM raw.invites WHERE CAST(sent_at AS DATE) <= $d",
    "subscriptions": "SELECT * EXCLUDE (ended_at, _extra, _source_file, _source_row, _load_id), "
    "CASE WHEN CAST(ended_at AS DATE) <= $d THEN ended_at END AS ended_at "
    "FROM raw.subscriptions WHERE CAST(started_at AS DATE) <= $d",
    "events": "SELECT * EXCLUDE (_extra, _source_file, _source_row, _load_id) FROM raw.events "
    "WHERE CAST(greatest(occurred_at, coalesce(received_at, occurred_at)) AS DATE) <= $d",
}

# Build (seeds, models and their tests) of what the scores need, and nothing else.
BUILD_SCORES = ["build", "--indirect-selection", "cautious", "--select", "+pql_scores"]

SCORE_COLUMNS = (
    "company_domain, score, tier, is_pql, route_to_sales, is_expansion_candidate, reasons, "
    "reason_summary, users_total, active_users_28d, signups_60d, accounts_count, "
    "invites_accepted_90d, viral_coefficient, activation_rate, buying_intent_events_28d, "
    "current_plan, is_paying_customer"
)


def write_cut_seeds(full_db: Path, out_dir: Path) -> None:
    out_dir.mkdir()
    with duckdb.connect(str(full_db), read_only=True) as con:
        for entity, sql in KNOWN_AT_CUTOFF.items():
            target = out_dir / f"{entity}.parquet"
            con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)", {"d": CUTOFF})


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("pit")
    full = tmp / "full.duckdb"
    load_raw(DEFAULT_SEEDS_DIR, full)
    run_dbt([*BUILD_SCORES, "+pql_score_history"], full, tmp / "full")
    full_as_of = tmp / "full_as_of.duckdb"
    load_raw(DEFAULT_SEEDS_DIR, full_as_of)
    run_dbt(BUILD_SCORES, full_as_of, tmp / "full_as_of", as_of=CUTOFF)
    cut = tmp / "cut.duckdb"
    write_cut_seeds(full, tmp / "cut_seeds")
    load_raw(tmp / "cut_seeds", cut)
    run_dbt(BUILD_SCORES, cut, tmp / "cut", as_of=CUTOFF)
    return {"full": full, "full_as_of": full_as_of, "cut": cut}


def scores(path: Path, table: str, day: date) -> list[tuple]:
    return query(
        path,
        f"SELECT {SCORE_COLUMNS} FROM marts.{table} WHERE as_of_date = $d ORDER BY company_domain",
        {"d": day},
    )


def test_scores_as_of_a_past_day_ignore_everything_known_later(warehouses):
    on_all_data = scores(warehouses["full_as_of"], "pql_scores", CUTOFF)
    on_data_cut_at_day = scores(warehouses["cut"], "pql_scores", CUTOFF)
    assert len(on_all_data) > 50
    assert any(row[1] > 0 for row in on_all_data)
    assert on_all_data == on_data_cut_at_day


def test_the_history_row_of_a_day_equals_a_run_as_of_that_day(warehouses):
    history = scores(warehouses["full"], "pql_score_history", CUTOFF)
    assert history == scores(warehouses["cut"], "pql_scores", CUTOFF)


def test_no_model_reads_the_wall_clock():
    sql_files = Path(__file__).parent.parent.joinpath("dbt_project").rglob("*.sql")
    offenders = [
        path.name
        for path in sql_files
        if "target" not in path.parts
        and any(
            word in path.read_text().lower()
            for word in ("current_date", "now()", "current_timestamp", "getdate")
        )
    ]
    assert offenders == []
