"""DuckDB's memory cap and spill folder (PQL_DUCKDB_MEMORY_LIMIT, real connections), and the
environment handed to dbt subprocesses."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from orchestration.environment import patched_environ
from orchestration.resources import build_resources
from orchestration.settings import (
    DBT_PROJECT_DIR,
    DEFAULT_DUCKDB_MEMORY_LIMIT,
    Settings,
    SettingsError,
)


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"PQL_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"), **env})


def test_the_dbt_profile_defaults_to_the_same_memory_limit_as_the_pipeline():
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    defaults = re.findall(r"env_var\('PQL_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile)
    assert defaults == [DEFAULT_DUCKDB_MEMORY_LIMIT]


@pytest.mark.parametrize("value", ["lots", "2", "-1GB", "2 gigabytes"])
def test_a_memory_limit_that_is_not_a_size_is_refused(tmp_path, value):
    with pytest.raises(SettingsError, match="PQL_DUCKDB_MEMORY_LIMIT"):
        _settings(tmp_path, PQL_DUCKDB_MEMORY_LIMIT=value)


def test_the_warehouse_connection_caps_memory_and_spills_to_the_temp_folder(tmp_path):
    settings = _settings(tmp_path, PQL_DUCKDB_MEMORY_LIMIT="64MB")
    warehouse = build_resources(settings)["warehouse"]
    with warehouse.connect() as con:
        limit, temp = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchall()[0]
        assert limit == "61.0 MiB"  # DuckDB reports 64 MB (10^6 bytes) in MiB
        assert temp == f"{tmp_path / 'warehouse.duckdb'}.tmp"
        # Sorting ~300 MB of rows cannot fit in 64 MB: it completes by spilling.
        last = con.execute(
            "SELECT h FROM (SELECT md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS h "
            "FROM range(4000000) t(i) ORDER BY h) OFFSET 3999999"
        ).fetchall()
        spilled = Path(f"{tmp_path / 'warehouse.duckdb'}.tmp").exists()
    assert len(last) == 1
    assert spilled
    # A second connection in the same process after a spill (dbt opens one per node):
    # DuckDB refuses to switch the spill folder once used, so nothing may set it again.
    with warehouse.connect() as con:
        assert con.execute("SELECT current_setting('memory_limit')").fetchall() == [("61.0 MiB",)]


def test_patched_environ_sets_unsets_and_restores_even_after_an_error(monkeypatch):
    monkeypatch.setenv("PQL_TEST_KEPT", "before")
    monkeypatch.setenv("PQL_TEST_UNSET", "present")
    monkeypatch.delenv("PQL_TEST_NEW", raising=False)
    values = {"PQL_TEST_KEPT": "during", "PQL_TEST_NEW": "x"}
    with pytest.raises(RuntimeError), patched_environ(values, ["PQL_TEST_UNSET"]):
        assert os.environ["PQL_TEST_KEPT"] == "during"
        assert os.environ["PQL_TEST_NEW"] == "x"
        assert "PQL_TEST_UNSET" not in os.environ
        raise RuntimeError("the work failed")
    assert os.environ["PQL_TEST_KEPT"] == "before"
    assert os.environ["PQL_TEST_UNSET"] == "present"
    assert "PQL_TEST_NEW" not in os.environ
