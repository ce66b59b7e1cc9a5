"""The runtime settings of the warehouse, read from the environment (PRODUCT.md section 4).

This is the only place that reads ``PQL_*`` variables. Analytics configuration (weights,
thresholds, catalogs) lives in dbt vars and seeds, not here.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

#: Defaults of the configuration contract, relative to the repository root.
DEFAULT_SEEDS_DIR = REPO_ROOT / "seeds"
DEFAULT_DUCKDB_PATH = REPO_ROOT / "data" / "warehouse.duckdb"
DEFAULT_SERVING_PATH = REPO_ROOT / "data" / "serving.duckdb"

#: Defaults of the operational settings (docs/operations.md).
DEFAULT_SCHEDULE_CRON = "0 6 * * *"
DEFAULT_SCHEDULE_TIMEZONE = "UTC"
DEFAULT_MAX_REJECT_RATE = 0.05
DEFAULT_MAX_ROW_COUNT_CHANGE = 0.5
DEFAULT_PARTITIONS_START = date(2024, 1, 1)
#: DuckDB's memory cap per process (loader, dbt, publish); beyond it DuckDB spills to
#: `<PQL_DUCKDB_PATH>.tmp/`. dbt_project/profiles.yml repeats this default for plain `dbt`
#: runs (tests/test_settings.py checks that they agree).
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


class SettingsError(ValueError):
    """A ``PQL_*`` variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    seeds_dir: Path
    duckdb_path: Path
    serving_path: Path
    as_of: date | None  # None: the last complete day present in the events
    # Operations (docs/operations.md). Defaults keep `Settings(...)` calls that name only
    # the fields above valid.
    schedule_cron: str = DEFAULT_SCHEDULE_CRON  # PQL_SCHEDULE_CRON: when pql_daily runs
    schedule_timezone: str = DEFAULT_SCHEDULE_TIMEZONE  # PQL_SCHEDULE_TIMEZONE: IANA name
    max_reject_rate: float = DEFAULT_MAX_REJECT_RATE  # PQL_MAX_REJECT_RATE: 0..1
    max_row_count_change: float = DEFAULT_MAX_ROW_COUNT_CHANGE  # PQL_MAX_ROW_COUNT_CHANGE: >= 0
    # PQL_PARTITIONS_START: the first day Dagster offers as a daily partition of the history.
    partitions_start: date = DEFAULT_PARTITIONS_START
    # PQL_DUCKDB_MEMORY_LIMIT: DuckDB memory cap per process, e.g. 2GB; spills beyond it.
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            seeds_dir=_path(env, "PQL_SEEDS_DIR", DEFAULT_SEEDS_DIR),
            duckdb_path=_path(env, "PQL_DUCKDB_PATH", DEFAULT_DUCKDB_PATH),
            serving_path=_path(env, "PQL_SERVING_PATH", DEFAULT_SERVING_PATH),
            as_of=_as_of(env.get("PQL_AS_OF", "").strip()),
            schedule_cron=_cron(env, "PQL_SCHEDULE_CRON", DEFAULT_SCHEDULE_CRON),
            schedule_timezone=_timezone(env, "PQL_SCHEDULE_TIMEZONE", DEFAULT_SCHEDULE_TIMEZONE),
            max_reject_rate=_fraction(
                env, "PQL_MAX_REJECT_RATE", DEFAULT_MAX_REJECT_RATE, upper=1.0
            ),
            max_row_count_change=_fraction(
                env, "PQL_MAX_ROW_COUNT_CHANGE", DEFAULT_MAX_ROW_COUNT_CHANGE, upper=None
            ),
            partitions_start=_date(env, "PQL_PARTITIONS_START", DEFAULT_PARTITIONS_START),
            duckdb_memory_limit=_memory_size(
                env, "PQL_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT
            ),
        )


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


def _date(env: Mapping[str, str], name: str, default: date) -> date:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None


def _as_of(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"PQL_AS_OF must be a date as YYYY-MM-DD, got {value!r}") from None


def _memory_size(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if not MEMORY_SIZE.fullmatch(value):
        raise SettingsError(f"{name} must be a size such as 2GB or 512MB; got {value!r}")
    return value


def _cron(env: Mapping[str, str], name: str, default: str) -> str:
    value = " ".join(env.get(name, "").split()) or default
    # Dagster's own validator (what ScheduleDefinition accepts: five fields, no seconds).
    # Imported here so that reading settings does not import Dagster.
    from dagster._utils.schedules import is_valid_cron_string

    if not is_valid_cron_string(value):
        raise SettingsError(
            f"{name} must be a cron string of five fields (minute hour day-of-month month "
            f"day-of-week), for example '0 6 * * *'; got {value!r}"
        )
    return value


def _timezone(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"{name} must be an IANA time zone name such as 'UTC' or 'Europe/Berlin' "
            f"(case matters); got {value!r}"
        ) from None
    return value


def _fraction(env: Mapping[str, str], name: str, default: float, upper: float | None) -> float:
    """A share written as a number (0.05) or a percentage (5%)."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (upper is not None and value > upper):
        bounds = f"between 0 and {upper:g}" if upper is not None else "at least 0"
        raise SettingsError(
            f"{name} must be a share {bounds}, as a number (0.05) or a percentage (5%); "
            f"got {text!r}"
        )
    return value
