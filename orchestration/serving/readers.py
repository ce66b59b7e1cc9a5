"""BI-style reader processes on the serving copy: timed reads, errors, mixed publications.

Each reader is a separate process (``python -m orchestration.serving.readers``) that reads
until a stop file appears or its time limit passes, then writes a JSON result file. One
*read* is one dashboard refresh: in one read transaction, a consistency query and three BI
queries (top companies, tiers, scores joined to companies). Three modes:

- ``reconnect``: open the serving file read-only, read, close (a BI tool without a pool,
  e.g. Superset with NullPool); sees each new publication at its next read;
- ``hold``: keep one read-only connection and re-open it every ``recycle`` seconds (a
  pooled tool); sees a new publication only after re-opening;
- ``parquet``: an in-memory DuckDB on the Parquet export, ``latest`` resolved once per read.

A read is *inconsistent* when its tables do not describe one publication: in the DuckDB
file, the row counts and as-of dates of the marts differ from ``meta.publication_marts``,
the as-of date of ``marts.pql_scores`` differs from ``meta.publication``, or
``pql_scores`` and ``companies`` disagree on a company's score or tier; in Parquet, the
as-of dates or the scores of the files of one folder disagree.

No Dagster here: readers start fast. ``ReaderPool`` starts readers in their own process
groups and always stops them (stop file, then SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

Mode = Literal["reconnect", "hold", "parquet"]
MODES: tuple[Mode, ...] = ("reconnect", "hold", "parquet")
#: Marts whose row count and as-of date a DuckDB read compares to meta.publication_marts.
CHECKED_MARTS = ("pql_scores", "companies", "pql_score_history", "new_pqls", "users")
MAX_MESSAGES = 5

_SCORES_VS_COMPANIES = (
    "SELECT count(*) FROM {scores} s FULL JOIN {companies} c USING (company_domain) "
    "WHERE s.score IS DISTINCT FROM c.score OR s.tier IS DISTINCT FROM c.tier"
)


def _duckdb_consistency_sql(marts: Sequence[str]) -> str:
    actual = " UNION ALL ".join(
        f"SELECT '{m}' AS mart, count(*) AS row_count, max(as_of_date) AS as_of_date FROM marts.{m}"
        for m in marts
    )
    names = ", ".join(f"'{m}'" for m in marts)
    mismatches = _SCORES_VS_COMPANIES.format(scores="marts.pql_scores", companies="marts.companies")
    return f"""
        WITH actual AS ({actual}),
        expected AS (SELECT mart, row_count, as_of_date FROM meta.publication_marts
                     WHERE mart IN ({names}))
        SELECT
            (SELECT min(publication_id) FROM meta.publication),
            (SELECT count(*) FROM meta.publication),
            (SELECT count(*) FROM expected e JOIN actual a USING (mart)
             WHERE e.row_count = a.row_count AND e.as_of_date IS NOT DISTINCT FROM a.as_of_date),
            ({mismatches}),
            (SELECT min(as_of_date) FROM meta.publication)
                IS NOT DISTINCT FROM (SELECT max(as_of_date) FROM marts.pql_scores),
            CAST((SELECT min(as_of_date) FROM meta.publication) AS VARCHAR)
    """


DUCKDB_CONSISTENCY_SQL = _duckdb_consistency_sql(CHECKED_MARTS)


def _bi_queries(scores: str, companies: str) -> tuple[str, ...]:
    return (
        f"SELECT company_domain, score, tier FROM {scores} "
        "ORDER BY score DESC, company_domain LIMIT 20",
        f"SELECT tier, count(*), avg(score) FROM {companies} GROUP BY tier ORDER BY tier",
        f"SELECT s.tier, count(*), max(c.score) FROM {scores} s "
        f"JOIN {companies} c USING (company_domain) WHERE s.score >= 50 GROUP BY s.tier",
    )


DUCKDB_BI_QUERIES = _bi_queries("marts.pql_scores", "marts.companies")


@dataclass(frozen=True)
class ReadOutcome:
    publication: str  # publication id (DuckDB: meta.publication; Parquet: the folder name)
    as_of_date: str | None
    consistent: bool


def read_duckdb(con: duckdb.DuckDBPyConnection) -> ReadOutcome:
    """One dashboard refresh on an open serving connection, in one read transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        row = con.execute(DUCKDB_CONSISTENCY_SQL).fetchall()[0]
        for sql in DUCKDB_BI_QUERIES:
            con.execute(sql).fetchall()
    except BaseException:
        with suppress(Exception):  # keep the first error, not the rollback's
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    publication, publications, matching, mismatches, as_of_matches, as_of = row
    consistent = (
        publications == 1
        and matching == len(CHECKED_MARTS)
        and mismatches == 0
        and as_of_matches is True
    )
    return ReadOutcome(str(publication), as_of, consistent)


def read_parquet(con: duckdb.DuckDBPyConnection, latest: str) -> ReadOutcome:
    """One dashboard refresh on the Parquet export: `latest` resolved once for the read."""
    folder = os.path.realpath(latest)
    scores, companies, history = (
        f"read_parquet('{folder}/{name}.parquet')"
        for name in ("pql_scores", "companies", "pql_score_history")
    )
    row = con.execute(
        f"""
        SELECT (SELECT max(as_of_date) FROM {scores}), (SELECT max(as_of_date) FROM {companies}),
               (SELECT max(as_of_date) FROM {history}),
               (SELECT count(*) FROM {scores}),
               (SELECT count(*) FROM {history}
                WHERE as_of_date = (SELECT max(as_of_date) FROM {history})),
               ({_SCORES_VS_COMPANIES.format(scores=scores, companies=companies)})
        """
    ).fetchall()[0]
    for sql in _bi_queries(scores, companies):
        con.execute(sql).fetchall()
    scores_day, companies_day, history_day, scored, history_rows, mismatches = row
    consistent = (
        scores_day == companies_day == history_day and scored == history_rows and mismatches == 0
    )
    return ReadOutcome(os.path.basename(folder), str(scores_day), consistent)


# ------------------------------------------------------------------------------- a reader


@dataclass(frozen=True)
class ReaderConfig:
    mode: Mode
    target: str  # the serving file, or the Parquet `latest` link for mode parquet
    result: str  # JSON result file, written when the reader stops
    ready: str  # touched after the first successful read
    stop: str  # the reader stops when this file exists
    limit: float = 600.0  # seconds: a hard bound if nobody creates `stop`
    think: float = 0.0  # seconds to wait between two reads
    recycle: float = 5.0  # mode hold: re-open the connection after this many seconds

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "orchestration.serving.readers"]
        for name, value in asdict(self).items():
            args += [f"--{name}", str(value)]
        return args


@dataclass
class ReaderResult:
    mode: str
    reads: int = 0
    errors: int = 0
    inconsistent: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # the first few errors, then samples
    publications: dict[str, str | None] = field(default_factory=dict)  # id -> as-of date

    def record_error(self, exc: BaseException) -> None:
        self.errors += 1
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(f"{type(exc).__name__}: {exc}")

    def record(self, outcome: ReadOutcome, latency: float) -> None:
        self.reads += 1
        self.latencies_ms.append(round(latency * 1000, 3))
        if not outcome.consistent:
            self.inconsistent += 1
        self.publications.setdefault(outcome.publication, outcome.as_of_date)


class _Session:
    """How a reader of one mode connects: per read, held and recycled, or to Parquet."""

    def __init__(self, config: ReaderConfig):
        self.config = config
        self.held: duckdb.DuckDBPyConnection | None = None
        self.opened = 0.0
        self.memory = duckdb.connect() if config.mode == "parquet" else None

    def read(self) -> ReadOutcome:
        config = self.config
        if self.memory is not None:
            return read_parquet(self.memory, config.target)
        if config.mode == "reconnect":
            with duckdb.connect(config.target, read_only=True) as con:
                return read_duckdb(con)
        if self.held is not None and time.monotonic() - self.opened > config.recycle:
            self.drop()
        if self.held is None:
            self.held = duckdb.connect(config.target, read_only=True)
            self.opened = time.monotonic()
        return read_duckdb(self.held)

    def drop(self) -> None:
        """Close the held connection (after an error, or to see a newer publication)."""
        if self.held is not None:
            with suppress(Exception):
                self.held.close()
            self.held = None

    def close(self) -> None:
        self.drop()
        if self.memory is not None:
            self.memory.close()


def run_reader(config: ReaderConfig) -> ReaderResult:
    """Read until `config.stop` exists or `config.limit` seconds passed."""
    result = ReaderResult(config.mode)
    stop, ready = Path(config.stop), Path(config.ready)
    session = _Session(config)
    started = time.monotonic()
    try:
        while not stop.exists() and time.monotonic() - started < config.limit:
            began = time.perf_counter()
            try:
                outcome = session.read()
            except Exception as exc:
                result.record_error(exc)
                session.drop()
            else:
                result.record(outcome, time.perf_counter() - began)
                if result.reads == 1:
                    ready.touch()
            if config.think:
                time.sleep(config.think)
    finally:
        session.close()
    result.seconds = time.monotonic() - started
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.serving.readers")
    parser.add_argument("--mode", choices=MODES, required=True)
    for name in ("target", "result", "ready", "stop"):
        parser.add_argument(f"--{name}", required=True)
    for name in ("limit", "think", "recycle"):
        parser.add_argument(f"--{name}", type=float, required=True)
    config = ReaderConfig(**vars(parser.parse_args(argv)))
    result = run_reader(config)
    temp = Path(f"{config.result}.tmp")
    temp.write_text(json.dumps(asdict(result)))
    os.replace(temp, config.result)  # the driver never sees half a result
    return 0


# ------------------------------------------------------------------------- many readers


def parse_mix(mix: str) -> list[Mode]:
    """``"reconnect=4,hold=2,parquet=2"`` -> the mode of each reader, in order."""
    modes: list[Mode] = []
    for part in mix.split(","):
        name, _, count = part.strip().partition("=")
        if name not in MODES or not count.isdigit():
            raise ValueError(f"bad reader mix {mix!r}: expected e.g. reconnect=4,hold=2,parquet=2")
        modes += [name] * int(count)  # type: ignore[list-item]
    if not modes:
        raise ValueError(f"bad reader mix {mix!r}: no readers")
    return modes


class ReaderPool:
    """Reader processes, each in its own process group; use it through :func:`readers`."""

    def __init__(self, configs: Sequence[ReaderConfig]):
        self.configs = list(configs)
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        for config in self.configs:
            with Path(f"{config.result}.err").open("wb") as stderr:
                self.processes.append(
                    subprocess.Popen(
                        config.command(),
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=stderr,  # a file: a chatty reader never blocks on a pipe
                        start_new_session=True,  # own process group: killpg reaches only it
                    )
                )

    def wait_ready(self, timeout: float) -> None:
        """Until every reader has made one read; fails if one died or the time ran out."""
        deadline = time.monotonic() + timeout
        while not all(Path(c.ready).exists() for c in self.configs):
            for config, process in zip(self.configs, self.processes, strict=True):
                if process.poll() is not None and not Path(config.ready).exists():
                    raise RuntimeError(f"reader {config.mode} exited: {_stderr(config)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"readers not ready after {timeout:.0f}s")
            time.sleep(0.05)

    def stop(self, grace: float = 30.0) -> list[ReaderResult]:
        """Ask every reader to stop, wait, then kill what is left; the readers' results."""
        for config in self.configs:
            Path(config.stop).touch()
        deadline = time.monotonic() + grace
        for process in self.processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        self.kill()
        results = []
        for config, process in zip(self.configs, self.processes, strict=True):
            path = Path(config.result)
            if not path.exists():
                raise RuntimeError(
                    f"reader {config.mode} left no result (exit {process.returncode}): "
                    f"{_stderr(config)}"
                )
            results.append(ReaderResult(**json.loads(path.read_text())))
        return results

    def kill(self) -> None:
        """SIGTERM, then SIGKILL, the process group of every reader still running."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            running = [p for p in self.processes if p.poll() is None]
            for process in running:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
            for process in running:
                # A reader that ignored SIGTERM (e.g. started from a tool shell): SIGKILL next.
                with suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
        for process in self.processes:
            if process.poll() is None:
                process.wait(timeout=5)  # after SIGKILL; raises if still alive


def _stderr(config: ReaderConfig) -> str:
    path = Path(f"{config.result}.err")
    return path.read_text(errors="replace")[-2000:] if path.exists() else ""


@contextmanager
def readers(
    modes: Sequence[Mode],
    serving: Path,
    workdir: Path,
    *,
    limit: float = 600.0,
    think: float = 0.0,
    recycle: float = 5.0,
) -> Iterator[ReaderPool]:
    """Start one reader per mode on `serving` (and its Parquet `latest`); always stopped."""
    workdir.mkdir(parents=True, exist_ok=True)
    stop = workdir / "stop"
    stop.unlink(missing_ok=True)
    latest = serving.parent / "parquet" / "latest"
    configs = [
        ReaderConfig(
            mode=mode,
            target=str(latest if mode == "parquet" else serving),
            result=str(workdir / f"reader-{i}.json"),
            ready=str(workdir / f"reader-{i}.ready"),
            stop=str(stop),
            limit=limit,
            think=think,
            recycle=recycle,
        )
        for i, mode in enumerate(modes)
    ]
    for config in configs:
        for leftover in (config.result, config.ready, f"{config.result}.err"):
            Path(leftover).unlink(missing_ok=True)
    pool = ReaderPool(configs)
    try:
        pool.start()
        yield pool
    finally:
        stop.touch()
        pool.kill()


if __name__ == "__main__":
    raise SystemExit(main())
