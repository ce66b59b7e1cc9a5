"""``make bench SCALES=1M,10M,100M``: the pipeline's cost at several data sizes.

For each scale (a number of events), on data from the bulk generator (Parquet, one events
file per day, 181 days):

1. **full**: a fresh warehouse; ``python -m orchestration.cli run`` on the first 180 days
   (the last day's events file is held back): load, dbt build, checks, publish, reports;
2. **floor**: one hand-written DuckDB query (bench/floor.sql) computing the same
   ``pql_scores`` straight from the raw files, checked equal to the pipeline's result;
3. **incremental**: the held-back day arrives; ``python -m orchestration.cli daily <day>``,
   the run the daily schedule launches;
4. **overhead**: starting Python and Dagster, loading the definitions, ``dbt parse`` with
   the prepared manifest (partial parsing): the cost of any run, whatever the data.

Each command runs in its own process; wall time and the peak resident memory of its whole
process tree are measured. Figures go to bench/results.json (one object per scale, merged
with the scales not re-run) and to the table in docs/benchmarks.md. Nothing is asserted:
targets are compared in the printed table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from bench.floor import SEEDS_DIR, compare_with_pipeline
from bench.measure import Measured, run_measured
from orchestration.settings import DBT_PROJECT_DIR

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
TABLE_START, TABLE_END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
PYTHON = sys.executable
SUFFIXES = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000}

# Targets of issue 6, shown next to the figures (see docs/benchmarks.md).
FULL_VS_FLOOR_TARGET = 2.0
INCREMENTAL_VS_FULL_TARGET = 0.10
PEAK_RSS_TARGET_MB = 4096
OVERHEAD_TARGET_S = 10.0


def parse_scale(text: str) -> int:
    """'1M' -> 1_000_000, '250K' -> 250_000, '5000' -> 5000."""
    text = text.strip().upper()
    if text and text[-1] in SUFFIXES:
        return int(float(text[:-1]) * SUFFIXES[text[-1]])
    return int(text)


def scale_name(events: int) -> str:
    for suffix, size in sorted(SUFFIXES.items(), key=lambda item: -item[1]):
        if events % size == 0:
            return f"{events // size}{suffix}"
    return str(events)


@dataclass
class ScaleResult:
    """One row of bench/results.json (the first six fields are the issue's contract)."""

    events: int
    full_s: float
    floor_s: float
    incremental_s: float
    overhead_s: float
    peak_rss_mb: float
    scale: str
    generate_s: float | None
    prepare_s: float
    full_peak_rss_mb: float
    floor_peak_rss_mb: float
    incremental_peak_rss_mb: float
    overhead_parts_s: dict[str, float]
    floor_equals_pipeline: bool
    pql_scores_rows: int
    raw_bytes: int
    warehouse_bytes: int
    as_of: str
    incremental_day: str
    measured_at: str
    load_average_at_start: float  # 1-minute load average: other work on the machine


def _env(work: Path, raw: Path) -> dict[str, str]:
    dagster_home = work / "dagster_home"
    dagster_home.mkdir(parents=True, exist_ok=True)
    link = dagster_home / "dagster.yaml"
    if not link.exists():
        link.symlink_to(ROOT / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PQL_", "DBT_"))}
    return {
        **env,
        "PQL_SEEDS_DIR": str(raw),
        "PQL_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "PQL_SERVING_PATH": str(work / "serving.duckdb"),
        "DAGSTER_HOME": str(dagster_home),
        # dbt artifacts of this deployment: its prepared manifest and partial-parse state
        "DBT_TARGET_PATH": str(work / "dbt_target"),
        "PYTHONUNBUFFERED": "1",
    }


def _dbt_parse(env: dict[str, str], logs: Path, name: str) -> float:
    """`dbt parse` into the deployment's target folder (partial parsing when it can)."""
    dbt = str(Path(PYTHON).parent / "dbt")
    command = [dbt, "parse", "--quiet", "--log-path", env["DBT_TARGET_PATH"]]
    return run_measured(command, env, logs / f"{name}.log", cwd=DBT_PROJECT_DIR).wall_s


def _generate(events: int, raw: Path, logs: Path) -> float | None:
    """Bulk-generate the scale's raw files once; later runs reuse them (None: reused)."""
    marker = raw / ".generated"
    if marker.exists() and marker.read_text() == str(events):
        print(f"  raw files: reusing {raw}")
        return None
    shutil.rmtree(raw, ignore_errors=True)
    command = [PYTHON, "-m", "orchestration.synthetic", "--out", str(raw), "--format"]
    command += ["parquet", "--events", str(events)]
    measured = run_measured(command, os.environ, logs / "generate.log")
    marker.write_text(str(events))
    print(f"  generated {events:,} events in {measured.wall_s:.1f} s")
    return measured.wall_s


def _event_days(raw: Path) -> list[Path]:
    return sorted((raw / "events").glob("*.parquet"))


def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _overhead(env: dict[str, str], logs: Path) -> dict[str, float]:
    """Fixed costs of any run: Python + Dagster import, definitions, dbt parse (partial)."""
    load_defs = "from orchestration.definitions import defs; defs.resolve_job_def('pql_daily')"
    steps = {
        "python_and_dagster_import": [PYTHON, "-c", "import dagster, dagster_dbt"],
        "definitions_load": [PYTHON, "-c", load_defs],
    }
    parts = {
        name: run_measured(command, env, logs / f"overhead_{name}.log", cwd=ROOT).wall_s
        for name, command in steps.items()
    }
    parts["dbt_parse_partial"] = _dbt_parse(env, logs, "overhead_dbt_parse")
    return parts


def _pipeline_as_of(work: Path) -> date:
    """The as-of date the pipeline scored (its rule: the last complete day of events)."""
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT as_of_date FROM intermediate.int_as_of_date").fetchall()[0][0]


def _floor(env: dict[str, str], raw: Path, as_of: date, logs: Path) -> Measured:
    """The floor query alone, once, in its own process (bench/floor.py)."""
    command = [PYTHON, "-m", "bench.floor", "--raw", str(raw), "--as-of", as_of.isoformat()]
    return run_measured([*command, "--repeat", "1"], env, logs / "floor.log", cwd=ROOT)


def _floor_equals_pipeline(work: Path, raw: Path, as_of: date) -> tuple[bool, int]:
    """Row-for-row equality of the floor and marts.pql_scores (EXCEPT ALL both ways)."""
    con = duckdb.connect()
    try:
        compared, mismatches = compare_with_pipeline(
            con, work / "warehouse.duckdb", raw, SEEDS_DIR, as_of
        )
    finally:
        con.close()
    return mismatches == 0, compared


def bench_scale(events: int, root: Path) -> ScaleResult:
    name = scale_name(events)
    load_average = round(os.getloadavg()[0], 1)
    print(f"\n== {name} events (load average {load_average}) ==")
    scale_dir = root / name
    raw, work, logs = scale_dir / "raw", scale_dir / "work", scale_dir / "logs"
    generate_s = _generate(events, raw, logs)
    days = _event_days(raw)
    if len(days) < 2:
        raise SystemExit(f"{raw}/events holds {len(days)} daily files; need at least 2")
    held_back = scale_dir / "held_back" / days[-1].name
    held_back.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = _env(work, raw)
    # The deployment's prepared manifest (`make setup` with its PQL_* environment).
    prepare_s = _dbt_parse(env, logs, "prepare_dbt_parse")
    try:
        days[-1].rename(held_back)
        print(f"  full run on {len(days) - 1} days ...", flush=True)
        full = run_measured(
            [PYTHON, "-m", "orchestration.cli", "run"], env, logs / "full.log", cwd=ROOT
        )
        print(f"  full: {full.wall_s:.1f} s, peak {full.peak_rss_mb:.0f} MB", flush=True)
        as_of = _pipeline_as_of(work)
        floor = _floor(env, raw, as_of, logs)
        equal, rows = _floor_equals_pipeline(work, raw, as_of)
        print(f"  floor: {floor.wall_s:.1f} s, equal to the pipeline: {equal} ({rows} rows)")
    finally:
        held_back.rename(days[-1])
    day = date.fromisoformat(days[-1].stem)
    incremental = run_measured(
        [PYTHON, "-m", "orchestration.cli", "daily", day.isoformat()],
        env,
        logs / "incremental.log",
        cwd=ROOT,
    )
    print(f"  incremental day {day}: {incremental.wall_s:.1f} s", flush=True)
    overhead = _overhead(env, logs)
    print(f"  overhead: {overhead}")
    return ScaleResult(
        events=events,
        full_s=full.wall_s,
        floor_s=floor.wall_s,
        incremental_s=incremental.wall_s,
        overhead_s=round(sum(overhead.values()), 2),
        peak_rss_mb=max(full.peak_rss_mb, incremental.peak_rss_mb),
        scale=name,
        generate_s=generate_s,
        prepare_s=prepare_s,
        full_peak_rss_mb=full.peak_rss_mb,
        floor_peak_rss_mb=floor.peak_rss_mb,
        incremental_peak_rss_mb=incremental.peak_rss_mb,
        overhead_parts_s=overhead,
        floor_equals_pipeline=equal,
        pql_scores_rows=rows,
        raw_bytes=_dir_bytes(raw),
        warehouse_bytes=(work / "warehouse.duckdb").stat().st_size,
        as_of=as_of.isoformat(),
        incremental_day=day.isoformat(),
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
        load_average_at_start=load_average,
    )


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def _status(value: float, target: float) -> str:
    return "met" if value <= target else "missed"


def table(results: list[dict]) -> str:
    """The Markdown table of docs/benchmarks.md."""
    lines = [
        "| events | full (s) | floor (s) | full / floor | incremental (s) | incr. / full "
        "| overhead (s) | peak RSS (MB) | floor = pipeline |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in sorted(results, key=lambda r: r["events"]):
        ratio = r["full_s"] / r["floor_s"]
        share = r["incremental_s"] / r["full_s"]
        lines.append(
            f"| {r['events']:,} | {r['full_s']:.1f} | {r['floor_s']:.1f} "
            f"| {ratio:.1f}x ({_status(ratio, FULL_VS_FLOOR_TARGET)}) "
            f"| {r['incremental_s']:.1f} "
            f"| {share:.0%} ({_status(share, INCREMENTAL_VS_FULL_TARGET)}) "
            f"| {r['overhead_s']:.1f} ({_status(r['overhead_s'], OVERHEAD_TARGET_S)}) "
            f"| {r['peak_rss_mb']:,.0f} ({_status(r['peak_rss_mb'], PEAK_RSS_TARGET_MB)}) "
            f"| {'yes' if r['floor_equals_pipeline'] else 'NO'} |"
        )
    return "\n".join(lines)


def write_outputs(new: list[ScaleResult]) -> list[dict]:
    """Merge into bench/results.json (by scale) and rewrite the table in docs/benchmarks.md."""
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"scales": []}
    by_events = {r["events"]: r for r in previous["scales"]}
    by_events.update({r.events: asdict(r) for r in new})
    results = sorted(by_events.values(), key=lambda r: r["events"])
    RESULTS.write_text(json.dumps({"machine": machine(), "scales": results}, indent=2) + "\n")
    doc = DOC.read_text()
    start, end = doc.index(TABLE_START) + len(TABLE_START), doc.index(TABLE_END)
    DOC.write_text(doc[:start] + "\n" + table(results) + "\n" + doc[end:])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--scales", default="1M,10M,100M", help="e.g. 1M,10M")
    parser.add_argument(
        "--work-dir", type=Path, default=ROOT / "bench" / "work", help="raw files and warehouses"
    )
    args = parser.parse_args(argv)
    scales = [parse_scale(s) for s in args.scales.split(",") if s.strip()]
    results: list[dict] = []
    for events in scales:  # written after each scale, so a failure keeps what was measured
        results = write_outputs([bench_scale(events, args.work_dir)])
    print("\n" + table(results))
    print(f"\nWrote {RESULTS.relative_to(ROOT)} and the table in {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
