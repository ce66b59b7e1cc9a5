"""The synthetic data generator writes deterministic, contract-shaped, realistically dirty files."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orchestration.raw.contract import EMAIL_PATTERN, ENTITIES
from orchestration.synthetic import UNCATALOGUED_EVENT, GeneratorConfig, generate
from orchestration.synthetic.__main__ import main
from orchestration.synthetic.catalog import CATALOG_COLUMNS, EVENT_CATALOG

REPO = Path(__file__).resolve().parents[1]
BUNDLED_SEEDS = REPO / "seeds"
CATALOG_SEED = REPO / "dbt_project" / "seeds" / "event_catalog.csv"
SMALL = GeneratorConfig(
    seed=11, companies=25, personal_users=40, days=21, end_date=date(2026, 3, 31)
)
FORMATS = ("csv", "jsonl", "parquet")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def read_rows(path: Path) -> list[dict[str, str | None]]:
    """Rows of a CSV, JSONL or Parquet file as text (None for an empty value)."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return [{k: v or None for k, v in row.items()} for row in csv.DictReader(handle)]
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    return pq.read_table(path).to_pylist()


def header(path: Path) -> list[str]:
    """Column names of a raw file."""
    if path.suffix == ".csv":
        return path.read_text("utf-8").splitlines()[0].split(",")
    if path.suffix == ".jsonl":
        return list(json.loads(path.read_text("utf-8").splitlines()[0]))
    return pq.read_schema(path).names


def parse_ts(text: str | None) -> datetime | None:
    """An ISO-8601 timestamp as aware UTC (no offset means UTC), None if unparseable."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@pytest.fixture(scope="module")
def default_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh generation with the documented defaults (what ``seeds/`` should hold)."""
    out = tmp_path_factory.mktemp("default") / "seeds"
    assert main(["--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def sample_events(default_sample: Path) -> list[dict[str, str | None]]:
    return [
        row for path in sorted((default_sample / "events").iterdir()) for row in read_rows(path)
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_seed_gives_identical_bytes(tmp_path: Path, fmt: str) -> None:
    generate(SMALL, tmp_path / "a", fmt)
    generate(SMALL, tmp_path / "b", fmt)
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first == second
    assert len(first) == 5 + SMALL.days


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    generate(SMALL, tmp_path / "a", "csv")
    other = replace(SMALL, seed=SMALL.seed + 1)
    generate(other, tmp_path / "b", "csv")
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first["users.csv"] != second["users.csv"]
    assert first["events/2026-03-31.csv"] != second["events/2026-03-31.csv"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_file_has_the_contract_columns(tmp_path: Path, fmt: str) -> None:
    generate(SMALL, tmp_path, fmt)
    for entity in ENTITIES:
        paths = (
            sorted((tmp_path / "events").glob(f"*.{fmt}"))
            if entity.name == "events"
            else [tmp_path / f"{entity.name}.{fmt}"]
        )
        assert paths, entity.name
        for path in paths:
            columns = header(path)
            assert set(entity.required_columns) <= set(columns), path
            assert columns == [c.name for c in entity.columns], path
            assert read_rows(path), f"{path} has no rows"


def test_events_span_the_requested_days(tmp_path: Path) -> None:
    generate(SMALL, tmp_path, "csv")
    expected = [SMALL.start_date + timedelta(days=i) for i in range(SMALL.days)]
    written = sorted(p.name for p in (tmp_path / "events").iterdir())
    assert written == [f"{day.isoformat()}.csv" for day in expected]


def test_late_events_go_to_the_file_of_the_day_received(default_sample: Path) -> None:
    late = 0
    for path in sorted((default_sample / "events").iterdir()):
        for row in read_rows(path):
            occurred, received = parse_ts(row["occurred_at"]), parse_ts(row["received_at"])
            if occurred is None or received is None or occurred > received:
                continue  # a deliberately broken row
            if received - occurred > timedelta(days=1):
                late += 1
            file_day = date.fromisoformat(path.stem)
            assert received.date() in (file_day, file_day - timedelta(days=1)), row
    assert late >= 100


def test_event_names_are_catalogued_except_the_legacy_one(
    sample_events: list[dict[str, str | None]],
) -> None:
    with CATALOG_SEED.open(newline="", encoding="utf-8") as handle:
        catalog = list(csv.DictReader(handle))
    assert tuple(catalog[0]) == CATALOG_COLUMNS
    catalogued = {row["event_name"] for row in catalog}
    emitted = {row["event_name"] for row in sample_events if row["event_name"]}
    assert emitted - catalogued == {UNCATALOGUED_EVENT}
    assert UNCATALOGUED_EVENT not in catalogued
    assert {spec.name for spec in EVENT_CATALOG} <= emitted


def test_dirt_exists_at_the_default_rate(
    default_sample: Path, sample_events: list[dict[str, str | None]]
) -> None:
    email = re.compile(EMAIL_PATTERN)
    users = read_rows(default_sample / "users.csv")
    invites = read_rows(default_sample / "invites.csv")
    ids = Counter(row["event_id"] for row in sample_events if row["event_id"])
    user_rows = Counter(tuple(row.items()) for row in users)
    bad_ts = [r for r in sample_events if r["occurred_at"] and parse_ts(r["occurred_at"]) is None]
    missing = [r for r in sample_events if not all(r[c] for c in ("event_id", "user_id"))]
    ahead = [
        r
        for r in sample_events
        if (o := parse_ts(r["occurred_at"])) and (rc := parse_ts(r["received_at"]))
        if o > rc + timedelta(days=1)
    ]
    backwards = [
        r
        for r in invites
        if (s := parse_ts(r["sent_at"])) and (a := parse_ts(r["accepted_at"])) and a < s
    ]
    counts = {
        "redelivered events": sum(n - 1 for n in ids.values() if n > 1),
        "events with an unparseable timestamp": len(bad_ts),
        "events missing a required value": len(missing),
        "events occurring after they were received": len(ahead),
        "malformed user emails": sum(
            1 for r in users if r["email"] and not email.match(r["email"])
        ),
        "duplicate user rows": sum(n - 1 for n in user_rows.values() if n > 1),
        "invites accepted before sent": len(backwards),
        "users with an unparseable created_at": sum(
            1 for r in users if r["created_at"] and parse_ts(r["created_at"]) is None
        ),
    }
    assert all(count >= 3 for count in counts.values()), counts
    assert counts["redelivered events"] < 0.01 * len(sample_events)


def test_timestamps_mix_utc_offsets_and_naive(sample_events: list[dict[str, str | None]]) -> None:
    texts = [r["received_at"] or "" for r in sample_events]
    with_z = sum(t.endswith("Z") for t in texts)
    offset = sum(bool(re.search(r"[+-]\d\d:\d\d$", t)) for t in texts)
    assert 0.9 < with_z / len(texts) < 0.97
    assert 0.02 < offset / len(texts) < 0.08
    assert len(texts) - with_z - offset > 50  # no offset at all: UTC


def test_zero_dirt_rate_writes_no_duplicates(tmp_path: Path) -> None:
    clean = replace(SMALL, dirt_rate=0.0)
    generate(clean, tmp_path, "csv")
    ids = [r["event_id"] for p in (tmp_path / "events").iterdir() for r in read_rows(p)]
    assert all(ids) and len(ids) == len(set(ids))


def test_switching_format_removes_only_own_stale_files(tmp_path: Path) -> None:
    (tmp_path / "events").mkdir()
    keep = [tmp_path / "README.md", tmp_path / "events" / "notes.csv", tmp_path / "other.csv"]
    for path in keep:
        path.write_text("not the generator's\n")
    generate(SMALL, tmp_path, "csv")
    generate(SMALL, tmp_path, "parquet")
    assert not list(tmp_path.rglob("users.csv")) and not list(tmp_path.glob("events/2026-*.csv"))
    assert len(list(tmp_path.glob("events/*.parquet"))) == SMALL.days
    assert all(path.read_text() == "not the generator's\n" for path in keep)


def test_bundled_seeds_equal_a_fresh_default_generation(default_sample: Path) -> None:
    fresh = snapshot(default_sample)
    bundled = snapshot(BUNDLED_SEEDS)
    generated_by_us = {
        name: data
        for name, data in bundled.items()
        if name.startswith("events/") or name.split(".")[0] in {e.name for e in ENTITIES}
    }
    assert generated_by_us.keys() == fresh.keys()
    differing = [name for name in fresh if fresh[name] != generated_by_us[name]]
    assert not differing, f"seeds/ is stale; regenerate it: {differing[:5]}"
    assert sum(len(data) for data in bundled.values()) <= 5_000_000
