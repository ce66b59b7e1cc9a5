"""The PQL report's data: read from the marts into plain dataclasses.

:func:`load_report_data` is the only function that runs SQL for the report; the page is
rendered from :class:`ReportData` alone, so rendering is tested with hand-made data.
Every query reads schema ``marts`` through the connection it is given (open it read-only
with :func:`orchestration.reporting.files.connect_read_only`); values are bound
parameters, and no table or column name comes from data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import yaml

from orchestration.settings import DBT_PROJECT_DIR

TIERS: tuple[str, ...] = ("hot", "warm", "cold")
DEFAULT_TOP_N = 25
DEFAULT_HISTORY_DAYS = 90
DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"

#: The marts the report reads (the report asset depends on each).
REPORT_MARTS: tuple[str, ...] = (
    "pql_scores",
    "new_pqls",
    "pql_score_history",
    "users",
    "inviters",
    "pql_backtest_summary",
)


@dataclass(frozen=True)
class Signal:
    """One scoring signal as configured in dbt (var ``pql_signals``)."""

    name: str
    label: str
    weight: float | None = None
    format: str = "count"  # count | percent | ratio


@dataclass(frozen=True)
class Reason:
    """One structured reason of a score: a signal, its value and the points it earned."""

    signal: str
    value: float | None
    points: float


@dataclass(frozen=True)
class RankedCompany:
    rank: int
    company_domain: str
    score: int
    tier: str
    route_to_sales: bool
    is_expansion_candidate: bool
    reason_summary: str
    reasons: tuple[Reason, ...] = ()
    users_total: int | None = None
    active_users_28d: int | None = None
    current_plan: str | None = None


@dataclass(frozen=True)
class Headline:
    companies: int = 0
    pqls: int = 0
    routed_to_sales: int = 0
    expansion_candidates: int = 0
    new_pqls_today: int = 0


@dataclass(frozen=True)
class TierCount:
    tier: str
    companies: int


@dataclass(frozen=True)
class ScoreBin:
    """Companies whose score is in ``low``..``high``; ``tier``: the most common tier there."""

    low: int
    high: int
    companies: int
    tier: str | None = None


@dataclass(frozen=True)
class DayCount:
    day: date
    new_pqls: int


@dataclass(frozen=True)
class NewPqlHistory:
    """New PQLs per scored day in the window ``first_day``..``last_day``.

    Only days whose previous day was scored too are listed (on the first day of the history
    every PQL would look new); days of the window not listed were not comparable.
    """

    first_day: date
    last_day: date
    days: tuple[DayCount, ...] = ()

    @property
    def total(self) -> int:
        return sum(day.new_pqls for day in self.days)


@dataclass(frozen=True)
class FunnelStep:
    label: str
    definition: str
    count: int


@dataclass(frozen=True)
class BacktestTier:
    tier: str
    company_days_30d: int | None
    converted_30d: int | None
    conversion_rate_30d: float | None
    base_rate_30d: float | None
    lift_30d: float | None
    company_days_90d: int | None
    converted_90d: int | None
    conversion_rate_90d: float | None
    base_rate_90d: float | None
    lift_90d: float | None


@dataclass(frozen=True)
class ReportData:
    as_of_date: date | None
    headline: Headline
    ranked: tuple[RankedCompany, ...]
    tiers: tuple[TierCount, ...]
    score_bins: tuple[ScoreBin, ...]
    new_pqls: NewPqlHistory | None
    funnel: tuple[FunnelStep, ...]
    backtest: tuple[BacktestTier, ...]
    signals: dict[str, Signal] = field(default_factory=dict)
    #: Lowest score of each tier but the last (dbt var ``pql_tier_thresholds``).
    tier_thresholds: dict[str, float] = field(default_factory=dict)
    #: What the funnel counts (every step counts the same unit).
    funnel_unit: str = "users"
    pql_companies_in_funnel: int | None = None


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    # Always fetchall: duckdb 2 keeps an unread result open and the next statement fails.
    return con.execute(sql, params or {}).fetchall()


def _dbt_vars(project_file: Path) -> dict[str, Any]:
    try:
        config = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return config.get("vars") or {}


def load_signals(project_file: Path = DBT_PROJECT_FILE) -> dict[str, Signal]:
    """Labels, weights and formats of the scoring signals from dbt's ``pql_signals`` var.

    Only for presentation (labels, bar scale); an unreadable file gives no labels.
    """
    signals = _dbt_vars(project_file).get("pql_signals") or {}
    result = {}
    for name, spec in signals.items():
        spec = spec or {}
        weight = spec.get("weight")
        result[str(name)] = Signal(
            name=str(name),
            label=str(spec.get("label") or str(name).replace("_", " ")),
            weight=float(weight) if isinstance(weight, int | float) else None,
            format=str(spec.get("format") or "count"),
        )
    return result


def load_tier_thresholds(project_file: Path = DBT_PROJECT_FILE) -> dict[str, float]:
    """The tier thresholds from dbt's ``pql_tier_thresholds`` var (presentation only)."""
    thresholds = _dbt_vars(project_file).get("pql_tier_thresholds") or {}
    return {
        str(tier): float(value)
        for tier, value in thresholds.items()
        if isinstance(value, int | float)
    }


def parse_reasons(text: str | None) -> tuple[Reason, ...]:
    """The ``reasons`` JSON array of a mart row as :class:`Reason` objects."""
    if not text:
        return ()
    try:
        items = json.loads(text)
    except ValueError:
        return ()
    reasons = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or "signal" not in item:
            continue
        value = item.get("value")
        reasons.append(
            Reason(
                signal=str(item["signal"]),
                value=float(value) if isinstance(value, int | float) else None,
                points=float(item.get("points") or 0.0),
            )
        )
    return tuple(reasons)


def _as_of_date(con: duckdb.DuckDBPyConnection) -> date | None:
    return _rows(con, "SELECT max(as_of_date) FROM marts.pql_scores")[0][0]


def _headline(con: duckdb.DuckDBPyConnection, as_of: date | None) -> Headline:
    companies, pqls, routed, expansion = _rows(
        con,
        """
        SELECT count(*),
               count(*) FILTER (WHERE is_pql),
               count(*) FILTER (WHERE route_to_sales),
               count(*) FILTER (WHERE coalesce(is_expansion_candidate, false))
        FROM marts.pql_scores
        """,
    )[0]
    (new_today,) = _rows(
        con,
        """
        SELECT count(*) FROM marts.new_pqls
        WHERE as_of_date = $as_of
          AND (route_to_sales OR coalesce(is_expansion_candidate, false))
        """,
        {"as_of": as_of},
    )[0]
    return Headline(companies, pqls, routed, expansion, new_today)


def _ranked(con: duckdb.DuckDBPyConnection, top_n: int) -> tuple[RankedCompany, ...]:
    rows = _rows(
        con,
        """
        SELECT score_rank, company_domain, score, tier, route_to_sales,
               coalesce(is_expansion_candidate, false), reason_summary, reasons,
               users_total, active_users_28d, current_plan
        FROM marts.pql_scores
        ORDER BY score DESC, company_domain
        LIMIT $top_n
        """,
        {"top_n": top_n},
    )
    return tuple(
        RankedCompany(
            rank=int(rank) if rank is not None else position,
            company_domain=domain,
            score=int(score),
            tier=tier,
            route_to_sales=bool(routed),
            is_expansion_candidate=bool(expansion),
            reason_summary=summary or "",
            reasons=parse_reasons(reasons),
            users_total=users,
            active_users_28d=active,
            current_plan=plan,
        )
        for position, (
            rank,
            domain,
            score,
            tier,
            routed,
            expansion,
            summary,
            reasons,
            users,
            active,
            plan,
        ) in enumerate(rows, start=1)
    )


def _tiers(con: duckdb.DuckDBPyConnection) -> tuple[TierCount, ...]:
    counts = dict(_rows(con, "SELECT tier, count(*) FROM marts.pql_scores GROUP BY tier"))
    ordered = [TierCount(tier, int(counts.pop(tier, 0))) for tier in TIERS]
    ordered += [TierCount(tier, int(n)) for tier, n in sorted(counts.items())]
    return tuple(ordered)


SCORE_BIN_WIDTH = 10


def _score_bins(con: duckdb.DuckDBPyConnection) -> tuple[ScoreBin, ...]:
    rows = _rows(
        con,
        """
        SELECT least(greatest(score, 0) // $width, 100 // $width - 1) AS bin, tier, count(*)
        FROM marts.pql_scores
        GROUP BY ALL
        """,
        {"width": SCORE_BIN_WIDTH},
    )
    by_bin: dict[int, dict[str, int]] = {}
    for bin_index, tier, companies in rows:
        by_bin.setdefault(int(bin_index), {})[tier] = int(companies)
    bins = []
    for index in range(100 // SCORE_BIN_WIDTH):
        tiers = by_bin.get(index, {})
        low = index * SCORE_BIN_WIDTH
        high = 100 if index == 100 // SCORE_BIN_WIDTH - 1 else low + SCORE_BIN_WIDTH - 1
        top_tier = max(sorted(tiers), key=lambda t: tiers[t]) if tiers else None
        bins.append(ScoreBin(low, high, sum(tiers.values()), top_tier))
    return tuple(bins)


def _new_pqls(con: duckdb.DuckDBPyConnection, as_of: date, history_days: int) -> NewPqlHistory:
    first_day = as_of - timedelta(days=history_days - 1)
    rows = _rows(
        con,
        """
        WITH history AS (
            SELECT company_domain, as_of_date, is_pql
            FROM marts.pql_score_history
            WHERE as_of_date BETWEEN $first_day - 1 AND $last_day
        ),
        scored_days AS (
            SELECT DISTINCT as_of_date AS day FROM history
        ),
        comparable_days AS (
            SELECT today.day
            FROM scored_days AS today
            INNER JOIN scored_days AS yesterday
                ON yesterday.day = today.day - 1
            WHERE today.day >= $first_day
        ),
        became_pql AS (
            SELECT today.as_of_date AS day, count(*) AS new_pqls
            FROM history AS today
            LEFT JOIN history AS yesterday
                ON yesterday.company_domain = today.company_domain
                AND yesterday.as_of_date = today.as_of_date - 1
            WHERE today.is_pql AND NOT coalesce(yesterday.is_pql, false)
            GROUP BY today.as_of_date
        )
        SELECT comparable_days.day, coalesce(became_pql.new_pqls, 0)
        FROM comparable_days
        LEFT JOIN became_pql ON became_pql.day = comparable_days.day
        ORDER BY comparable_days.day
        """,
        {"first_day": first_day, "last_day": as_of},
    )
    return NewPqlHistory(
        first_day=first_day,
        last_day=as_of,
        days=tuple(DayCount(day, int(n)) for day, n in rows),
    )


FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("Signed up", "Every user who signed up by the as-of date (marts.users)."),
    (
        "Activated",
        "...of whom reached an activation event within the activation window of signup "
        "(marts.users.is_activated).",
    ),
    (
        "Invited someone",
        "...of whom sent at least one invite by the as-of date (marts.inviters).",
    ),
    (
        "At a PQL company",
        "...of whom belong to a company that is a PQL on the as-of date "
        "(marts.pql_scores.is_pql). Users with a personal or internal email have no company.",
    ),
)


def _funnel(con: duckdb.DuckDBPyConnection) -> tuple[tuple[FunnelStep, ...], int]:
    signed_up, activated, invited, at_pql, pql_companies = _rows(
        con,
        """
        WITH inviting AS (
            SELECT DISTINCT inviter_user_id AS user_id
            FROM marts.inviters
            WHERE invites_sent > 0
        ),
        pql_companies AS (
            SELECT company_domain FROM marts.pql_scores WHERE is_pql
        ),
        steps AS (
            SELECT
                users.user_id,
                coalesce(users.is_activated, false) AS activated,
                inviting.user_id IS NOT NULL AS invited,
                pql_companies.company_domain IS NOT NULL AS at_pql
            FROM marts.users AS users
            LEFT JOIN inviting ON inviting.user_id = users.user_id
            LEFT JOIN pql_companies ON pql_companies.company_domain = users.company_domain
        )
        SELECT
            count(*),
            count(*) FILTER (WHERE activated),
            count(*) FILTER (WHERE activated AND invited),
            count(*) FILTER (WHERE activated AND invited AND at_pql),
            (SELECT count(*) FROM pql_companies)
        FROM steps
        """,
    )[0]
    counts = (signed_up, activated, invited, at_pql)
    steps = tuple(
        FunnelStep(label, definition, int(count))
        for (label, definition), count in zip(FUNNEL_STEPS, counts, strict=True)
    )
    return steps, int(pql_companies)


def _backtest(con: duckdb.DuckDBPyConnection) -> tuple[BacktestTier, ...]:
    rows = _rows(
        con,
        """
        SELECT tier, company_days_30d, converted_30d, conversion_rate_30d, base_rate_30d,
               lift_30d, company_days_90d, converted_90d, conversion_rate_90d,
               base_rate_90d, lift_90d
        FROM marts.pql_backtest_summary
        """,
    )
    order = {tier: position for position, tier in enumerate(TIERS)}
    rows.sort(key=lambda row: (order.get(row[0], len(order)), row[0]))
    return tuple(BacktestTier(*row) for row in rows)


def load_report_data(
    con: duckdb.DuckDBPyConnection,
    top_n: int = DEFAULT_TOP_N,
    history_days: int = DEFAULT_HISTORY_DAYS,
    signals: dict[str, Signal] | None = None,
) -> ReportData:
    """Everything the page shows, from the marts of the connected warehouse."""
    as_of = _as_of_date(con)
    funnel, pql_companies = _funnel(con)
    return ReportData(
        as_of_date=as_of,
        headline=_headline(con, as_of),
        ranked=_ranked(con, top_n),
        tiers=_tiers(con),
        score_bins=_score_bins(con),
        new_pqls=_new_pqls(con, as_of, history_days) if as_of is not None else None,
        funnel=funnel,
        backtest=_backtest(con),
        signals=load_signals() if signals is None else dict(signals),
        tier_thresholds=load_tier_thresholds(),
        funnel_unit="users",
        pql_companies_in_funnel=pql_companies,
    )
