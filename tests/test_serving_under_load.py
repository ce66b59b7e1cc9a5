"""Readers under load: 8 reader processes on the serving copy while pql_daily publishes.

A real materialization of the bundled sample, one run per daily partition (Dagster
in-process, dbt for real): the first run publishes, the second publishes again while
the readers read. Readers are real processes (orchestration/serving/readers.py), each in
its own process group, stopped with a stop file, then SIGTERM, then SIGKILL. No timing
thresholds: the figures are printed; the benchmark is bench/serving_load.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.serving.load import run_under_load
from orchestration.serving.readers import CHECKED_MARTS, parse_mix, read_duckdb, read_parquet

D1, D2 = date(2026, 10, 29), date(2026, 10, 30)
DAYS = [D1, D2]
MIX = "reconnect=4,hold=2,parquet=2"


def test_readers_never_fail_nor_mix_publications_while_pql_daily_publishes(tmp_path):
    modes = parse_mix(MIX)
    # Think time between reads: 8 readers load the 2 cores without starving the run (the
    # benchmark reads flat out); a short pool recycle: held connections see the new file.
    report = run_under_load(tmp_path, DAYS, modes, think=0.2, recycle=1.0, linger=3.0)

    print(f"\n{report.readers} readers, {report.reads} reads in {report.seconds}s, "
          f"{report.reads_per_second} reads/s, latency ms {report.latency_ms}, "
          f"errors {report.errors}, inconsistent {report.inconsistent}, "
          f"publications during reading {report.publications_during_reading}, "
          f"observed {report.publications_observed}")  # fmt: skip
    for figures in report.per_mode:
        print(f"  {figures}")

    assert len(modes) >= 8 and report.readers == len(modes)
    assert [run.success for run in report.runs] == [True, True]
    assert report.errors == 0, report.error_messages
    assert report.inconsistent == 0
    assert all(reads > 0 for reads in report.reader_reads), report.reader_reads
    # The second run published while the readers read, and they read its publication.
    assert report.publications_during_reading == 1
    assert report.publications_observed == 1
    first, second = (run.publication_id for run in report.runs)
    assert first != second and {first, second} <= set(report.publications_seen)
    by_mode = {figures.mode: figures for figures in report.per_mode}
    assert by_mode["reconnect"].publications_seen == 2
    assert by_mode["parquet"].publications_seen == 2


# ------------------------------------------------- the readers' check can say "inconsistent"


def write_marts(con: duckdb.DuckDBPyConnection, days: dict[str, date], rows: int = 5) -> None:
    """Marts of a stand-in serving file, each describing its own day."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for mart in {*CHECKED_MARTS, "pql_score_history"}:
        con.execute(
            f"CREATE OR REPLACE TABLE marts.{mart} AS SELECT 'c' || i || '.com' AS company_domain, "
            "CAST($day AS DATE) AS as_of_date, i AS score, 'cold' AS tier FROM range($rows) t(i)",
            {"day": days.get(mart, D1), "rows": rows},
        )


def serving_file(path: Path, days: dict[str, date]) -> Path:
    """Marts, and publication tables that describe every mart as of D1 with 5 rows."""
    with duckdb.connect(str(path)) as con:
        write_marts(con, days)
        con.execute("CREATE SCHEMA meta")
        con.execute(
            "CREATE TABLE meta.publication AS SELECT 'p1' AS publication_id, $d AS as_of_date",
            {"d": D1},
        )
        con.execute(
            "CREATE TABLE meta.publication_marts AS SELECT 'p1' AS publication_id, mart, "
            "5 AS row_count, $d AS as_of_date FROM unnest($marts) t(mart)",
            {"d": D1, "marts": list(CHECKED_MARTS)},
        )
    return path


@pytest.mark.parametrize("mixed", [None, "companies", "users", "pql_scores"])
def test_a_duckdb_read_of_marts_from_two_publications_is_inconsistent(tmp_path, mixed):
    days = {mixed: D2} if mixed else {}
    path = serving_file(tmp_path / "serving.duckdb", days)
    with duckdb.connect(str(path), read_only=True) as con:
        outcome = read_duckdb(con)
    assert outcome.publication == "p1"
    assert outcome.consistent is (mixed is None)


@pytest.mark.parametrize("mixed", [None, "companies", "pql_score_history"])
def test_a_parquet_read_of_files_from_two_publications_is_inconsistent(tmp_path, mixed):
    folder = tmp_path / "parquet" / "20261125T000000.000000Z-abc"
    folder.mkdir(parents=True)
    with duckdb.connect() as con:
        write_marts(con, {mixed: D2} if mixed else {})
        for mart in ("pql_scores", "companies", "pql_score_history"):
            con.execute(f"COPY marts.{mart} TO '{folder}/{mart}.parquet' (FORMAT parquet)")
    (tmp_path / "parquet" / "latest").symlink_to(folder.name)
    with duckdb.connect() as con:
        outcome = read_parquet(con, str(tmp_path / "parquet" / "latest"))
    assert outcome.publication == folder.name
    assert outcome.consistent is (mixed is None)
