"""Writing raw rows as CSV, JSONL or Parquet files, byte for byte reproducibly.

Layout in the output folder: ``<entity>.<ext>`` for users, accounts, memberships, invites
and subscriptions, and ``events/YYYY-MM-DD.<ext>`` (one file per delivery day).

* CSV: the ``csv`` module, a header row, ``\\n`` line endings, empty text for no value.
* JSONL: one JSON object per line, keys in column order, ``null`` for no value.
* Parquet: pyarrow, every column a string (the same text as in CSV), nulls for no value.

:func:`remove_stale_outputs` deletes only files this generator would write (in any
format), so switching format leaves no old files behind and nothing else is touched.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.synthetic.tables import Row

FORMATS: dict[str, str] = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet"}
#: Every suffix the raw loader accepts; stale files in any of them are removed.
KNOWN_SUFFIXES: tuple[str, ...] = (".csv", ".jsonl", ".ndjson", ".parquet")
ENTITY_NAMES: tuple[str, ...] = (
    "users",
    "accounts",
    "memberships",
    "invites",
    "subscriptions",
    "events",
)
EVENTS_DIR = "events"
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Written:
    """What one write produced."""

    path: Path
    rows: int
    bytes: int


def encode(columns: Sequence[str], rows: Iterable[Row], fmt: str) -> bytes:
    """The file content for ``rows`` in format ``fmt``."""
    if fmt == "csv":
        return _csv_bytes(columns, rows)
    if fmt == "jsonl":
        return _jsonl_bytes(columns, rows)
    if fmt == "parquet":
        return _parquet_bytes(columns, rows)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _csv_bytes(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return buffer.getvalue().encode("utf-8")


def _jsonl_bytes(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    lines = [
        json.dumps({c: row[c] for c in columns}, ensure_ascii=False, separators=(",", ":"))
        for row in rows
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _parquet_bytes(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    materialized = list(rows)
    schema = pa.schema([pa.field(c, pa.string()) for c in columns])
    arrays = [pa.array([row[c] for row in materialized], pa.string()) for c in columns]
    table = pa.Table.from_arrays(arrays, schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def write_file(path: Path, columns: Sequence[str], rows: Sequence[Row], fmt: str) -> Written:
    """Write ``rows`` to ``path`` in ``fmt``."""
    data = encode(columns, rows, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Written(path, len(rows), len(data))


def write_daily(
    out_dir: Path, columns: Sequence[str], days: dict[date, list[Row]], fmt: str
) -> list[Written]:
    """Write one ``events/YYYY-MM-DD.<ext>`` file per day, in day order."""
    folder = out_dir / EVENTS_DIR
    return [
        write_file(folder / f"{day.isoformat()}.{fmt}", columns, days[day], fmt)
        for day in sorted(days)
    ]


def remove_stale_outputs(out_dir: Path) -> list[Path]:
    """Delete this generator's files from ``out_dir`` (any format); returns what was removed.

    Only ``<entity>.<known suffix>`` files and ``events/YYYY-MM-DD.<known suffix>`` files
    are removed; any other file or folder is left alone.
    """
    removed: list[Path] = []
    if not out_dir.is_dir():
        return removed
    for entity in ENTITY_NAMES:
        for suffix in KNOWN_SUFFIXES:
            candidate = out_dir / f"{entity}{suffix}"
            if candidate.is_file():
                candidate.unlink()
                removed.append(candidate)
    folder = out_dir / EVENTS_DIR
    if folder.is_dir():
        for candidate in sorted(folder.iterdir()):
            if (
                candidate.is_file()
                and candidate.suffix in KNOWN_SUFFIXES
                and DAY_FILE.match(candidate.stem)
            ):
                candidate.unlink()
                removed.append(candidate)
    return removed
