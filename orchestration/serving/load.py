"""Readers under load: reader processes on the serving copy while ``pql_daily`` runs.

:func:`run_under_load` materializes the real ``pql_daily`` job, one daily partition per run
(in-process executor, a temporary Dagster instance, files in a work folder). The first run
publishes the first serving file; then the readers of ``orchestration.serving.readers``
start and every further run publishes again while they read. :class:`LoadReport` holds
what the readers measured: reads per second, latency percentiles, errors, inconsistent
reads, and which publications they saw. Used by ``bench/serving_load.py`` (the benchmark)
and ``tests/test_serving_under_load.py``.
"""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.environment import patched_environ
from orchestration.serving.readers import Mode, ReaderResult, readers
from orchestration.settings import DEFAULT_SEEDS_DIR

PARTITION_TAG = "dagster/partition"


@dataclass(frozen=True)
class Latency:
    """Milliseconds per read (nearest-rank percentiles)."""

    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Latency:
        ordered = sorted(samples)
        if not ordered:
            return cls(0.0, 0.0, 0.0, 0.0)

        def rank(q: float) -> float:
            return round(ordered[max(0, math.ceil(len(ordered) * q / 100) - 1)], 1)

        return cls(rank(50), rank(95), rank(99), round(ordered[-1], 1))


@dataclass(frozen=True)
class ModeFigures:
    mode: str
    readers: int
    reads: int
    reads_per_second: float  # all readers of this mode together
    reads_per_second_per_reader: list[float]  # each over its own lifetime
    latency_ms: Latency
    errors: int
    inconsistent: int
    publications_seen: int  # distinct publications read by at least one reader of this mode


@dataclass(frozen=True)
class RunFigures:
    partition: str
    success: bool
    seconds: float
    publication_id: str | None
    during_reading: bool


@dataclass
class LoadReport:
    readers: int
    seconds: float  # from the first run under load to the stop signal
    reads: int
    reads_per_second: float  # the sum of every reader's reads per second
    latency_ms: Latency
    errors: int
    error_messages: list[str]
    inconsistent: int
    per_mode: list[ModeFigures]
    runs: list[RunFigures]
    publications_during_reading: int  # published by the runs while the readers read
    publications_observed: int  # of those, read by at least one reader
    publications_seen: list[str]  # every publication id any reader read (incl. the first)
    reader_reads: list[int]  # reads per reader
    think_seconds: float
    machine: dict[str, object] = field(default_factory=dict)


def _read_publication_id(serving: Path) -> str | None:
    if not serving.exists():
        return None
    with duckdb.connect(str(serving), read_only=True) as con:
        rows = con.execute("SELECT publication_id FROM meta.publication").fetchall()
    return str(rows[0][0]) if rows else None


def _machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def _rate(result: ReaderResult) -> float:
    return result.reads / result.seconds if result.seconds > 0 else 0.0


def summarize(
    results: Sequence[ReaderResult],
    seconds: float,
    runs: Sequence[RunFigures],
    think: float,
) -> LoadReport:
    """Figures over all readers and per mode; a reader's rate is over its own lifetime."""
    seen: set[str] = set().union(*(r.publications for r in results))
    during = {r.publication_id for r in runs if r.during_reading and r.publication_id}
    per_mode = []
    for mode in dict.fromkeys(r.mode for r in results):
        group = [r for r in results if r.mode == mode]
        reads = sum(r.reads for r in group)
        per_mode.append(
            ModeFigures(
                mode=mode,
                readers=len(group),
                reads=reads,
                reads_per_second=round(sum(_rate(r) for r in group), 1),
                reads_per_second_per_reader=[round(_rate(r), 1) for r in group],
                latency_ms=Latency.of([x for r in group for x in r.latencies_ms]),
                errors=sum(r.errors for r in group),
                inconsistent=sum(r.inconsistent for r in group),
                publications_seen=len(set().union(*(r.publications for r in group))),
            )
        )
    reads = sum(r.reads for r in results)
    return LoadReport(
        readers=len(results),
        seconds=round(seconds, 1),
        reads=reads,
        reads_per_second=round(sum(_rate(r) for r in results), 1),
        latency_ms=Latency.of([x for r in results for x in r.latencies_ms]),
        errors=sum(r.errors for r in results),
        error_messages=[m for r in results for m in r.messages],
        inconsistent=sum(r.inconsistent for r in results),
        per_mode=per_mode,
        runs=list(runs),
        publications_during_reading=len(during),
        publications_observed=len(during & seen),
        publications_seen=sorted(seen),
        reader_reads=[r.reads for r in results],
        think_seconds=think,
        machine=_machine(),
    )


def run_under_load(
    workdir: Path,
    days: Sequence[date],
    modes: Sequence[Mode],
    *,
    seeds_dir: Path = DEFAULT_SEEDS_DIR,
    think: float = 0.0,
    recycle: float = 5.0,
    linger: float = 2.0,
    limit: float = 3600.0,
    log: Callable[[str], None] = print,
) -> LoadReport:
    """Run ``pql_daily`` for each of `days` (one run each); readers read from the 2nd run on.

    `linger`: seconds the readers go on reading after the last run (to read its publication).
    `limit`: seconds after which a reader stops on its own (only if this process died: the
    readers are stopped, and killed if need be, when the runs are done or fail).
    """
    if len(days) < 2:
        raise ValueError("need at least two days: one to publish first, one to publish under load")
    import dagster as dg  # here, not at import: reader processes never need Dagster

    from orchestration.definitions import build_definitions
    from orchestration.settings import Settings

    workdir.mkdir(parents=True, exist_ok=True)
    serving = workdir / "serving" / "serving.duckdb"
    values = {
        "PQL_SEEDS_DIR": str(seeds_dir),
        "PQL_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "PQL_SERVING_PATH": str(serving),
    }
    runs: list[RunFigures] = []
    with patched_environ(values, unset=["PQL_AS_OF"]), dg.instance_for_test() as instance:
        job = build_definitions(Settings.from_env()).resolve_job_def("pql_daily")

        def materialize(day: date, during_reading: bool) -> None:
            started = time.monotonic()
            result = job.execute_in_process(
                instance=instance, tags={PARTITION_TAG: day.isoformat()}, raise_on_error=False
            )
            figures = RunFigures(
                partition=day.isoformat(),
                success=result.success,
                seconds=round(time.monotonic() - started, 1),
                publication_id=_read_publication_id(serving),
                during_reading=during_reading,
            )
            runs.append(figures)
            log(f"pql_daily {figures.partition}: success={figures.success} "
                f"in {figures.seconds}s, published {figures.publication_id}")  # fmt: skip
            if not result.success:
                failed = [e.step_key for e in result.all_events if e.is_step_failure]
                raise RuntimeError(f"pql_daily {day} failed at {failed}")

        materialize(days[0], during_reading=False)
        with readers(
            modes, serving, workdir / "readers", limit=limit, think=think, recycle=recycle
        ) as pool:
            pool.wait_ready(timeout=300)
            log(f"{len(modes)} readers reading; running {len(days) - 1} more partition(s)")
            began = time.monotonic()
            for day in days[1:]:
                materialize(day, during_reading=True)
            time.sleep(linger)
            seconds = time.monotonic() - began
            results = pool.stop()
    return summarize(results, seconds, runs, think)
