"""The benchmark floor (bench/floor.sql, one DuckDB query over the raw files) gives exactly
marts.pql_scores of the real pipeline (real loader + real dbt) on clean generated data."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench.floor import (
    PQL_SCORES_COLUMNS,
    SEEDS_DIR,
    ScoringConfig,
    column_mismatches,
    compare_with_pipeline,
    floor_scores,
)
from orchestration.synthetic import GeneratorConfig, generate
from tests.support import load_raw, query, run_dbt

# Small but complete: companies with several accounts, invites, conversions, late events.
DATA = GeneratorConfig(companies=14, personal_users=30, days=75, dirt_rate=0.0)

# Extra rows on the domains the resolution finds hard (subdomains, case and blanks, wildcard
# and exception rules, overrides, free mail, education, bare suffixes, a Unicode suffix),
# written as `<entity>/extra.parquet` next to the generated `<entity>.parquet` files.
EXTRA_EMAILS = (
    "Ana@Eng.Acme-Tricky.co.uk",
    " bob@london.acme-tricky.co.uk ",
    "cy@acme-tricky.co.uk",
    "dee@foo.bar.ck",
    "eve@bar.ck",
    "fay@www.ck",
    "gus@cs.ethz.ch",
    "hal@students.ox.ac.uk",
    "ivy@mail.mit.edu",
    "jo@gmail.com",
    "kim@addy.io",
    "lou@pqlproduct.io",
    "max@co.uk",
    "ned@city.kawasaki.jp",
    "oz@x.y.kawasaki.jp",
    "pat@shop.example.公司",
)


def _write(path: Path, rows: list[dict[str, str | None]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0])
    table = pa.table({c: pa.array([row[c] for row in rows], pa.string()) for c in columns})
    pq.write_table(table, path)


def write_extra_rows(raw: Path) -> None:
    users = [
        {
            "user_id": f"u_extra_{i}",
            "email": email,
            "created_at": "2026-09-01T23:30:00-02:00",
            "full_name": None,
            "signup_channel": "Invite " if i == 2 else "organic",
        }
        for i, email in enumerate(EXTRA_EMAILS)
    ]
    _write(raw / "users" / "extra.parquet", users)
    events = [
        {
            "event_id": f"ev_extra_{i}_{name}",
            "user_id": f"u_extra_{i}",
            "event_name": name,
            "occurred_at": f"2026-10-2{i % 6}T22:15:00-05:00",
            "account_id": None,
            "received_at": f"2026-10-2{i % 6 + 1}T08:00:00Z" if i % 3 == 0 else None,
            "properties": None,
        }
        for i in range(len(EXTRA_EMAILS))
        for name in ("session_started", "project_created", "pricing_page_viewed")
    ]
    _write(raw / "events" / "extra.parquet", events)
    _write(
        raw / "accounts" / "extra.parquet",
        [
            {
                "account_id": "a_extra",
                "created_at": "2026-09-02T08:00:00Z",
                "account_name": "Tricky",
                "created_by_user_id": "u_extra_9",  # a gmail user: the first member decides
                "plan": "free",
            }
        ],
    )
    _write(
        raw / "memberships" / "extra.parquet",
        [
            {"account_id": "a_extra", "user_id": f"u_extra_{i}", "joined_at": joined, "role": None}
            for i, joined in (
                (9, "2026-09-02T08:00:00Z"),
                (1, "2026-09-03T08:00:00Z"),
                (0, "2026-09-04T08:00:00Z"),
            )
        ],
    )
    _write(
        raw / "invites" / "extra.parquet",
        [
            {
                "invite_id": f"inv_extra_{i}",
                "account_id": "a_extra",
                "inviter_user_id": "u_extra_1",
                "invitee_email": email,
                "sent_at": sent,
                "accepted_at": accepted,
                "accepted_user_id": None,
            }
            for i, (email, sent, accepted) in enumerate(
                (
                    ("Zed@Sub.Acme-Tricky.co.uk", "2026-09-05T10:00:00Z", None),
                    ("zed@sub.acme-tricky.co.uk", "2026-09-06T10:00:00Z", "2026-09-07T10:00:00Z"),
                    ("ivy@mail.mit.edu", "2026-09-05T10:00:00Z", "2026-09-08T23:00:00-03:00"),
                )
            )
        ],
    )


# Seeds and models up to pql_scores, without their data tests (not what is checked here).
BUILD_SCORES = [
    "build",
    "--select",
    "+pql_scores",
    "--exclude-resource-type",
    "test",
    "unit_test",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("floor")
    raw = tmp / "raw"
    generate(DATA, raw, "parquet")
    write_extra_rows(raw)
    warehouse = tmp / "warehouse.duckdb"
    load_raw(raw, warehouse)
    run_dbt(BUILD_SCORES, warehouse, tmp)
    return raw, warehouse


def test_floor_equals_pql_scores(built: tuple[Path, Path]) -> None:
    raw, warehouse = built
    con = duckdb.connect()
    compared, mismatches = compare_with_pipeline(con, warehouse, raw)
    assert mismatches == 0, column_mismatches(con)
    (pipeline_rows,) = query(warehouse, "SELECT count(*) FROM marts.pql_scores")[0]
    assert compared == pipeline_rows > 0
    # Not a vacuous match: companies score, and some score on several signals.
    (scoring, with_reasons) = con.execute(
        "SELECT count(*) FILTER (WHERE score > 0), count(*) FILTER (WHERE reasons LIKE '%}, {%') "
        "FROM floor_pql_scores"
    ).fetchall()[0]
    assert scoring > 0 and with_reasons > 0
    # The hard domains resolved as the spec says, on both sides.
    companies = {
        row[0]: row[1]
        for row in con.execute(
            "SELECT company_domain, is_education_domain FROM floor_pql_scores"
        ).fetchall()
    }
    assert {
        "acme-tricky.co.uk": False,
        "foo.bar.ck": False,
        "www.ck": False,
        "ethz.ch": True,
        "ox.ac.uk": True,
        "mit.edu": True,
        "city.kawasaki.jp": False,
        "x.y.kawasaki.jp": False,
        "example.公司": False,
    }.items() <= companies.items()
    assert not {"gmail.com", "addy.io", "pqlproduct.io", "bar.ck", "co.uk"} & companies.keys()


def test_floor_returns_the_contract_columns(built: tuple[Path, Path]) -> None:
    raw, warehouse = built
    ((as_of,),) = query(warehouse, "SELECT as_of_date FROM intermediate.int_as_of_date")
    con = duckdb.connect()
    rows = floor_scores(con, raw, SEEDS_DIR, as_of)
    columns = [row[0] for row in con.execute("DESCRIBE floor_pql_scores").fetchall()]
    assert tuple(columns) == PQL_SCORES_COLUMNS
    assert [row[PQL_SCORES_COLUMNS.index("score_rank")] for row in rows] == list(
        range(1, len(rows) + 1)
    )


def test_comparison_detects_differences(built: tuple[Path, Path]) -> None:
    raw, warehouse = built
    ((as_of,),) = query(warehouse, "SELECT as_of_date FROM intermediate.int_as_of_date")
    con = duckdb.connect()
    # Another scoring date: every row differs at least by its as_of_date.
    compared, mismatches = compare_with_pipeline(con, warehouse, raw, as_of=as_of - timedelta(1))
    assert compared > 0 and mismatches >= compared
    # Another scoring configuration: the scores move.
    config = ScoringConfig.from_dbt_project()
    harder = tuple(replace(signal, target=signal.target * 2) for signal in config.signals)
    doubled = replace(config, signals=harder)
    _, mismatches = compare_with_pipeline(con, warehouse, raw, config=doubled)
    assert mismatches > 0
    assert column_mismatches(con)["score"] > 0
