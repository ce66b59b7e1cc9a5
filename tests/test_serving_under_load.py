"""Readers under load: 8 reader processes on the serving copy while pql_daily publishes.

A real materialization of the bundled sample, one run per daily partition (Dagster
in-process, dbt for real): the first run publishes, the second publishes again while
the readers read. Readers are real processes (orchestration/serving/readers.py), each in
its own process group, stopped with a stop file, then SIGTERM, then SIGKILL. No timing
thresholds: the figures are printed; the benchmark is bench/serving_load.py.
"""

from __future__ import annotations

from datetime import date

from orchestration.serving.load import run_under_load
from orchestration.serving.readers import parse_mix

DAYS = [date(2026, 10, 29), date(2026, 10, 30)]
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
