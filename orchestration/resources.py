"""Dagster resources, configured from :class:`orchestration.settings.Settings`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.settings import DBT_PROJECT_DIR, DEFAULT_DUCKDB_MEMORY_LIMIT, Settings

#: Every step that writes the DuckDB file runs in this pool (limit 1 in dagster.yaml),
#: because DuckDB allows one writing process per file.
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """The working DuckDB file that the pipeline writes (``PQL_DUCKDB_PATH``).

    Connections cap DuckDB's memory (``PQL_DUCKDB_MEMORY_LIMIT``) and spill beyond it to
    ``<duckdb_path>.tmp/``, like dbt's connections (dbt_project/profiles.yml).
    """

    duckdb_path: str
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = Path(self.duckdb_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Spills go to DuckDB's default folder for a database file, `<file>.tmp/`.
        con = duckdb.connect(str(path), config={"memory_limit": self.memory_limit})
        try:
            con.execute("SET TimeZone = 'UTC'")
            yield con
        finally:
            con.close()

    def latest_scored_day(self) -> date | None:
        """The newest day in marts.pql_score_history, or None before the first scoring."""
        if not Path(self.duckdb_path).exists():
            return None
        with self.connect() as con:
            tables = con.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = 'marts' AND table_name = 'pql_score_history'"
            ).fetchall()
            if tables[0][0] == 0:
                return None
            (latest,) = con.execute(
                "SELECT max(as_of_date) FROM marts.pql_score_history"
            ).fetchall()[0]
        return latest


class RawFilesResource(dg.ConfigurableResource):
    """The folder of raw input files (``PQL_SEEDS_DIR``)."""

    seeds_dir: str

    @property
    def path(self) -> Path:
        return Path(self.seeds_dir)


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(
            duckdb_path=str(settings.duckdb_path), memory_limit=settings.duckdb_memory_limit
        ),
        "raw_files": RawFilesResource(seeds_dir=str(settings.seeds_dir)),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            # The dbt of this interpreter's environment, whether or not it is on PATH.
            dbt_executable=str(Path(sys.executable).parent / "dbt"),
        ),
    }
