"""The benchmark floor: marts.pql_scores from the raw Parquet files in one DuckDB query.

bench/floor.sql is the query; this module binds its parameters (raw files, seed CSVs, the
as-of date and the scoring configuration from dbt_project.yml ``vars``) and compares its
result with a pipeline-built warehouse. Nothing from a file or a config value is rendered
into SQL: every value is a bound parameter, so the SQL text is constant.

    con = duckdb.connect()
    rows = floor_scores(con, Path("/tmp/raw"), SEEDS_DIR, date(2026, 10, 30))
    compared, mismatches = compare_with_pipeline(con, Path("wh.duckdb"), Path("/tmp/raw"))
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
FLOOR_SQL = Path(__file__).with_name("floor.sql")
DBT_PROJECT_YML = REPO_ROOT / "dbt_project" / "dbt_project.yml"
SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"

#: Raw entities the floor reads, each from ``<entity>.parquet`` and/or ``<entity>/**/*.parquet``.
ENTITIES: tuple[str, ...] = (
    "users",
    "accounts",
    "memberships",
    "invites",
    "events",
    "subscriptions",
)
SEEDS: tuple[str, ...] = (
    "public_suffixes",
    "free_email_domains",
    "domain_overrides",
    "event_catalog",
    "plans",
)
#: Signals floor.sql computes (its `signal_values` CTE); a scored signal must be one of them.
FLOOR_SIGNALS: frozenset[str] = frozenset(
    {
        "active_users_28d",
        "signups_60d",
        "multi_member_accounts",
        "invites_accepted_90d",
        "viral_coefficient",
        "activation_rate",
        "key_actions_per_active_user_28d",
        "active_users_growth_28d",
        "buying_intent_events_28d",
        "accounts_count",
        "users_total",
        "active_users_7d",
        "invites_sent_90d",
        "acceptance_rate_90d",
    }
)
SIGNAL_FORMATS: frozenset[str] = frozenset({"count", "percent", "ratio"})

#: The columns of marts.pql_scores (the floor returns them in this order).
PQL_SCORES_COLUMNS: tuple[str, ...] = (
    "company_domain",
    "as_of_date",
    "score",
    "score_rank",
    "tier",
    "is_pql",
    "route_to_sales",
    "is_expansion_candidate",
    "reasons",
    "reason_summary",
    "users_total",
    "active_users_7d",
    "active_users_28d",
    "signups_60d",
    "accounts_count",
    "multi_member_accounts",
    "invites_sent_90d",
    "invites_accepted_90d",
    "acceptance_rate_90d",
    "viral_coefficient",
    "activation_rate",
    "buying_intent_events_28d",
    "current_plan",
    "is_paying_customer",
    "is_enterprise_customer",
    "is_education_domain",
)
#: Double columns, rounded for the comparison (the same arithmetic gives the same bits, but
#: a comparison should not hinge on the last ulp).
FLOAT_COLUMNS: frozenset[str] = frozenset(
    {"acceptance_rate_90d", "viral_coefficient", "activation_rate"}
)
FLOAT_DIGITS = 9


@dataclass(frozen=True)
class Signal:
    name: str
    weight: float
    target: float
    format: str
    label: str


@dataclass(frozen=True)
class ScoringConfig:
    """The scoring part of dbt_project.yml ``vars`` (see docs/scoring.md)."""

    signals: tuple[Signal, ...]
    active_window_days: int
    weekly_window_days: int
    signup_window_days: int
    invite_window_days: int
    activation_window_days: int
    tier_hot: float
    tier_warm: float
    pql_threshold: float
    pql_min_company_users: int
    pql_reasons_top_n: int
    psl_max_labels: int = 6

    @classmethod
    def from_vars(cls, variables: Mapping[str, Any]) -> ScoringConfig:
        signals = []
        for name, spec in variables["pql_signals"].items():
            signal = Signal(
                name=str(name),
                weight=float(spec["weight"]),
                target=float(spec["target"]),
                format=str(spec["format"]),
                label=str(spec["label"]),
            )
            if signal.name not in FLOOR_SIGNALS:
                raise ValueError(f"signal {signal.name!r} is not computed by bench/floor.sql")
            if signal.format not in SIGNAL_FORMATS:
                raise ValueError(f"signal {signal.name!r}: unknown format {signal.format!r}")
            if signal.target <= 0:
                raise ValueError(f"signal {signal.name!r}: target must be positive")
            signals.append(signal)
        tiers = variables["pql_tier_thresholds"]
        return cls(
            signals=tuple(signals),
            active_window_days=int(variables["active_window_days"]),
            weekly_window_days=int(variables["weekly_window_days"]),
            signup_window_days=int(variables["signup_window_days"]),
            invite_window_days=int(variables["invite_window_days"]),
            activation_window_days=int(variables["activation_window_days"]),
            tier_hot=float(tiers["hot"]),
            tier_warm=float(tiers["warm"]),
            pql_threshold=float(variables["pql_threshold"]),
            pql_min_company_users=int(variables["pql_min_company_users"]),
            pql_reasons_top_n=int(variables["pql_reasons_top_n"]),
            psl_max_labels=int(variables.get("psl_max_labels", 6)),
        )

    @classmethod
    def from_dbt_project(cls, path: Path = DBT_PROJECT_YML) -> ScoringConfig:
        with path.open(encoding="utf-8") as handle:
            project = yaml.safe_load(handle)
        return cls.from_vars(project["vars"])

    def parameters(self) -> dict[str, object]:
        return {
            "signals": [
                {
                    "signal": s.name,
                    "weight": s.weight,
                    "target": s.target,
                    "format": s.format,
                    "label": s.label,
                }
                for s in self.signals
            ],
            "active_window_days": self.active_window_days,
            "weekly_window_days": self.weekly_window_days,
            "signup_window_days": self.signup_window_days,
            "invite_window_days": self.invite_window_days,
            "activation_window_days": self.activation_window_days,
            "tier_hot": self.tier_hot,
            "tier_warm": self.tier_warm,
            "pql_threshold": self.pql_threshold,
            "pql_min_company_users": self.pql_min_company_users,
            "pql_reasons_top_n": self.pql_reasons_top_n,
            "psl_max_labels": self.psl_max_labels,
        }


def entity_files(raw_dir: Path, entity: str) -> list[str]:
    """``<entity>.parquet`` plus every ``*.parquet`` under ``<entity>/`` (like the loader)."""
    files = [raw_dir / f"{entity}.parquet"] if (raw_dir / f"{entity}.parquet").is_file() else []
    folder = raw_dir / entity
    if folder.is_dir():
        files += [
            path
            for path in sorted(folder.rglob("*"))
            if path.is_file()
            and not path.name.startswith(".")
            and path.suffix.lower() == ".parquet"
        ]
    if not files:
        raise FileNotFoundError(f"{raw_dir}: no Parquet files for {entity!r}")
    return [str(path) for path in files]


def floor_parameters(
    raw_dir: Path, seeds_dir: Path, as_of: date, config: ScoringConfig
) -> dict[str, object]:
    params: dict[str, object] = {f"{e}_files": entity_files(raw_dir, e) for e in ENTITIES}
    for seed in SEEDS:
        path = seeds_dir / f"{seed}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"missing seed {path}")
        params[f"{seed}_csv"] = str(path)
    params["as_of"] = as_of.isoformat()
    params.update(config.parameters())
    return params


@contextmanager
def utc_session(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run with TimeZone UTC (how the loader parses timestamps), then restore the setting."""
    (previous,) = con.execute("SELECT current_setting('TimeZone')").fetchall()[0]
    con.execute("SET TimeZone = 'UTC'")
    try:
        yield
    finally:
        con.execute("SET TimeZone = $tz", {"tz": previous})


def floor_scores(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    seeds_dir: Path,
    as_of: date,
    config: ScoringConfig | None = None,
    table: str = "floor_pql_scores",
) -> list[tuple]:
    """Run the floor and return its rows (columns PQL_SCORES_COLUMNS, ordered by score_rank).

    ``config`` defaults to dbt_project.yml's ``vars``. The result is also kept as the
    temporary table ``table`` so that it can be compared without a second run.
    """
    if not table.isidentifier():
        raise ValueError(f"not an identifier: {table!r}")
    config = config or ScoringConfig.from_dbt_project()
    params = floor_parameters(raw_dir, seeds_dir, as_of, config)
    sql = FLOOR_SQL.read_text(encoding="utf-8")
    with utc_session(con):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}", params)
    return con.execute(f"SELECT * FROM {table} ORDER BY score_rank").fetchall()


def _normalized(relation: str) -> str:
    columns = [
        f"round({c}, {FLOAT_DIGITS}) AS {c}" if c in FLOAT_COLUMNS else c
        for c in PQL_SCORES_COLUMNS
    ]
    return f"SELECT {', '.join(columns)} FROM {relation}"


def compare_tables(con: duckdb.DuckDBPyConnection, left: str, right: str) -> tuple[int, int]:
    """(rows compared, mismatching rows): EXCEPT ALL both ways over every pql_scores column.

    ``left`` and ``right`` are table names written by this module, never user input.
    """
    a, b = _normalized(left), _normalized(right)
    (compared,) = con.execute(
        f"SELECT greatest((SELECT count(*) FROM {left}), (SELECT count(*) FROM {right}))"
    ).fetchall()[0]
    (mismatches,) = con.execute(
        f"SELECT count(*) FROM (({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a}))"
    ).fetchall()[0]
    return int(compared), int(mismatches)


def compare_with_pipeline(
    con: duckdb.DuckDBPyConnection,
    warehouse_path: Path,
    raw_dir: Path,
    seeds_dir: Path = SEEDS_DIR,
    as_of: date | None = None,
    config: ScoringConfig | None = None,
) -> tuple[int, int]:
    """Compare the floor with marts.pql_scores of a built warehouse.

    ``as_of`` defaults to the warehouse's own (intermediate.int_as_of_date); pass another
    date to check that the comparison can fail.
    """
    # Attached under its own name (the file's stem): dbt's views name their catalog.
    con.execute("ATTACH $path (READ_ONLY)", {"path": str(warehouse_path)})
    (catalog,) = con.execute(
        "SELECT database_name FROM duckdb_databases() WHERE path = $path",
        {"path": str(warehouse_path)},
    ).fetchall()[0]
    if not str(catalog).isidentifier():
        raise ValueError(f"unexpected catalog name {catalog!r}")
    try:
        if as_of is None:
            as_of = con.execute(
                f"SELECT as_of_date FROM {catalog}.intermediate.int_as_of_date"
            ).fetchall()[0][0]
        con.execute(
            "CREATE OR REPLACE TEMP TABLE pipeline_pql_scores AS "
            f"SELECT * FROM {catalog}.marts.pql_scores"
        )
    finally:
        con.execute(f"DETACH {catalog}")
    floor_scores(con, raw_dir, seeds_dir, as_of, config, table="floor_pql_scores")
    return compare_tables(con, "floor_pql_scores", "pipeline_pql_scores")


def column_mismatches(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per column, how many companies differ between the last floor and pipeline tables."""
    counts: dict[str, int] = {}
    for column in PQL_SCORES_COLUMNS[1:]:
        (n,) = con.execute(
            f"SELECT count(*) FROM floor_pql_scores f FULL JOIN pipeline_pql_scores p "
            f"USING (company_domain) WHERE f.{column} IS DISTINCT FROM p.{column}"
        ).fetchall()[0]
        counts[column] = int(n)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the floor and compare it to a warehouse.")
    parser.add_argument("--raw", type=Path, required=True, help="raw folder (Parquet)")
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR)
    parser.add_argument("--warehouse", type=Path, help="pipeline DuckDB file to compare with")
    parser.add_argument("--as-of", type=date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--repeat", type=int, default=3, help="timed floor runs")
    args = parser.parse_args()
    if args.warehouse is None and args.as_of is None:
        parser.error("--as-of is required without --warehouse")
    con = duckdb.connect()
    if args.warehouse:
        started = time.perf_counter()
        compared, mismatches = compare_with_pipeline(
            con, args.warehouse, args.raw, args.seeds, args.as_of
        )
        elapsed = time.perf_counter() - started
        print(f"compared {compared} rows, {mismatches} mismatches ({elapsed:.2f}s)")
        if mismatches:
            print({c: n for c, n in column_mismatches(con).items() if n})
        (as_of,) = con.execute("SELECT max(as_of_date) FROM floor_pql_scores").fetchall()[0]
    else:
        as_of = args.as_of
    for _ in range(args.repeat):
        started = time.perf_counter()
        rows = floor_scores(con, args.raw, args.seeds, as_of)
        print(f"floor as of {as_of}: {len(rows)} rows in {time.perf_counter() - started:.3f}s")


if __name__ == "__main__":
    main()
