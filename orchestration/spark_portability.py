"""Run the dbt project on Apache Spark: the raw tables of the DuckDB warehouse, on Spark.

The Python loader writes the raw layer into DuckDB (orchestration/raw). To run the same dbt
models on Spark (the ``spark`` target of dbt_project/profiles.yml, dbt-spark's ``session``
method), the loaded raw tables, and nothing else, are exported as Parquet and registered in
the Spark catalog under the names of their dbt sources (``raw.users``, ``raw.events``, ...).
The registration runs through dbt itself (``dbt run-operation register_raw_tables``), so
the Spark session settings live in one place, the profile. See docs/scaling.md.

    python -m orchestration.spark_portability        # export + register PQL_DUCKDB_PATH
    cd dbt_project && dbt build --target spark       # then any dbt command on Spark
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.raw.contract import ENTITIES
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, Settings

#: The raw tables the models read (the ``product`` source's entity tables). The loader's
#: bookkeeping tables (raw.load_log, raw.rejects) stay in DuckDB.
RAW_TABLES: tuple[str, ...] = tuple(entity.name for entity in ENTITIES)

DEFAULT_SPARK_WAREHOUSE_DIR = REPO_ROOT / "data" / "spark"
DBT = Path(sys.executable).parent / "dbt"


@dataclass(frozen=True)
class SparkSettings:
    """Where the local Spark session keeps its catalog, tables and the raw Parquet export."""

    warehouse_dir: Path  # PQL_SPARK_WAREHOUSE_DIR: metastore_db/, warehouse/, raw_parquet/

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SparkSettings:
        env = os.environ if environ is None else environ
        value = env.get("PQL_SPARK_WAREHOUSE_DIR", "").strip()
        return cls(warehouse_dir=Path(value).resolve() if value else DEFAULT_SPARK_WAREHOUSE_DIR)

    @property
    def raw_export_dir(self) -> Path:
        return self.warehouse_dir / "raw_parquet"

    def dbt_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment of a dbt process on the spark target (absolute paths only)."""
        env = dict(os.environ if base is None else base)
        env["PQL_SPARK_WAREHOUSE_DIR"] = str(self.warehouse_dir)
        # The driver binds to loopback: no network interface lookup, no firewall prompt.
        env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        return env


def export_raw_tables(duckdb_path: Path, export_dir: Path) -> dict[str, Path]:
    """Write every raw entity table of a DuckDB warehouse as one Parquet folder per table.

    Returns the folder of each table, by source table name. Column types carry over
    (VARCHAR -> string, TIMESTAMP -> timestamp, DECIMAL(18, 2) -> decimal(18, 2)).
    """
    folders: dict[str, Path] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for name in RAW_TABLES:
            folder = export_dir / name
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            # The relation API: the file path never becomes SQL text.
            con.table(f"raw.{name}").write_parquet(str(folder / "part-0.parquet"))
            folders[name] = folder
    return folders


def run_dbt_on_spark(
    args: Sequence[str],
    spark: SparkSettings,
    *,
    target_path: Path | None = None,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real dbt CLI on the project with ``--target spark``; raise with its output."""
    command = [
        str(DBT),
        *args,
        "--target",
        "spark",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
    ]
    if target_path is not None:
        command += ["--target-path", str(target_path)]
    if log_path is not None:
        command += ["--log-path", str(log_path)]
    result = subprocess.run(
        command,
        env=spark.dbt_env(env),
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def register_raw_tables(
    folders: Mapping[str, Path],
    spark: SparkSettings,
    *,
    target_path: Path | None = None,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Register exported Parquet folders as the Spark tables of their dbt sources."""
    locations = {name: str(folder.resolve()) for name, folder in folders.items()}
    run_dbt_on_spark(
        ["run-operation", "register_raw_tables", "--args", json.dumps({"locations": locations})],
        spark,
        target_path=target_path,
        log_path=log_path,
        env=env,
    )


def prepare_raw_on_spark(
    duckdb_path: Path,
    spark: SparkSettings,
    *,
    target_path: Path | None = None,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """Export the raw tables of ``duckdb_path`` and register them on the spark target."""
    folders = export_raw_tables(duckdb_path, spark.raw_export_dir)
    register_raw_tables(folders, spark, target_path=target_path, log_path=log_path, env=env)
    return folders


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Export the raw tables of the DuckDB warehouse and register them on Spark."
    )
    parser.add_argument(
        "--duckdb", type=Path, help="the loaded DuckDB warehouse (default: PQL_DUCKDB_PATH)"
    )
    options = parser.parse_args(argv)
    duckdb_path = options.duckdb or Settings.from_env().duckdb_path
    spark = SparkSettings.from_env()
    folders = prepare_raw_on_spark(duckdb_path, spark)
    for name, folder in folders.items():
        print(f"raw.{name} <- {folder}")
    print(f"Spark catalog and tables: {spark.warehouse_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
