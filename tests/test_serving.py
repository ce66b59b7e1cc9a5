"""Write-audit-publish: the serving file and its Parquet copy, with real readers.

Working warehouses are small DuckDB files whose ``marts`` tables are made with SQL (no
dbt). Readers are real processes (own process group, stopped with SIGKILL if need be).
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import orchestration.serving.publish as publish_module
from orchestration import checks
from orchestration.assets.serving import (
    SERVING_ASSET_KEY,
    ServingResource,
    build_serving_assets,
    build_serving_resources,
    mart_asset_key,
)
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.serving.publish import (
    SERVING_MARTS,
    PublishError,
    list_publications,
    publish,
)
from orchestration.serving.readers import parse_mix, readers
from orchestration.settings import Settings

D1, D2 = date(2026, 10, 29), date(2026, 10, 30)


# ------------------------------------------------------------------------------ helpers


def make_working(path: Path, as_of: date, marts: Sequence[str] = SERVING_MARTS, rows: int = 20):
    """A working warehouse whose marts all describe `as_of` (plus one other table)."""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
        con.execute("CREATE OR REPLACE TABLE intermediate.not_for_bi AS SELECT 1 AS x")
        for mart in marts:
            con.execute(
                f"CREATE OR REPLACE TABLE marts.{mart} AS "
                "SELECT 'c' || i || '.com' AS company_domain, CAST($as_of AS DATE) AS as_of_date, "
                "CAST(100 - i AS DOUBLE) AS score, "
                "CASE WHEN i < 3 THEN 'hot' WHEN i < 8 THEN 'warm' ELSE 'cold' END AS tier "
                "FROM range($rows) AS t(i)",
                {"as_of": as_of, "rows": rows},
            )
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(serving: Path) -> list[str]:
    """Temp files or folders a publish may have left behind."""
    found = [p.name for p in serving.parent.glob(f"{serving.name}.tmp-*")]
    found += [p.name for p in serving.parent.glob(f"{serving.name}.wal")]
    parquet = serving.parent / "parquet"
    if parquet.is_dir():
        found += [p.name for p in parquet.iterdir() if p.name.startswith(".")]
    return found


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def as_of_in(serving: Path) -> date:
    return query(serving, "SELECT as_of_date FROM meta.publication")[0][0]


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "work" / "warehouse.duckdb", tmp_path / "serve" / "serving.duckdb"


@pytest.fixture
def working(paths) -> Path:
    working, _ = paths
    working.parent.mkdir()
    return make_working(working, D1)


# ------------------------------------------------------------------------ what is published


def test_publish_copies_exactly_the_marts_and_the_publication_tables(paths, working):
    _, serving = paths
    result = publish(working, serving, SERVING_MARTS, "run-one")

    tables = set(query(serving, "SELECT schema_name, table_name FROM duckdb_tables()"))
    assert tables == {("marts", m) for m in SERVING_MARTS} | {
        ("meta", "publication"),
        ("meta", "publication_marts"),
    }
    (publication,) = query(
        serving,
        "SELECT publication_id, run_id, as_of_date, marts, total_rows FROM meta.publication",
    )
    assert publication == (result.publication_id, "run-one", D1, len(SERVING_MARTS), 200)
    per_mart = query(
        serving, "SELECT mart, row_count, as_of_date FROM meta.publication_marts ORDER BY mart"
    )
    assert per_mart == sorted((m, 20, D1) for m in SERVING_MARTS)
    assert query(serving, "SELECT count(*), max(score) FROM marts.pql_scores") == [(20, 100.0)]
    assert result.as_of_date == D1
    assert result.rows == dict.fromkeys(SERVING_MARTS, 20)
    assert not stat.S_IMODE(serving.stat().st_mode) & 0o222  # read-only file mode
    assert leftovers(serving) == []

    # The same marts as Parquet, in the publication's folder, which `latest` points to.
    latest = serving.parent / "parquet" / "latest"
    assert latest.is_symlink() and os.readlink(latest) == result.publication_id
    assert result.parquet_dir == latest.resolve()
    assert sorted(p.name for p in result.parquet_dir.iterdir()) == sorted(
        f"{m}.parquet" for m in SERVING_MARTS
    )
    rows = duckdb.sql(
        f"SELECT count(*), max(as_of_date) FROM read_parquet('{latest}/pql_scores.parquet')"
    ).fetchall()
    assert rows == [(20, D1)]


def test_a_new_publish_replaces_the_file_and_latest_and_prunes_old_folders(paths, working):
    _, serving = paths
    ids = []
    for i, as_of in enumerate([D1, D2, D1, D2, D1]):
        make_working(working, as_of)
        result = publish(working, serving, SERVING_MARTS, f"run{i}", keep=3)
        ids.append(result.publication_id)
        assert as_of_in(serving) == as_of
        latest = serving.parent / "parquet" / "latest"
        assert os.readlink(latest) == result.publication_id
        (parquet_as_of,) = duckdb.sql(
            f"SELECT max(as_of_date) FROM read_parquet('{latest}/companies.parquet')"
        ).fetchall()[0]
        assert parquet_as_of == as_of
    assert ids == sorted(ids), "publication ids sort in publication order"
    assert list_publications(serving) == ids[-3:]
    assert [p.name for p in result.pruned] == [ids[1]]
    assert leftovers(serving) == []


def test_the_published_marts_and_the_checked_marts_are_the_same_list():
    assert set(SERVING_MARTS) == set(checks.MART_NAMES)
    pattern = publish_module.PERSONAL_COLUMN_PATTERN
    assert pattern.pattern == checks.PERSONAL_COLUMN_PATTERN.pattern


def test_a_boolean_named_like_an_email_flag_is_not_personal_data(paths, working):
    _, serving = paths
    with duckdb.connect(str(working)) as con:
        con.execute("ALTER TABLE marts.users ADD COLUMN is_personal_email BOOLEAN")
        con.execute("ALTER TABLE marts.users ADD COLUMN email_domain VARCHAR")
    publish(working, serving, SERVING_MARTS, "run")
    columns = query(serving, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'users'")
    assert ("is_personal_email",) in columns and ("email_domain",) in columns


def test_mart_names_must_be_identifiers(paths, working):
    _, serving = paths
    for bad in (["pql_scores; DROP TABLE x"], ['a"b'], [], "pql_scores"):
        with pytest.raises((ValueError, TypeError)):
            publish(working, serving, bad, "run")
    assert not serving.exists()


# ---------------------------------------------------------------------------- failures


def _fail_writing_meta(*args, **kwargs):
    raise RuntimeError("injected failure after the marts were copied")


def _fail_verifying(*args, **kwargs):
    raise PublishError("injected failure while verifying")


@pytest.mark.parametrize(
    "break_it",
    ["missing mart", "personal column", "failure after copy", "failure in verify", "bad path"],
)
def test_a_failing_publish_leaves_the_published_file_byte_identical(
    paths, working, monkeypatch, break_it
):
    _, serving = paths
    first = publish(working, serving, SERVING_MARTS, "good")
    before, latest_before = sha256(serving), os.readlink(serving.parent / "parquet" / "latest")
    make_working(working, D2)
    if break_it == "missing mart":
        with duckdb.connect(str(working)) as con:
            con.execute("DROP TABLE marts.inviters")
    elif break_it == "personal column":
        with duckdb.connect(str(working)) as con:
            con.execute("ALTER TABLE marts.users ADD COLUMN full_name VARCHAR")
            con.execute("ALTER TABLE marts.invites ADD COLUMN invitee_email VARCHAR[]")
    elif break_it == "failure after copy":
        monkeypatch.setattr(publish_module, "_write_publication_tables", _fail_writing_meta)
    elif break_it == "failure in verify":
        monkeypatch.setattr(publish_module, "_verify", _fail_verifying)
    else:
        working = working.with_name("nowhere.duckdb")

    with pytest.raises((PublishError, RuntimeError)) as raised:
        publish(working, serving, SERVING_MARTS, "bad")
    if break_it == "missing mart":
        assert "marts.inviters" in str(raised.value)
    if break_it == "personal column":
        assert "invites.invitee_email, users.full_name" in str(raised.value)
    assert sha256(serving) == before
    assert as_of_in(serving) == D1
    assert os.readlink(serving.parent / "parquet" / "latest") == latest_before
    assert list_publications(serving) == [first.publication_id]
    assert leftovers(serving) == []


def test_leftovers_of_a_killed_publish_are_removed_by_the_next(paths, working):
    _, serving = paths
    publish(working, serving, SERVING_MARTS, "first")
    (serving.parent / f"{serving.name}.tmp-deadbeef").write_bytes(b"half a file")
    (serving.parent / "parquet" / ".tmp-20260101T000000.000000Z-dead").mkdir()
    publish(working, serving, SERVING_MARTS, "second")
    assert leftovers(serving) == []


def test_a_write_ahead_log_beside_the_serving_file_stops_the_publish(paths, working):
    """A WAL means someone wrote to the serving file: replaying it on a new file corrupts."""
    _, serving = paths
    publish(working, serving, SERVING_MARTS, "first")
    before = sha256(serving)
    Path(f"{serving}.wal").write_bytes(b"x")
    with pytest.raises(PublishError, match="read-only"):
        publish(working, serving, SERVING_MARTS, "second")
    assert sha256(serving) == before


# ------------------------------------------------------------------- real reader processes


@contextmanager
def processes(commands: list[list[str]]) -> Iterator[list[subprocess.Popen]]:
    """Start each command in its own process group; always stop them all at the end."""
    started: list[subprocess.Popen] = []
    try:
        for command in commands:
            started.append(
                subprocess.Popen(
                    command,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    stdin=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
            )
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_reader_processes_never_fail_nor_mix_two_publications(paths, working, tmp_path):
    """The shared BI readers of orchestration/serving/readers.py over 8 quick publishes."""
    _, serving = paths
    publish(working, serving, SERVING_MARTS, "initial")
    modes = parse_mix("reconnect=3,parquet=1")
    publications = 0
    # limit: a hard bound in seconds, in case the test dies before the readers are stopped.
    with readers(modes, serving, tmp_path / "readers", limit=60) as pool:
        pool.wait_ready(timeout=60)
        began = time.monotonic()
        for i in range(8):
            make_working(working, D2 if i % 2 == 0 else D1)
            publish(working, serving, SERVING_MARTS, f"run{i}", keep=3)
            publications += 1
            time.sleep(0.15)  # let the readers read each publication
        outputs = pool.stop()
        seconds = time.monotonic() - began

    print(f"\n{publications} publications in {seconds:.1f}s while {len(modes)} readers read:")
    for result in outputs:
        rate = result.reads / result.seconds
        print(
            f"  {result.mode:9} reads={result.reads:6} ({rate:7.1f}/s) errors={result.errors} "
            f"inconsistent={result.inconsistent} publications_seen={len(result.publications)}"
        )
    total = sum(r.reads for r in outputs)
    print(f"  total     reads={total:6} errors={sum(r.errors for r in outputs)} "
          f"inconsistent={sum(r.inconsistent for r in outputs)}")  # fmt: skip
    assert publications >= 5
    for result in outputs:
        assert result.errors == 0, result.messages
        assert result.inconsistent == 0
        assert result.reads > 0
    # The readers really read across the swaps: both as-of dates were seen.
    as_of_seen = {day for r in outputs for day in r.publications.values()}
    assert as_of_seen == {str(D1), str(D2)}
    assert leftovers(serving) == []


HOLDING_READER = r"""
import sys
import duckdb

con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("BEGIN TRANSACTION")
print(con.execute("SELECT as_of_date FROM meta.publication").fetchall()[0][0], flush=True)
sys.stdin.readline()  # hold the connection and the transaction until told to go on
print(con.execute("SELECT max(as_of_date) FROM marts.pql_scores").fetchall()[0][0], flush=True)
con.close()
"""


def test_a_reader_holding_the_serving_file_never_blocks_a_publish(paths, working):
    _, serving = paths
    publish(working, serving, SERVING_MARTS, "first")
    with processes([[sys.executable, "-c", HOLDING_READER, str(serving)]]) as (reader,):
        assert reader.stdout.readline().strip() == str(D1)  # connected, transaction open
        make_working(working, D2)
        started = time.monotonic()
        result = publish(working, serving, SERVING_MARTS, "second")
        print(f"\npublish with a reader holding the file: {time.monotonic() - started:.2f}s")
        assert result.as_of_date == D2
        assert as_of_in(serving) == D2  # a new connection sees the new publication
        out, err = reader.communicate("go on\n", timeout=30)
        assert reader.returncode == 0, err
        assert out.strip() == str(D1)  # the held connection still reads its own snapshot


# ------------------------------------------------------------------------------ Dagster


def test_the_serving_asset_is_wired_to_every_mart():
    (asset,) = build_serving_assets()
    spec = asset.specs_by_key[SERVING_ASSET_KEY]
    assert spec.group_name == "serving"
    assert spec.kinds == {"duckdb"}
    assert {dep.asset_key for dep in spec.deps} == {mart_asset_key(m) for m in SERVING_MARTS}
    assert asset.op.pool == WAREHOUSE_POOL
    assert {"warehouse", "serving"} <= set(asset.required_resource_keys)
    settings = Settings.from_env({"PQL_SERVING_PATH": "/tmp/pql/serving.duckdb"})
    assert build_serving_resources(settings)["serving"].serving_path == "/tmp/pql/serving.duckdb"


STAND_IN_MARTS = ("pql_scores", "companies")


class Pipeline:
    """Two stand-in marts, a blocking check on one, and the real `serving/duckdb` asset."""

    def __init__(self, working: Path, serving: Path, instance: dg.DagsterInstance):
        self.working, self.serving, self.instance = working, serving, instance
        self.as_of, self.check_passes = D1, True  # check_passes None: the check raises
        make_working(working, D1, STAND_IN_MARTS)

        def mart(name: str) -> dg.AssetsDefinition:
            @dg.asset(key=mart_asset_key(name))
            def build() -> None:
                make_working(working, self.as_of, [name])

            return build

        @dg.asset_check(asset=mart_asset_key("companies"), blocking=True)
        def companies_are_fine() -> dg.AssetCheckResult:
            if self.check_passes is None:
                raise RuntimeError("the check itself crashed")
            return dg.AssetCheckResult(passed=self.check_passes)

        self.marts = [mart(name) for name in STAND_IN_MARTS]
        self.check = companies_are_fine
        self.serving_asset = build_serving_assets(STAND_IN_MARTS)[0]

    def run(self, selection=None) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [*self.marts, self.check, self.serving_asset],
            selection=selection,
            resources={
                "warehouse": WarehouseResource(duckdb_path=str(self.working)),
                "serving": ServingResource(serving_path=str(self.serving)),
            },
            instance=self.instance,
            raise_on_error=False,
        )


def materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {event.asset_key for event in result.get_asset_materialization_events()}


def refused(result: dg.ExecuteInProcessResult) -> str:
    """The serving step's refusal (fails the test if it failed for another reason)."""
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "serving__duckdb"
    text = failure.step_failure_data.error.to_string()
    assert "Not published" in text, text
    return str(failure.step_failure_data.user_failure_data.metadata["problems"].value)


@pytest.fixture
def pipeline(paths) -> Iterator[Pipeline]:
    working, serving = paths
    working.parent.mkdir()
    with dg.instance_for_test() as instance:
        yield Pipeline(working, serving, instance)


def test_a_failing_blocking_check_stops_the_publish(pipeline):
    first = pipeline.run()
    assert first.success
    assert SERVING_ASSET_KEY in materialized(first)
    assert as_of_in(pipeline.serving) == D1
    metadata = first.asset_materializations_for_node("serving__duckdb")[0].metadata
    assert metadata["as_of_date"].value == str(D1)
    assert metadata["rows_per_mart"].value == dict.fromkeys(STAND_IN_MARTS, 20)
    before = sha256(pipeline.serving)

    pipeline.as_of, pipeline.check_passes = D2, False
    failed = pipeline.run()
    assert not failed.success
    assert materialized(failed) == {mart_asset_key(m) for m in STAND_IN_MARTS}
    assert sha256(pipeline.serving) == before  # readers keep the last good publication
    assert leftovers(pipeline.serving) == []

    # The working warehouse now holds marts that failed their check: publishing them on
    # their own (UI, "Materialize" on serving/duckdb) is refused too.
    alone = pipeline.run(selection=[SERVING_ASSET_KEY])
    assert not alone.success
    assert "marts/companies:companies_are_fine failed" in refused(alone)
    assert SERVING_ASSET_KEY not in materialized(alone)
    assert sha256(pipeline.serving) == before

    pipeline.check_passes = True
    fixed = pipeline.run()
    assert fixed.success
    assert SERVING_ASSET_KEY in materialized(fixed)
    assert as_of_in(pipeline.serving) == D2


def test_a_check_that_crashes_stops_the_publish_of_its_run(pipeline):
    assert pipeline.run().success
    before = sha256(pipeline.serving)
    pipeline.as_of, pipeline.check_passes = D2, None  # the check raises
    crashed = pipeline.run()
    assert not crashed.success
    assert SERVING_ASSET_KEY not in materialized(crashed)
    assert sha256(pipeline.serving) == before
    # Fixed and re-run: the current marts are verified and published.
    pipeline.check_passes = True
    assert pipeline.run().success
    assert as_of_in(pipeline.serving) == D2
