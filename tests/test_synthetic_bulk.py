"""Bulk mode of the synthetic generator: exact, deterministic, contract-clean Parquet at scale.

Only small counts here (50k events); timings are measured by hand (docs/synthetic_data.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.synthetic.__main__ import main
from orchestration.synthetic.bulk import (
    BulkConfig,
    generate_bulk,
    parse_count,
    plan_days,
)
from orchestration.synthetic.catalog import EVENT_CATALOG
from tests.support import load_raw

EVENTS = 50_000
CONFIG = BulkConfig(events=EVENTS, seed=11)
SINGLE_FILES = ("users", "accounts", "memberships", "invites", "subscriptions")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def bulk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50k-event bulk generation with two worker processes."""
    out = tmp_path_factory.mktemp("bulk") / "seeds"
    generate_bulk(CONFIG, out)
    return out


@pytest.fixture(scope="module")
def warehouse(bulk_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bulk output loaded with the real raw loader."""
    path = tmp_path_factory.mktemp("bulk_wh") / "warehouse.duckdb"
    load_raw(bulk_dir, path)
    return path


def sql(folder: Path, query: str) -> list[tuple]:
    """Run ``query`` over the Parquet files of ``folder`` (views named like the entities)."""
    with duckdb.connect() as con:
        for entity in SINGLE_FILES:
            path = literal(folder / f"{entity}.parquet")
            con.execute(f"CREATE VIEW {entity} AS SELECT * FROM read_parquet({path})")
        path = literal(folder / "events" / "*.parquet")
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet({path}, filename = true)")
        return con.execute(query).fetchall()


def literal(path: Path) -> str:
    """A test's own temporary path as a SQL string literal (a view cannot take parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def test_parse_count() -> None:
    assert parse_count("100M") == 100_000_000
    assert parse_count("1.5m") == 1_500_000
    assert parse_count("50k") == 50_000
    assert parse_count("1_000") == 1_000
    assert parse_count("2G") == 2_000_000_000
    for bad in ("", "ten", "5x", "0"):
        with pytest.raises(ValueError):
            parse_count(bad)


def test_day_plan_is_exact() -> None:
    counts = plan_days(CONFIG)
    assert len(counts) == 181 and int(counts.sum()) == EVENTS and (counts > 0).all()


def test_same_arguments_give_identical_bytes(bulk_dir: Path, tmp_path: Path) -> None:
    # One worker instead of two: days are independent, so the bytes must not change.
    again = tmp_path / "again"
    generate_bulk(BulkConfig(events=EVENTS, seed=11, workers=1), again)
    assert snapshot(again) == snapshot(bulk_dir)
    other = tmp_path / "other"
    generate_bulk(BulkConfig(events=EVENTS, seed=12, workers=1), other)
    assert snapshot(other)["users.parquet"] != snapshot(bulk_dir)["users.parquet"]


def test_one_file_per_day_and_exact_event_count(bulk_dir: Path) -> None:
    files = sorted((bulk_dir / "events").iterdir())
    expected = [f"{date(2026, 10, 31) - timedelta(days=180 - i)}.parquet" for i in range(181)]
    assert [f.name for f in files] == expected
    assert sum(pq.ParquetFile(f).metadata.num_rows for f in files) == EVENTS
    assert sorted(p.name for p in bulk_dir.iterdir()) == sorted(
        [f"{e}.parquet" for e in SINGLE_FILES] + ["events"]
    )


def test_events_fall_inside_their_day_after_signup(bulk_dir: Path) -> None:
    (outside,) = sql(
        bulk_dir,
        "SELECT count(*) FROM events WHERE strftime(occurred_at AT TIME ZONE 'UTC', '%Y-%m-%d')"
        " <> regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})\\.parquet$', 1)",
    )[0]
    assert outside == 0
    (early, late_receipt) = sql(
        bulk_dir,
        "SELECT count(*) FILTER (WHERE e.occurred_at < u.created_at),"
        " count(*) FILTER (WHERE e.received_at < e.occurred_at)"
        " FROM events e JOIN users u USING (user_id)",
    )[0]
    assert early == 0 and late_receipt == 0
    (ids, distinct) = sql(bulk_dir, "SELECT count(*), count(DISTINCT event_id) FROM events")[0]
    assert ids == distinct == EVENTS


def test_referential_integrity(bulk_dir: Path) -> None:
    orphans = sql(
        bulk_dir,
        """
        SELECT
          (SELECT count(*) FROM events ANTI JOIN users USING (user_id)),
          (SELECT count(*) FROM events ANTI JOIN accounts USING (account_id)),
          (SELECT count(*) FROM memberships ANTI JOIN users USING (user_id)),
          (SELECT count(*) FROM memberships ANTI JOIN accounts USING (account_id)),
          (SELECT count(*) FROM accounts a ANTI JOIN users u
             ON a.created_by_user_id = u.user_id),
          (SELECT count(*) FROM invites i ANTI JOIN users u ON i.inviter_user_id = u.user_id),
          (SELECT count(*) FROM invites i ANTI JOIN accounts USING (account_id)),
          (SELECT count(*) FROM invites i ANTI JOIN users u ON i.accepted_user_id = u.user_id
             WHERE i.accepted_user_id IS NOT NULL),
          (SELECT count(*) FROM subscriptions ANTI JOIN accounts USING (account_id)),
          (SELECT count(*) FROM events e ANTI JOIN memberships m USING (user_id, account_id))
        """,
    )[0]
    assert orphans == (0,) * 10


def test_world_is_realistic(bulk_dir: Path) -> None:
    (personal, subdomain, users) = sql(
        bulk_dir,
        "SELECT count(*) FILTER (WHERE email LIKE '%@gmail.com'),"
        " count(*) FILTER (WHERE regexp_matches(email, '@(eng|london|data|ops|us|emea|"
        "research|sales|berlin|corp)\\.')), count(*) FROM users",
    )[0]
    assert users == EVENTS // 200 and personal > 0 and subdomain > 0
    (accepted, pending) = sql(
        bulk_dir,
        "SELECT count(accepted_at), count(*) - count(accepted_at) FROM invites",
    )[0]
    assert accepted > 0 and pending > 0
    assert sql(bulk_dir, "SELECT count(*) FROM subscriptions")[0][0] > 0
    names = {name for (name,) in sql(bulk_dir, "SELECT DISTINCT event_name FROM events")}
    catalog = {spec.name for spec in EVENT_CATALOG}
    assert names <= catalog and len(names) >= 15
    (top_share,) = sql(
        bulk_dir,
        "SELECT max(n) / sum(n) FROM (SELECT count(*) n FROM users"
        " WHERE email NOT LIKE '%@gmail.com' GROUP BY split_part(email, '@', 2))",
    )[0]
    assert top_share < 0.5


def test_real_loader_reads_everything_and_rejects_nothing(bulk_dir: Path, warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        log = dict(
            (entity, (files, read, loaded, rejected))
            for entity, files, read, loaded, rejected in con.execute(
                "SELECT entity, count(*), sum(rows_read), sum(rows_loaded), sum(rows_rejected)"
                " FROM raw.load_log GROUP BY entity"
            ).fetchall()
        )
        assert con.execute("SELECT count(*) FROM raw.rejects").fetchone() == (0,)
    for entity in SINGLE_FILES:
        written = pq.ParquetFile(bulk_dir / f"{entity}.parquet").metadata.num_rows
        assert log[entity] == (1, written, written, 0), entity
    assert log["events"] == (181, EVENTS, EVENTS, 0)


def test_cli_bulk_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    args = ["--out", str(out), "--events", "5k", "--days", "3", "--format", "parquet"]
    assert main([*args, "--end-date", "2026-01-31", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "events 100%: 5,000 written" in printed
    assert sorted(p.name for p in (out / "events").iterdir()) == [
        "2026-01-29.parquet",
        "2026-01-30.parquet",
        "2026-01-31.parquet",
    ]
    assert main(["--out", str(out), "--events", "5k"]) == 2  # CSV is not a bulk format
    assert main(["--out", str(out), "--events", "lots", "--format", "parquet"]) == 2
