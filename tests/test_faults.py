"""The pipeline killed with SIGKILL, then re-run: same tables, serving file never damaged.

Real processes only: ``python -m orchestration.cli run`` (the whole ``pql_daily`` job, the
same command as ``make run``) and the publish step, each started in its own process group
and killed with ``os.killpg(..., SIGKILL)`` at a point observed from outside (a log line,
a temporary file). Inputs: the bundled sample (its last 40 days of events) plus a bulk
re-delivery of ~100k events, so that loading one file takes seconds.

One killed warehouse goes through: a kill mid-load of the bulk file, a kill mid-publish,
a kill mid ``dbt build`` (the incremental score history), then a run to completion. After
each kill the test checks what that kill could have damaged; at the end every relation of
``raw``, ``staging``, ``intermediate`` and ``marts`` equals a clean uninterrupted run on
the same inputs (run alongside), row for row.
"""

from __future__ import annotations

import csv
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.cli import (
    CLI_RUN_TAG,
    CLI_RUN_TAG_VALUE,
    one_cli_run_at_a_time,
    reclaim_killed_runs,
)
from orchestration.resources import WAREHOUSE_POOL
from orchestration.serving.publish import SERVING_MARTS, publish
from orchestration.settings import DEFAULT_SEEDS_DIR, REPO_ROOT
from tests.test_serving import leftovers, make_working, sha256

#: Columns that legitimately differ between two runs on the same files.
VOLATILE_COLUMNS = {"_load_id", "load_id", "loaded_at"}
LAYERS = ("raw", "staging", "intermediate", "marts")
EVENT_DAYS = 40  # the newest days of the sample's events: a short scoring window
BULK_FILE = "events/2026-10-15-bulk.csv"  # sorts between the daily drops of Oct 14 and 15
BULK_NEW_COPIES = 3  # copies of every event under a new event_id
BULK_REDELIVERIES = 9  # copies of every event under its own event_id (duplicates)
PREVIOUS_AS_OF = date(2020, 1, 1)  # the publication in place before the killed runs
#: Natural keys: no relation may hold two rows for one of these.
NATURAL_KEYS = {
    "raw.events": ["event_id"],
    "raw.users": ["user_id"],
    "raw.accounts": ["account_id"],
    "raw.invites": ["invite_id"],
    "raw.subscriptions": ["subscription_id"],
    "raw.memberships": ["account_id", "user_id"],
    "raw.load_log": ["entity", "file_sha256"],
    "marts.pql_scores": ["company_domain"],
    "marts.companies": ["company_domain"],
    "marts.pql_score_history": ["company_domain", "as_of_date"],
    "marts.users": ["user_id"],
    "marts.accounts": ["account_id"],
    "intermediate.int_user_activity_daily": ["user_id", "occurred_date", "known_date"],
}
RUN_TIMEOUT = 600  # seconds: a hard bound for one pipeline run on a busy 2-core machine
LOG_LINE = re.compile(r" - (?P<file>[^ ]+\.(?:csv|jsonl|parquet)): (?P<read>\d+) read, ")


# ------------------------------------------------------------------------------ inputs


def make_inputs(seeds: Path) -> dict[str, int]:
    """The sample without its older events, plus one large file of re-delivered events."""
    seeds.mkdir(parents=True)
    for path in DEFAULT_SEEDS_DIR.glob("*.csv"):
        shutil.copy(path, seeds / path.name)
    (seeds / "events").mkdir()
    header: list[str] = []
    rows: list[list[str]] = []
    for path in sorted((DEFAULT_SEEDS_DIR / "events").glob("*.csv"))[-EVENT_DAYS:]:
        shutil.copy(path, seeds / "events" / path.name)
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            rows.extend(reader)
    bulk = seeds / BULK_FILE
    with bulk.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for copy in range(BULK_REDELIVERIES):
            writer.writerows(rows)
            if copy < BULK_NEW_COPIES:
                writer.writerows([[f"{row[0]}-bulk{copy}", *row[1:]] for row in rows])
    return {"daily_event_rows": len(rows), "bulk_rows": len(rows) * (BULK_REDELIVERIES + 3)}


# --------------------------------------------------------------------------- processes


@dataclass
class Layout:
    """One warehouse: its raw files, working and serving files and Dagster home."""

    root: Path
    seeds: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "work" / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.root / "serve" / "serving.duckdb"

    def env(self) -> dict[str, str]:
        home = self.root / "dagster_home"
        if not home.exists():  # the repository's instance settings: pools, one run at a time
            home.mkdir(parents=True)
            (home / "dagster.yaml").symlink_to(REPO_ROOT / "dagster.yaml")
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PQL_", "DAGSTER_"))}
        return {
            **env,
            "DAGSTER_HOME": str(home),
            "PQL_SEEDS_DIR": str(self.seeds),
            "PQL_DUCKDB_PATH": str(self.warehouse),
            "PQL_SERVING_PATH": str(self.serving),
            "PYTHONUNBUFFERED": "1",
        }


@dataclass
class Process:
    """A process in its own group; its output (stdout and stderr) read line by line."""

    popen: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _new: queue.Queue[str | None] = field(default_factory=queue.Queue)

    @classmethod
    def start(cls, command: list[str], env: dict[str, str]) -> Process:
        popen = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        process = cls(popen)
        threading.Thread(target=process._read, daemon=True).start()
        return process

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line)
            self._new.put(line)
        self._new.put(None)

    def wait_for_line(self, pattern: str, timeout: float = RUN_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._new.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                raise AssertionError(f"no line matching {pattern!r}:\n{self.tail()}")
            if re.search(pattern, line):
                return line

    def kill(self) -> None:
        """SIGKILL the whole group: the CLI and the dbt process it started."""
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def finish(self, timeout: float = RUN_TIMEOUT) -> None:
        try:
            self.popen.wait(timeout=timeout)
        finally:
            if self.popen.poll() is None:
                self.kill()
        assert self.popen.returncode == 0, f"exit {self.popen.returncode}:\n{self.tail()}"

    def tail(self, lines: int = 40) -> str:
        return "".join(self.lines[-lines:])

    def loaded_files(self) -> set[str]:
        """Raw files whose load the process reported (after its commit)."""
        return {m["file"] for line in self.lines if (m := LOG_LINE.search(line))}


def start_pipeline(layout: Layout) -> Process:
    return Process.start([sys.executable, "-m", "orchestration.cli", "run"], layout.env())


@dataclass
class Timed:
    seconds: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str, since: float) -> None:
        self.seconds[name] = round(time.monotonic() - since, 1)


# ------------------------------------------------------------------------- comparisons


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN ? "
        "UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
        "WHERE NOT internal AND schema_name IN ? ORDER BY ALL",
        [list(LAYERS), list(LAYERS)],
    ).fetchall()


def snapshot(warehouse: Path, out: Path, schemas: tuple[str, ...] = LAYERS) -> dict[str, int]:
    """Every relation of `schemas` as a Parquet file without its volatile columns."""
    out.mkdir(parents=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for schema, name in relations(con):
            if schema not in schemas:
                continue
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? "
                    "AND table_name = ? ORDER BY column_index",
                    [schema, name],
                ).fetchall()
                if c not in VOLATILE_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            target = out / f"{schema}.{name}.parquet"
            con.execute(f'COPY (SELECT {select} FROM "{schema}"."{name}") TO \'{target}\'')
            counts[f"{schema}.{name}"] = con.execute(
                f"SELECT count(*) FROM read_parquet('{target}')"
            ).fetchall()[0][0]
    return counts


def differences(expected: Path, actual: Path) -> dict[str, object]:
    """Relations missing, or with rows only on one side (a multiset: EXCEPT ALL both ways)."""
    names = {p.stem for p in expected.glob("*.parquet")}
    found = {p.stem for p in actual.glob("*.parquet")}
    problems: dict[str, object] = {}
    if names != found:
        problems["relations"] = {"missing": sorted(names - found), "extra": sorted(found - names)}
    con = duckdb.connect()
    for name in sorted(names & found):
        a = f"read_parquet('{expected / name}.parquet')"
        b = f"read_parquet('{actual / name}.parquet')"
        only_expected, only_actual = (
            con.execute(f"SELECT count(*) FROM (FROM {x} EXCEPT ALL FROM {y})").fetchall()[0][0]
            for x, y in ((a, b), (b, a))
        )
        if only_expected or only_actual:
            problems[name] = {"only_in_clean_run": only_expected, "only_after_kills": only_actual}
    con.close()
    return problems


def duplicate_keys(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: dupes
            for table, key in NATURAL_KEYS.items()
            if (
                dupes := con.execute(
                    f"SELECT count(*) FROM (SELECT {', '.join(key)} FROM {table} "
                    f"GROUP BY ALL HAVING count(*) > 1)"
                ).fetchall()[0][0]
            )
        }


def raw_is_reconciled(warehouse: Path) -> list[tuple]:
    """Files whose rows in the raw tables and rejects differ from raw.load_log."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        entities = [
            e for (e,) in con.execute("SELECT DISTINCT entity FROM raw.load_log").fetchall()
        ]
        counted = " UNION ALL ".join(
            f"SELECT '{e}' AS entity, _source_file AS source_file, count(*) AS n, 0 AS r "
            f"FROM raw.{e} GROUP BY ALL" for e in entities
        )  # fmt: skip
        return con.execute(
            f"""
            WITH actual AS (
                SELECT entity, source_file, sum(n) AS inserted, sum(r) AS rejected FROM (
                    {counted}
                    UNION ALL SELECT entity, source_file, 0, count(*) FROM raw.rejects GROUP BY ALL
                ) GROUP BY ALL
            )
            SELECT entity, source_file, l.rows_inserted, coalesce(a.inserted, 0),
                   l.rows_rejected, coalesce(a.rejected, 0)
            FROM raw.load_log AS l FULL JOIN actual AS a USING (entity, source_file)
            -- a file whose rows were all duplicates or all rejected has no group in `actual`
            WHERE l.rows_inserted IS DISTINCT FROM coalesce(a.inserted, 0)
               OR l.rows_rejected IS DISTINCT FROM coalesce(a.rejected, 0)
               OR l.rows_read <> l.rows_inserted + l.rows_duplicate + l.rows_rejected
            """
        ).fetchall()


def publication(serving: Path) -> tuple[str, date]:
    """Open the serving file read-only and check it holds one complete publication."""
    with duckdb.connect(str(serving), read_only=True) as con:
        [(publication_id, as_of, marts, total)] = con.execute(
            "SELECT publication_id, as_of_date, marts, total_rows FROM meta.publication"
        ).fetchall()
        per_mart = dict(
            con.execute("SELECT mart, row_count FROM meta.publication_marts").fetchall()
        )
        tables = {
            t for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }  # fmt: skip
        assert tables == set(SERVING_MARTS) == set(per_mart), tables
        assert marts == len(SERVING_MARTS) and total == sum(per_mart.values())
        for mart, rows in per_mart.items():
            assert con.execute(f"SELECT count(*) FROM marts.{mart}").fetchall()[0][0] == rows
    return publication_id, as_of


# ----------------------------------------------------------------------------- fixture


@dataclass
class Outcome:
    inputs: dict[str, int]
    clean: Layout
    killed: Layout
    clean_snapshot: Path
    clean_counts: dict[str, int]
    timings: Timed
    findings: dict[str, object]


@pytest.fixture(scope="module")
def outcome() -> Iterator[Outcome]:
    """A clean run, and alongside it the killed runs of one warehouse, then its re-run."""
    # Not under pytest's tmp_path: a pytest session started meanwhile by someone else on
    # this machine prunes old numbered temp folders, and these runs take minutes.
    root = Path(tempfile.mkdtemp(prefix="pql-faults-"))
    seeds = root / "seeds"
    inputs = make_inputs(seeds)
    clean, killed = Layout(root / "clean", seeds), Layout(root / "killed", seeds)
    timings, findings = Timed(), {}
    began = time.monotonic()
    baseline = start_pipeline(clean)  # in parallel with the killed runs: separate files

    # A publication already in place, recognisable by its as-of date.
    previous = root / "previous" / "warehouse.duckdb"
    previous.parent.mkdir()
    make_working(previous, PREVIOUS_AS_OF)
    publish(previous, killed.serving, SERVING_MARTS, "previous")
    findings["previous_sha"] = sha256(killed.serving)
    try:
        yield from _killed_runs(root, inputs, clean, killed, baseline, timings, findings, began)
    finally:
        if baseline.popen.poll() is None:
            baseline.kill()
        shutil.rmtree(root, ignore_errors=True)


def _killed_runs(root, inputs, clean, killed, baseline, timings, findings, began):
    # (a) Mid-load: SIGKILL while the bulk file is being loaded (it takes seconds; the line
    # of the file before it is printed after that file's commit).
    t = time.monotonic()
    run = start_pipeline(killed)
    run.wait_for_line(r"events/2026-10-14\.csv: \d+ read")
    time.sleep(1.0)
    run.kill()
    timings.mark("a: run killed mid-load", t)
    findings["a_reported_before_kill"] = run.loaded_files()
    findings["a_wal_bytes"] = _wal_size(killed.warehouse)
    findings["a_serving_sha"] = sha256(killed.serving)
    findings["a_bulk_reported"] = any("2026-10-15-bulk.csv: " in line for line in run.lines)
    with duckdb.connect(str(killed.warehouse)) as con:  # read-write: replays the WAL
        findings["a_load_log"] = {
            f for (f,) in con.execute("SELECT source_file FROM raw.load_log").fetchall()
        }
        findings["a_bulk_rows"] = con.execute(
            "SELECT count(*) FROM raw.events WHERE _source_file = $f", {"f": BULK_FILE}
        ).fetchall()[0][0]
    findings["a_wal_after_open"] = _wal_size(killed.warehouse)
    findings["a_unreconciled"] = raw_is_reconciled(killed.warehouse)

    # (c) Mid-publish: re-run; it loads the rest and builds dbt, then SIGKILL as soon as
    # its new serving file appears beside the published one.
    t = time.monotonic()
    run = start_pipeline(killed)
    temp_files = f"{killed.serving.name}.tmp-*"
    _wait_for_file(killed.serving.parent, temp_files, run)
    time.sleep(0.1)
    run.kill()
    timings.mark("c: re-run killed mid-publish", t)
    findings["c_leftovers"] = leftovers(killed.serving)
    findings["c_serving_sha"] = sha256(killed.serving)
    findings["c_publication"] = publication(killed.serving)
    findings["c_unreconciled"] = raw_is_reconciled(killed.warehouse)

    # Meanwhile the clean run has finished: the reference.
    t = time.monotonic()
    baseline.finish()
    timings.mark("clean run (waited for)", t)
    timings.seconds["clean run (wall, in parallel)"] = round(time.monotonic() - began, 1)
    clean_snapshot = root / "snap-clean"
    clean_counts = snapshot(clean.warehouse, clean_snapshot)
    findings["c_differences"] = differences(clean_snapshot, _snap(killed, root, "snap-c"))

    # (b) Mid dbt build: re-run, SIGKILL while dbt rewrites the score history (incremental
    # delete+insert of every day of the window, in a separate dbt process of the group).
    t = time.monotonic()
    run = start_pipeline(killed)
    run.wait_for_line(r"START sql incremental model marts\.pql_score_history")
    time.sleep(1.0)
    run.kill()
    timings.mark("b: re-run killed mid dbt build", t)
    findings["b_wal_bytes"] = _wal_size(killed.warehouse)
    findings["b_serving_sha"] = sha256(killed.serving)
    findings["b_leftovers"] = leftovers(killed.serving)
    with duckdb.connect(str(killed.warehouse)):  # read-write: replays the WAL
        pass
    findings["b_wal_after_open"] = _wal_size(killed.warehouse)
    findings["b_duplicates"] = duplicate_keys(killed.warehouse)

    # The re-run to completion.
    t = time.monotonic()
    run = start_pipeline(killed)
    run.finish()
    timings.mark("final re-run", t)
    timings.seconds["all processes"] = round(time.monotonic() - began, 1)
    yield Outcome(inputs, clean, killed, clean_snapshot, clean_counts, timings, findings)


def _wal_size(database: Path) -> int | None:
    wal = Path(f"{database}.wal")
    return wal.stat().st_size if wal.exists() else None


def _wait_for_file(folder: Path, pattern: str, run: Process) -> Path:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        found = list(folder.glob(pattern))
        if found:
            return found[0]
        assert run.popen.poll() is None, f"the run ended before {pattern}:\n{run.tail()}"
        time.sleep(0.005)
    raise AssertionError(f"no {pattern} in {folder}")


def _snap(layout: Layout, root: Path, name: str) -> Path:
    snapshot(layout.warehouse, root / name)
    return root / name


# ------------------------------------------------------------------------------ tests


def test_a_kill_mid_load_keeps_every_committed_file_and_nothing_of_the_killed_one(outcome):
    f = outcome.findings
    assert not f["a_bulk_reported"], "the kill landed after the bulk file was loaded"
    assert f["a_reported_before_kill"], "the kill landed before any file was loaded"
    # Every file reported before the kill survived the kill (committed, replayed from the
    # WAL), and nothing else: the killed file left no trace.
    assert f["a_load_log"] == f["a_reported_before_kill"]
    assert BULK_FILE not in f["a_load_log"] and f["a_bulk_rows"] == 0
    assert f["a_unreconciled"] == []
    assert f["a_wal_after_open"] is None  # replayed and checkpointed on open
    assert f["a_serving_sha"] == f["previous_sha"]


def test_a_kill_mid_publish_leaves_a_complete_publication(outcome):
    f = outcome.findings
    publication_id, as_of = f["c_publication"]
    if f["c_serving_sha"] == f["previous_sha"]:
        assert as_of == PREVIOUS_AS_OF
    else:  # killed after the swap: the new publication, complete
        assert as_of != PREVIOUS_AS_OF and publication_id
    assert f["c_unreconciled"] == []
    # The run had loaded and built everything before its publish: already the clean tables.
    assert f["c_differences"] == {}


def test_a_kill_mid_dbt_build_leaves_the_serving_file_and_no_duplicate(outcome):
    f = outcome.findings
    assert f["b_serving_sha"] == f["c_serving_sha"], "dbt never touches the serving file"
    assert f["b_wal_after_open"] is None
    assert f["b_duplicates"] == {}


def test_the_re_run_ends_in_exactly_the_tables_of_an_uninterrupted_run(outcome, tmp_path):
    counts = snapshot(outcome.killed.warehouse, tmp_path / "after")
    assert counts == outcome.clean_counts
    assert differences(outcome.clean_snapshot, tmp_path / "after") == {}
    assert duplicate_keys(outcome.killed.warehouse) == {}
    assert duplicate_keys(outcome.clean.warehouse) == {}
    assert raw_is_reconciled(outcome.killed.warehouse) == []
    # Nothing lost: every file of the inputs loaded once, all its rows accounted for.
    with duckdb.connect(str(outcome.killed.warehouse), read_only=True) as con:
        read, files = con.execute(
            "SELECT sum(rows_read), count(*) FROM raw.load_log WHERE entity = 'events'"
        ).fetchall()[0]
    assert read == outcome.inputs["daily_event_rows"] + outcome.inputs["bulk_rows"]
    assert files == EVENT_DAYS + 1
    layers = {name.split(".")[0] for name in counts}
    assert layers == set(LAYERS)
    print(
        f"\nCompared {len(counts)} relations, {sum(counts.values())} rows; "
        f"timings: {outcome.timings.seconds}"
    )


def test_the_re_run_publishes_the_clean_marts_and_removes_leftovers(outcome, tmp_path):
    serving = outcome.killed.serving
    assert leftovers(serving) == []
    _, as_of = publication(serving)
    assert as_of != PREVIOUS_AS_OF
    assert publication(outcome.clean.serving)[1] == as_of
    published = tmp_path / "published"
    published.mkdir()
    clean_marts = tmp_path / "clean-marts"
    clean_marts.mkdir()
    for mart in SERVING_MARTS:
        shutil.copy(outcome.clean_snapshot / f"marts.{mart}.parquet", clean_marts)
    with duckdb.connect(str(serving), read_only=True) as con:
        for mart in SERVING_MARTS:
            con.execute(f"COPY marts.{mart} TO '{published}/marts.{mart}.parquet'")
    assert differences(clean_marts, published) == {}


PUBLISH = """
import sys
from pathlib import Path
from orchestration.serving.publish import SERVING_MARTS, publish
publish(Path(sys.argv[1]), Path(sys.argv[2]), SERVING_MARTS, sys.argv[3])
"""


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.3, 0.6, 1.0])
def test_a_publish_killed_at_any_point_leaves_a_complete_publication(outcome, tmp_path, delay):
    """The publish step alone, SIGKILLed `delay` seconds after its new file appears."""
    serving = tmp_path / "serve" / "serving.duckdb"
    serving.parent.mkdir()
    shutil.copy2(outcome.clean.serving, serving)
    before = sha256(serving)
    run = Process.start(
        [sys.executable, "-c", PUBLISH, str(outcome.killed.warehouse), str(serving), "killed"],
        outcome.killed.env(),
    )
    _wait_for_file(serving.parent, f"{serving.name}.tmp-*", run)
    time.sleep(delay)
    if run.popen.poll() is None:
        run.kill()
    swapped = sha256(serving) != before
    publication_id, _ = publication(serving)  # complete, whichever it is
    assert (publication_id == publication(outcome.clean.serving)[0]) != swapped
    print(f"\nkilled {delay}s after the temp file appeared: swapped={swapped}, "
          f"left behind={leftovers(serving)}")  # fmt: skip
    publish(outcome.killed.warehouse, serving, SERVING_MARTS, "after-kill")
    assert leftovers(serving) == []
    assert publication(serving)[0] != publication_id


def test_the_cli_reclaims_only_its_own_killed_runs_and_frees_their_pool_slot(tmp_path):
    """A run left STARTED by a killed CLI process held the pool slot forever (a bug)."""
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots(WAREHOUSE_POOL, 1)
        killed = dg.DagsterRun(
            job_name="pql_daily",
            run_id="killed-cli-run",
            status=dg.DagsterRunStatus.STARTED,
            tags={CLI_RUN_TAG: CLI_RUN_TAG_VALUE},
        )
        other = dg.DagsterRun(
            job_name="pql_daily", run_id="ui-run", status=dg.DagsterRunStatus.STARTED
        )
        instance.add_run(killed)
        instance.add_run(other)
        assert storage.claim_concurrency_slot(WAREHOUSE_POOL, killed.run_id, "raw__events")
        blocked = storage.claim_concurrency_slot(WAREHOUSE_POOL, "next-run", "raw__events")
        assert not blocked.is_claimed

        with one_cli_run_at_a_time(instance):
            assert reclaim_killed_runs(instance) == [killed.run_id]
        assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(other.run_id).status == dg.DagsterRunStatus.STARTED
        assert storage.get_concurrency_info(WAREHOUSE_POOL).active_slot_count == 0
        assert storage.claim_concurrency_slot(WAREHOUSE_POOL, "next-run", "raw__events").is_claimed
