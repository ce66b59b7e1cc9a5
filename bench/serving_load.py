"""Benchmark: BI readers on the serving copy while ``pql_daily`` publishes, day after day.

    make bench-readers BENCH_ARGS='[--mix reconnect=4,hold=2,parquet=2] [--days 4]'

Runs the real ``pql_daily`` job on the bundled sample (one run per daily partition, in a
temporary folder); from the second run on, the reader processes read the serving file and
its Parquet export. Prints reads per second, latency percentiles, errors, inconsistent
reads and the publications observed, and writes them to ``bench/serving_load.json``.
A benchmark, not a test: it asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

from orchestration.serving.load import LoadReport, run_under_load
from orchestration.serving.readers import parse_mix

OUT = Path(__file__).resolve().parent / "serving_load.json"
FIRST_DAY = date(2026, 10, 27)  # the bundled sample's events end on 2026-10-31


COLUMNS = ("mode", "readers", "reads", "reads/s", "per reader", "p50", "p95", "p99", "max")
COLUMNS += ("errors", "mixed", "pubs")
WIDTHS = (10, 7, 7, 8, 24, 7, 7, 7, 7, 6, 5, 4)


def row(*values: object) -> str:
    cells = [f"{v:.1f}" if isinstance(v, float) else str(v) for v in values]
    first, *rest = zip(cells, WIDTHS, strict=True)
    return "  " + " ".join([first[0].ljust(first[1]), *(c.rjust(w) for c, w in rest)])


def print_report(report: LoadReport) -> None:
    print(f"\n{report.readers} readers for {report.seconds}s (think {report.think_seconds}s):")
    print(row(*COLUMNS))
    for m in report.per_mode:
        per = ",".join(f"{x:g}" for x in m.reads_per_second_per_reader)
        lat = m.latency_ms
        print(row(m.mode, m.readers, m.reads, m.reads_per_second, per, lat.p50, lat.p95,
                  lat.p99, lat.max, m.errors, m.inconsistent, m.publications_seen))  # fmt: skip
    lat = report.latency_ms
    print(row("all", report.readers, report.reads, report.reads_per_second, "", lat.p50,
              lat.p95, lat.p99, lat.max, report.errors, report.inconsistent,
              len(report.publications_seen)))  # fmt: skip
    print("  latency: ms per read (connect if any, then 4 queries in one read transaction)")
    print(f"errors: {report.errors} {report.error_messages or ''}")
    print(f"inconsistent (mixed or partial publication) reads: {report.inconsistent}")
    print(f"publications during reading: {report.publications_during_reading}, "
          f"observed by readers: {report.publications_observed}")  # fmt: skip
    for run in report.runs:
        when = "under load" if run.during_reading else "before the readers"
        print(f"  pql_daily {run.partition}: {run.seconds}s, success={run.success}, {when}")
    print(f"machine: {report.machine}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/serving_load.py", description=__doc__)
    parser.add_argument("--mix", default="reconnect=4,hold=2,parquet=2", help="readers per mode")
    parser.add_argument("--days", type=int, default=4, help="daily partitions (runs), >= 2")
    parser.add_argument("--first-day", type=date.fromisoformat, default=FIRST_DAY)
    parser.add_argument("--think", type=float, default=0.0, help="seconds between two reads")
    parser.add_argument("--recycle", type=float, default=5.0, help="mode hold: reconnect after")
    parser.add_argument("--workdir", type=Path, help="keep the files here (default: temporary)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    days = [args.first_day + timedelta(i) for i in range(args.days)]
    modes = parse_mix(args.mix)
    with tempfile.TemporaryDirectory(prefix="pql-serving-load-") as temp:
        workdir = args.workdir or Path(temp)
        report = run_under_load(
            workdir, days, modes, think=args.think, recycle=args.recycle, log=print
        )
    print_report(report)
    args.out.write_text(json.dumps(asdict(report), indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0 if report.errors == 0 and report.inconsistent == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
