"""The data-quality asset checks, each run for real against a small DuckDB warehouse.

Mart tables are created with plain SQL (no dbt needed); the reject-rate check runs after
the real raw asset on real files. A check runs without its asset through
``dg.materialize([check], selection=AssetSelection.checks(check))``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.raw import build_raw_asset
from orchestration.checks import (
    MART_NAMES,
    build_checks,
    build_no_raw_emails_check,
    build_rejects_rate_check,
    build_row_count_change_check,
    build_score_distribution_check,
    check_keys,
    mart_key,
)
from orchestration.raw.contract import ENTITIES, ENTITY_NAMES
from orchestration.resources import RawFilesResource, WarehouseResource
from orchestration.settings import Settings
from tests.conftest import write_raw

USERS_ENTITY = next(e for e in ENTITIES if e.name == "users")
TIERS = ("hot", "warm", "cold")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def sql(db: Path, *statements: str, params: list | None = None) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        for statement in statements:
            con.execute(statement, params or [])


@pytest.fixture(scope="module")
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def run_check(
    instance: dg.DagsterInstance, check: dg.AssetChecksDefinition, db: Path
) -> dg.AssetCheckEvaluation:
    result = dg.materialize(
        [check],
        selection=dg.AssetSelection.checks(check),
        resources={"warehouse": WarehouseResource(duckdb_path=str(db))},
        instance=instance,
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    # Blocking: a failed check (severity ERROR) fails its step, and so the run.
    assert result.success == evaluation.passed
    return evaluation


def meta(evaluation: dg.AssetCheckEvaluation) -> dict:
    return {key: value.value for key, value in evaluation.metadata.items()}


def make_scores(db: Path, tiers: list[str | None], scores: list[float | None] | None = None):
    scores = scores if scores is not None else [10.0 * (i % 10) for i in range(len(tiers))]
    sql(
        db,
        "CREATE OR REPLACE TABLE marts.pql_scores (company_domain VARCHAR, as_of_date DATE, "
        "score DOUBLE, tier VARCHAR, reason_summary VARCHAR)",
    )
    if not tiers:
        return
    with duckdb.connect(str(db)) as con:
        con.executemany(
            "INSERT INTO marts.pql_scores VALUES (?, DATE '2026-10-30', ?, ?, 'why')",
            [(f"c{i}.com", s, t) for i, (s, t) in enumerate(zip(scores, tiers, strict=True))],
        )


def make_history(db: Path, rows_per_day: dict[str, int]) -> None:
    sql(
        db,
        "CREATE OR REPLACE TABLE marts.pql_score_history (company_domain VARCHAR, "
        "as_of_date DATE, score DOUBLE, tier VARCHAR)",
    )
    with duckdb.connect(str(db)) as con:
        for day, n in rows_per_day.items():
            con.execute(
                "INSERT INTO marts.pql_score_history "
                "SELECT 'c' || i || '.com', CAST($day AS DATE), 1, 'cold' FROM range($n) AS t(i)",
                {"day": day, "n": n},
            )


# ------------------------------------------------------------------------ the whole set


def test_build_checks_covers_raw_entities_and_every_mart_all_blocking():
    checks = build_checks(Settings.from_env({}))
    keys = check_keys(checks)
    expected = {(f"raw/{name}", "rejects_rate") for name in ENTITY_NAMES}
    expected |= {
        ("marts/pql_scores", "score_distribution"),
        ("marts/pql_scores", "row_count_change"),
    }
    expected |= {(f"marts/{name}", "no_raw_emails") for name in MART_NAMES}
    assert keys == expected
    specs = [spec for check in checks for spec in check.check_specs]
    assert all(spec.blocking for spec in specs)
    assert all(spec.description for spec in specs)


def test_thresholds_come_from_settings():
    settings = dataclasses.replace(
        Settings.from_env({}), max_reject_rate=0.3, max_row_count_change=1.5
    )
    specs = {spec.name: spec for check in build_checks(settings) for spec in check.check_specs}
    assert specs["rejects_rate"].metadata["max_reject_rate"] == 0.3
    assert specs["row_count_change"].metadata["max_row_count_change"] == 1.5


# ------------------------------------------------------------------------- rejects_rate


def users_rows(good: int, bad: int, prefix: str = "u") -> list[dict]:
    rows = [
        {"user_id": f"{prefix}{i}", "email": f"p{i}@acme.com", "created_at": "2026-10-01"}
        for i in range(good)
    ]
    rows += [
        {"user_id": f"{prefix}bad{i}", "email": "not-an-email", "created_at": "2026-10-01"}
        for i in range(bad)
    ]
    return rows


def load_and_check(instance, seeds_dir: Path, db: Path, max_rate: float = 0.05):
    asset = build_raw_asset(USERS_ENTITY)
    check = build_rejects_rate_check(USERS_ENTITY, max_rate)
    result = dg.materialize(
        [asset, check],
        resources={
            "warehouse": WarehouseResource(duckdb_path=str(db)),
            "raw_files": RawFilesResource(seeds_dir=str(seeds_dir)),
        },
        instance=instance,
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    return result, evaluation


def test_rejects_rate_passes_on_clean_files(instance, seeds_dir, db):
    write_raw(seeds_dir / "users.csv", users_rows(good=10, bad=0))
    result, evaluation = load_and_check(instance, seeds_dir, db)
    assert result.success and evaluation.passed
    assert meta(evaluation)["reject_rate"] == 0.0
    assert meta(evaluation)["rows_read"] == 10


def test_rejects_rate_of_20_percent_fails_and_names_the_reason_not_the_values(
    instance, seeds_dir, db
):
    write_raw(seeds_dir / "users.csv", users_rows(good=8, bad=2))
    result, evaluation = load_and_check(instance, seeds_dir, db)
    assert not evaluation.passed
    assert not result.success  # blocking
    details = meta(evaluation)
    assert details["reject_rate"] == pytest.approx(0.2)
    assert (details["rows_read"], details["rows_rejected"]) == (10, 2)
    assert details["top_reject_reasons"] == {"malformed email in email": 2}
    assert "not-an-email" not in str(evaluation.metadata)
    # The threshold is a setting: with 30% allowed the same load passes.
    assert run_check(instance, build_rejects_rate_check(USERS_ENTITY, 0.3), db).passed


def test_rejects_rate_looks_at_the_latest_load_only(instance, seeds_dir, db):
    write_raw(seeds_dir / "users" / "day1.csv", users_rows(good=5, bad=5, prefix="a"))
    _, bad_day = load_and_check(instance, seeds_dir, db)
    assert not bad_day.passed
    # Nothing new: the latest load is still the bad one, and the check keeps failing.
    _, nothing_new = load_and_check(instance, seeds_dir, db)
    assert not nothing_new.passed
    # A good new drop is the latest load now.
    write_raw(seeds_dir / "users" / "day2.csv", users_rows(good=20, bad=0, prefix="b"))
    _, good_day = load_and_check(instance, seeds_dir, db)
    assert good_day.passed
    assert meta(good_day)["files_in_latest_load"] == 1


def test_rejects_rate_passes_when_nothing_was_ever_loaded(instance, seeds_dir, db):
    _, evaluation = load_and_check(instance, seeds_dir, db)
    assert evaluation.passed
    assert meta(evaluation)["latest_load_at"] == "never loaded"


# ------------------------------------------------------------------- score_distribution


def test_score_distribution_passes_on_a_healthy_spread(instance, db):
    make_scores(db, [TIERS[i % 3] for i in range(12)])
    evaluation = run_check(instance, build_score_distribution_check(), db)
    assert evaluation.passed
    assert meta(evaluation)["companies_per_tier"] == {"hot": 4, "warm": 4, "cold": 4}


@pytest.mark.parametrize(
    ("tiers", "scores", "problem"),
    [
        (["cold"] * 12, None, "all 12 companies are in one tier"),
        (["hot", "cold", None], [90.0, 1.0, 5.0], "1 rows with a null tier"),
        (["hot", "cold", "warm"], [90.0, None, 50.0], "1 rows with a null score"),
        (["hot", "cold", "warm"], [120.0, -1.0, 50.0], "2 scores outside 0..100"),
        ([], [], "no rows"),
    ],
)
def test_score_distribution_fails(instance, db, tiers, scores, problem):
    make_scores(db, tiers, scores)
    evaluation = run_check(instance, build_score_distribution_check(), db)
    assert not evaluation.passed
    assert problem in meta(evaluation)["problems"]


def test_score_distribution_allows_one_tier_for_few_companies(instance, db):
    make_scores(db, ["cold"] * 9)
    assert run_check(instance, build_score_distribution_check(), db).passed


def test_score_distribution_fails_when_the_mart_is_missing(instance, db):
    sql(db)
    assert not run_check(instance, build_score_distribution_check(), db).passed


# --------------------------------------------------------------------- row_count_change


def test_row_count_change_passes_without_a_previous_day(instance, db):
    make_scores(db, [TIERS[i % 3] for i in range(12)])
    make_history(db, {"2026-10-30": 12})
    evaluation = run_check(instance, build_row_count_change_check(0.5), db)
    assert evaluation.passed
    assert meta(evaluation)["note"] == "no previous scoring day in marts.pql_score_history"


@pytest.mark.parametrize(
    ("previous", "max_change", "passed"),
    [
        (10, 0.5, True),  # 12 vs 10: +20%
        (6, 0.5, False),  # 12 vs 6: +100%
        (30, 0.5, False),  # 12 vs 30: -60%
        (6, 1.5, True),  # +100% allowed by a looser setting
    ],
)
def test_row_count_change_against_the_previous_scoring_day(
    instance, db, previous, max_change, passed
):
    make_scores(db, [TIERS[i % 3] for i in range(12)])
    # The day before the as-of date is the previous day; older days do not matter.
    make_history(db, {"2026-10-30": 12, "2026-10-28": 1000, "2026-10-29": previous})
    evaluation = run_check(instance, build_row_count_change_check(max_change), db)
    assert evaluation.passed is passed
    details = meta(evaluation)
    assert details["previous_as_of_date"] == "2026-10-29"
    assert details["previous_rows"] == previous
    assert details["change"] == pytest.approx((12 - previous) / previous, abs=1e-4)


# ------------------------------------------------------------------------ no_raw_emails


def make_users_mart(db: Path) -> None:
    sql(
        db,
        "CREATE OR REPLACE TABLE marts.users (user_id VARCHAR, company_domain VARCHAR, "
        "email_domain VARCHAR, is_personal_email BOOLEAN, signup_channel VARCHAR, "
        "tags VARCHAR[], created_at TIMESTAMP)",
        "INSERT INTO marts.users VALUES ('u1', 'acme.com', 'acme.com', false, 'organic', "
        "['a', 'b'], TIMESTAMP '2026-10-01 09:00:00'), "
        "('u2', NULL, 'gmail.com', true, 'invite', NULL, NULL)",
    )


def test_no_raw_emails_passes_on_domains_only(instance, db):
    make_users_mart(db)
    evaluation = run_check(instance, build_no_raw_emails_check("users"), db)
    assert evaluation.passed
    assert meta(evaluation)["text_columns_scanned"] == 5


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE marts.users SET signup_channel = 'from Ana.Lee+x@Acme.co.uk' WHERE user_id = 'u1'",
        "UPDATE marts.users SET tags = ['ok', 'bo@acme.com'] WHERE user_id = 'u2'",
        "UPDATE marts.users SET user_id = 'ana@acme.com' WHERE user_id = 'u1'",
    ],
)
def test_no_raw_emails_fails_on_an_email_value(instance, db, statement):
    make_users_mart(db)
    sql(db, statement)
    evaluation = run_check(instance, build_no_raw_emails_check("users"), db)
    assert not evaluation.passed
    assert sum(meta(evaluation)["rows_with_email_like_values"].values()) == 1
    # Counts per column only: the value itself never reaches Dagster's event log.
    assert "@" not in str(meta(evaluation))


@pytest.mark.parametrize("column", ["email", "invitee_email", "full_name", "Last_Name"])
def test_no_raw_emails_fails_on_a_personal_column_name(instance, db, column):
    make_users_mart(db)
    sql(db, f'ALTER TABLE marts.users ADD COLUMN "{column}" VARCHAR')
    evaluation = run_check(instance, build_no_raw_emails_check("users"), db)
    assert not evaluation.passed
    assert meta(evaluation)["personal_column_names"] == [column]


def test_no_raw_emails_fails_when_the_mart_is_missing(instance, db):
    sql(db)
    assert not run_check(instance, build_no_raw_emails_check("accounts"), db).passed


def test_no_raw_emails_only_for_known_marts():
    with pytest.raises(ValueError):
        build_no_raw_emails_check("users; DROP TABLE x")


# ------------------------------------------------------------------------------ blocking


def test_a_failed_check_stops_what_depends_on_the_mart(instance, db):
    """A stand-in for the dbt mart and for a publish step downstream of it."""
    warehouse = WarehouseResource(duckdb_path=str(db))

    @dg.asset(key=mart_key("pql_scores"))
    def pql_scores() -> None:
        make_scores(db, ["cold"] * 12)  # every company in one tier

    @dg.asset(deps=[pql_scores])
    def publish() -> None:
        raise AssertionError("must not run after a failed blocking check")

    result = dg.materialize(
        [pql_scores, publish, build_score_distribution_check()],
        resources={"warehouse": warehouse},
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {mart_key("pql_scores")}
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
