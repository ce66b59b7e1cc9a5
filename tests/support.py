"""Helpers for tests that build a real warehouse: load raw files, run dbt for real."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb

from orchestration.raw.contract import ENTITIES
from orchestration.raw.loader import load_entity
from orchestration.settings import DBT_PROJECT_DIR

DBT = Path(sys.executable).parent / "dbt"


def load_raw(seeds_dir: Path, duckdb_path: Path) -> None:
    """Load every raw entity of a seeds folder into a DuckDB file with the real loader."""
    with duckdb.connect(str(duckdb_path)) as con:
        for entity in ENTITIES:
            load_entity(con, seeds_dir, entity)


def run_dbt(
    args: list[str], duckdb_path: Path, work_dir: Path, as_of: date | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real dbt CLI on the project against `duckdb_path`; fail with its output."""
    env = {**os.environ, "PQL_DUCKDB_PATH": str(duckdb_path)}
    env.pop("PQL_AS_OF", None)
    if as_of is not None:
        env["PQL_AS_OF"] = as_of.isoformat()
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"dbt {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def query(duckdb_path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()
