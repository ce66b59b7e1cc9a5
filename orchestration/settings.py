"""The runtime settings of the warehouse, read from the environment (PRODUCT.md section 4).

This is the only place that reads ``PQL_*`` variables. Analytics configuration (weights,
thresholds, catalogs) lives in dbt vars and seeds, not here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

#: Defaults of the configuration contract, relative to the repository root.
DEFAULT_SEEDS_DIR = REPO_ROOT / "seeds"
DEFAULT_DUCKDB_PATH = REPO_ROOT / "data" / "warehouse.duckdb"
DEFAULT_SERVING_PATH = REPO_ROOT / "data" / "serving.duckdb"


class SettingsError(ValueError):
    """A ``PQL_*`` variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    seeds_dir: Path
    duckdb_path: Path
    serving_path: Path
    as_of: date | None  # None: the last complete day present in the events

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            seeds_dir=_path(env, "PQL_SEEDS_DIR", DEFAULT_SEEDS_DIR),
            duckdb_path=_path(env, "PQL_DUCKDB_PATH", DEFAULT_DUCKDB_PATH),
            serving_path=_path(env, "PQL_SERVING_PATH", DEFAULT_SERVING_PATH),
            as_of=_as_of(env.get("PQL_AS_OF", "").strip()),
        )

    def dbt_env(self) -> dict[str, str]:
        """The variables a dbt subprocess needs to see the same warehouse."""
        env = {"PQL_DUCKDB_PATH": str(self.duckdb_path)}
        if self.as_of is not None:
            env["PQL_AS_OF"] = self.as_of.isoformat()
        return env


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


def _as_of(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"PQL_AS_OF must be a date as YYYY-MM-DD, got {value!r}") from None
