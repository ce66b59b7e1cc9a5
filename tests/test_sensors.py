"""The new-raw-files sensor: each new file is requested once; re-dropped content loads nothing."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.raw import build_raw_definitions
from orchestration.jobs import pql_daily_job
from orchestration.resources import RawFilesResource, WarehouseResource
from orchestration.sensors import (
    ENTITIES_TAG,
    NEW_FILES_TAG,
    SETTLE_SECONDS,
    build_new_raw_files_sensor,
    evaluate,
    new_raw_files_sensor,
)
from tests.conftest import write_raw

USERS = [
    {"user_id": "u1", "email": "ana@acme.com", "created_at": "2026-10-01T09:00:00Z"},
    {"user_id": "u2", "email": "bo@acme.com", "created_at": "2026-10-02T09:00:00Z"},
]
MORE_USERS = [{"user_id": "u3", "email": "cy@bigcorp.co.uk", "created_at": "2026-10-03"}]
EVENTS = [
    {"event_id": "e1", "user_id": "u1", "event_name": "login", "occurred_at": "2026-10-01"},
]


def settled(path: Path) -> Path:
    """Make a file look fully written: modified well before the sensor's settle time."""
    old = time.time_ns() - int((SETTLE_SECONDS + 60) * 1e9)
    os.utime(path, ns=(old, old))
    return path


def drop(path: Path, rows: list[dict]) -> Path:
    return settled(write_raw(path, rows))


def tick(instance: dg.DagsterInstance, seeds_dir: Path, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor,
        instance=instance,
        resources={"raw_files": RawFilesResource(seeds_dir=str(seeds_dir))},
    )
    return new_raw_files_sensor(context)


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def test_the_sensor_is_off_until_switched_on_and_runs_the_raw_loads():
    assert new_raw_files_sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert new_raw_files_sensor.minimum_interval_seconds == 60
    assert new_raw_files_sensor.job_name == "load_raw_files"
    assert new_raw_files_sensor.required_resource_keys == {"raw_files"}
    assert build_new_raw_files_sensor(job=pql_daily_job).job_name == "pql_daily"


def test_each_new_file_is_requested_once(instance, seeds_dir):
    drop(seeds_dir / "users.csv", USERS)

    first = tick(instance, seeds_dir, None)
    assert len(first.run_requests) == 1
    request = first.run_requests[0]
    assert request.tags[NEW_FILES_TAG] == "1"
    assert request.tags[ENTITIES_TAG] == "users"
    assert request.run_key and request.run_key.startswith("new-raw-files-")
    assert set(json.loads(first.cursor)["files"]) == {"users.csv"}

    again = tick(instance, seeds_dir, first.cursor)
    assert again.run_requests == []
    assert again.skip_reason is not None

    drop(seeds_dir / "events" / "2026-10-31.csv", EVENTS)
    third = tick(instance, seeds_dir, again.cursor)
    assert len(third.run_requests) == 1
    assert third.run_requests[0].tags[NEW_FILES_TAG] == "1"
    assert third.run_requests[0].tags[ENTITIES_TAG] == "events"
    assert third.run_requests[0].run_key != request.run_key
    assert set(json.loads(third.cursor)["files"]) == {"users.csv", "events/2026-10-31.csv"}


def test_run_keys_are_derived_from_the_new_files(instance, seeds_dir):
    drop(seeds_dir / "users.csv", USERS)
    drop(seeds_dir / "users" / "more.jsonl", MORE_USERS)
    one = tick(instance, seeds_dir, None).run_requests[0]
    two = tick(instance, seeds_dir, None).run_requests[0]
    assert one.tags[NEW_FILES_TAG] == "2"
    # The same new files give the same run key: Dagster drops a duplicate request.
    assert one.run_key == two.run_key


def test_discovery_is_the_loaders(instance, seeds_dir):
    drop(seeds_dir / "users.csv", USERS)
    drop(seeds_dir / "users" / "2026" / "10-31.parquet", MORE_USERS)
    (seeds_dir / "users.txt").write_text("user_id\n")
    (seeds_dir / "users" / "readme.txt").write_text("not a raw file")
    (seeds_dir / "users" / ".partial.csv").write_text("user_id\n")
    (seeds_dir / "unknown_entity.csv").write_text("a\n1\n")
    result = tick(instance, seeds_dir, None)
    assert set(json.loads(result.cursor)["files"]) == {"users.csv", "users/2026/10-31.parquet"}


def test_a_changed_file_is_requested_again_and_a_removed_one_forgotten(instance, seeds_dir):
    users = drop(seeds_dir / "users.csv", USERS)
    events = drop(seeds_dir / "events.csv", EVENTS)
    cursor = tick(instance, seeds_dir, None).cursor
    drop(users, [*USERS, *MORE_USERS])
    events.unlink()
    result = tick(instance, seeds_dir, cursor)
    assert [r.tags[NEW_FILES_TAG] for r in result.run_requests] == ["1"]
    assert set(json.loads(result.cursor)["files"]) == {"users.csv"}


def test_a_file_still_being_written_waits_until_it_settles(seeds_dir):
    path = write_raw(seeds_dir / "users.csv", USERS)
    written = path.stat().st_mtime_ns / 1e9
    waiting = evaluate(seeds_dir, None, now=written + 1, settle_seconds=30)
    assert waiting.run_requests == []
    assert "still being written" in waiting.skip_reason.skip_message
    ready = evaluate(seeds_dir, waiting.cursor, now=written + 31, settle_seconds=30)
    assert len(ready.run_requests) == 1


def test_an_unusable_cursor_starts_over_and_a_missing_folder_skips(instance, seeds_dir, tmp_path):
    drop(seeds_dir / "users.csv", USERS)
    for cursor in ("not json", '{"version": 99, "files": {}}', '["users.csv"]'):
        assert len(tick(instance, seeds_dir, cursor).run_requests) == 1
    missing = tick(instance, tmp_path / "nowhere", None)
    assert missing.run_requests == []
    assert "is not a folder" in missing.skip_reason.skip_message


def _materialize_raw(seeds_dir: Path, duckdb_path: Path, instance) -> dict[str, list[dict]]:
    """Run the real raw assets; return the per-file table of each materialized entity."""
    raw_assets, raw_checks = build_raw_definitions()
    result = dg.materialize(
        [*raw_assets, *raw_checks],
        instance=instance,
        resources={
            "warehouse": WarehouseResource(duckdb_path=str(duckdb_path)),
            "raw_files": RawFilesResource(seeds_dir=str(seeds_dir)),
        },
    )
    assert result.success
    return {
        event.asset_key.path[-1]: [
            dict(record.data) for record in event.materialization.metadata["files"].records
        ]
        for event in result.get_asset_materialization_events()
    }


def test_a_renamed_copy_of_a_loaded_file_is_requested_but_loads_nothing(
    instance, seeds_dir, tmp_path
):
    duckdb_path = tmp_path / "warehouse.duckdb"
    drop(seeds_dir / "users.csv", USERS)
    cursor = tick(instance, seeds_dir, None).cursor
    first = _materialize_raw(seeds_dir, duckdb_path, instance)
    assert [(f["source_file"], f["status"]) for f in first["users"]] == [("users.csv", "loaded")]
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        before = con.execute("SELECT * FROM raw.users ORDER BY ALL").fetchall()

    # The same content dropped again under another name, as a daily drop.
    copy = seeds_dir / "users" / "2026-10-31.csv"
    copy.parent.mkdir()
    shutil.copyfile(seeds_dir / "users.csv", copy)
    settled(copy)
    result = tick(instance, seeds_dir, cursor)
    assert len(result.run_requests) == 1
    assert result.run_requests[0].tags[NEW_FILES_TAG] == "1"

    second = _materialize_raw(seeds_dir, duckdb_path, instance)
    statuses = {f["source_file"]: f["status"] for f in second["users"]}
    assert statuses == {"users.csv": "skipped", "users/2026-10-31.csv": "skipped"}
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        assert con.execute("SELECT * FROM raw.users ORDER BY ALL").fetchall() == before
        (logged,) = con.execute(
            "SELECT count(*) FROM raw.load_log WHERE entity = 'users'"
        ).fetchall()[0]
    assert logged == 1
