"""Shared fixtures: raw files written in any contract format, and a scratch warehouse."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

Row = dict[str, object]


def write_raw(path: Path, rows: list[Row], columns: list[str] | None = None) -> Path:
    """Write rows as CSV, JSONL or Parquet, chosen by the file suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = columns or list(dict.fromkeys(key for row in rows for key in row))
    suffix = path.suffix
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    elif suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps({c: row.get(c) for c in columns}) + "\n")
    elif suffix == ".parquet":
        table = pa.table(
            {c: pa.array([_text(row.get(c)) for row in rows], pa.string()) for c in columns}
        )
        pq.write_table(table, path)
    else:
        raise ValueError(suffix)
    return path


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    path = tmp_path / "seeds"
    path.mkdir()
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield con
    con.close()


def rows_of(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


@pytest.fixture(autouse=True, scope="session")
def _scratch_serving_path(tmp_path_factory) -> Iterator[None]:
    """Tests that run the whole job publish too: never into the repository's data/ folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PQL_SERVING_PATH", str(tmp_path_factory.mktemp("serving") / "serving.duckdb"))
        yield
