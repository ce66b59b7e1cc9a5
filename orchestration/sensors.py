"""Sensors: start a run when new raw files are dropped into ``PQL_SEEDS_DIR``.

``new_raw_files_sensor`` requests a run of ``load_raw_files`` (the raw group and its
checks): new drops are loaded, reconciled and gated as soon as they land, and the daily
schedule scores them. ``build_new_raw_files_sensor(job=pql_daily_job)`` targets the whole
graph instead (``pql_daily`` is partitioned by scoring day: such a run carries no partition
and builds with the dbt defaults).

The sensor only looks at the file system (names, sizes, modification times). It never
opens the warehouse: it runs in the daemon while a run may hold the DuckDB file
read-write, and DuckDB refuses even a read-only open then.

Its cursor is a JSON object of the files it has already requested a run for, each with a
fingerprint ``"<size>:<mtime_ns>"`` (paths relative to ``PQL_SEEDS_DIR``). A file is new
when its path is not in the cursor or its fingerprint changed. Entries of files that
disappeared are dropped, so the cursor stays as small as the folder.

A request for files the loader has seen before costs one idempotent run: the loader skips
a file whose content (sha256) is already in ``raw.load_log``, whatever its name.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.jobs import load_raw_files_job
from orchestration.raw.contract import ENTITIES
from orchestration.raw.loader import discover_files
from orchestration.resources import RawFilesResource

SENSOR_NAME = "new_raw_files_sensor"
CURSOR_VERSION = 1
#: How often the daemon evaluates the sensor, at most.
MINIMUM_INTERVAL_SECONDS = 60
#: A file modified more recently than this is probably still being written: it is left
#: for a later evaluation (writers should still drop files atomically, see operations.md).
SETTLE_SECONDS = 30
#: Run tags set on every run the sensor requests.
NEW_FILES_TAG = "pql/new_files"
ENTITIES_TAG = "pql/new_file_entities"
TRIGGER_TAG = "pql/trigger"


@dataclass(frozen=True)
class RawFile:
    entity: str
    relative_path: str  # POSIX path relative to PQL_SEEDS_DIR
    size: int
    mtime_ns: int

    @property
    def fingerprint(self) -> str:
        return f"{self.size}:{self.mtime_ns}"


def scan_raw_files(seeds_dir: Path) -> list[RawFile]:
    """Every file the loader would consider, found with the loader's own discovery."""
    found: list[RawFile] = []
    for entity in ENTITIES:
        files, _ignored = discover_files(seeds_dir, entity.name)
        for path in files:
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed between discovery and stat
                continue
            found.append(
                RawFile(
                    entity=entity.name,
                    relative_path=path.relative_to(seeds_dir).as_posix(),
                    size=stat.st_size,
                    mtime_ns=stat.st_mtime_ns,
                )
            )
    return found


def parse_cursor(cursor: str | None) -> dict[str, str]:
    """The files already requested, ``{relative path: fingerprint}``; empty if unusable."""
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        return {}
    if not isinstance(data, dict) or data.get("version") != CURSOR_VERSION:
        return {}
    files = data.get("files")
    if not isinstance(files, dict):
        return {}
    return {str(path): str(fingerprint) for path, fingerprint in files.items()}


def serialize_cursor(requested: Mapping[str, str]) -> str:
    return json.dumps({"version": CURSOR_VERSION, "files": dict(sorted(requested.items()))})


def run_key_for(new_files: list[RawFile]) -> str:
    """The same set of new files (path, size, mtime) always gives the same run key."""
    digest = hashlib.sha256()
    for raw_file in sorted(new_files, key=lambda f: f.relative_path):
        digest.update(f"{raw_file.relative_path}\0{raw_file.fingerprint}\n".encode())
    return f"new-raw-files-{digest.hexdigest()[:24]}"


def evaluate(
    seeds_dir: Path, cursor: str | None, *, now: float, settle_seconds: float
) -> dg.SensorResult:
    """The sensor's decision, without Dagster context (so it is easy to reason about)."""
    if not seeds_dir.is_dir():
        return dg.SensorResult(
            skip_reason=f"PQL_SEEDS_DIR {seeds_dir} is not a folder", cursor=cursor
        )
    requested = parse_cursor(cursor)
    present = scan_raw_files(seeds_dir)
    present_paths = {f.relative_path for f in present}
    # Forget files that are gone (a file dropped again later is requested again: harmless).
    next_cursor = {path: fp for path, fp in requested.items() if path in present_paths}
    changed = [f for f in present if requested.get(f.relative_path) != f.fingerprint]
    settle_ns = int(settle_seconds * 1e9)
    now_ns = int(now * 1e9)
    settled = [f for f in changed if now_ns - f.mtime_ns >= settle_ns]
    waiting = len(changed) - len(settled)
    if not settled:
        reason = f"no new raw files among {len(present)} in {seeds_dir}"
        if waiting:
            reason += f" ({waiting} still being written, modified in the last {settle_seconds:g}s)"
        return dg.SensorResult(skip_reason=reason, cursor=serialize_cursor(next_cursor))
    next_cursor.update({f.relative_path: f.fingerprint for f in settled})
    entities = sorted({f.entity for f in settled})
    request = dg.RunRequest(
        run_key=run_key_for(settled),
        tags={
            NEW_FILES_TAG: str(len(settled)),
            ENTITIES_TAG: ",".join(entities),
            TRIGGER_TAG: SENSOR_NAME,
        },
    )
    return dg.SensorResult(run_requests=[request], cursor=serialize_cursor(next_cursor))


def build_new_raw_files_sensor(
    *,
    job: dg.UnresolvedAssetJobDefinition | dg.JobDefinition = load_raw_files_job,
    minimum_interval_seconds: int = MINIMUM_INTERVAL_SECONDS,
    settle_seconds: float = SETTLE_SECONDS,
    default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.STOPPED,
) -> dg.SensorDefinition:
    @dg.sensor(
        name=SENSOR_NAME,
        job=job,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description=(
            f"Requests a {job.name} run when new or changed raw files appear in PQL_SEEDS_DIR "
            "(<entity>.csv|jsonl|parquet or files under <entity>/). Each file is requested "
            "once (cursor: path, size, mtime). Reads only the file system, never the warehouse."
        ),
    )
    def new_raw_files_sensor(
        context: dg.SensorEvaluationContext, raw_files: RawFilesResource
    ) -> dg.SensorResult:
        result = evaluate(
            raw_files.path, context.cursor, now=time.time(), settle_seconds=settle_seconds
        )
        for request in result.run_requests or []:
            context.log.info(
                f"requesting {job.name} for {request.tags[NEW_FILES_TAG]} new file(s) of "
                f"{request.tags[ENTITIES_TAG]} (run key {request.run_key})"
            )
        return result

    return new_raw_files_sensor


new_raw_files_sensor = build_new_raw_files_sensor()
