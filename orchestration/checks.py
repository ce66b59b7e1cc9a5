"""Asset checks beyond the dbt tests: data-quality gates that protect BI users.

Each check runs inside the run, after its asset, and reads the warehouse through the
``warehouse`` resource. All are blocking: a failure (severity ERROR) fails the check's
step, so no later step of the run that depends on the checked asset runs (a publish step
must depend on the marts). Models built by the same ``dbt build`` step as the checked one
are built before the check runs. What each check means and what to do when it fails is in
docs/operations.md, "Data-quality checks".

SQL safety: values are bound parameters; table names come only from the constants of this
module (``ENTITIES`` of the raw contract, ``MART_NAMES``), never from data; column names
in ``no_raw_emails`` come from DuckDB's own catalog for those tables and are quoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import dagster as dg
import duckdb

from orchestration.raw.contract import ENTITIES, Entity
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.settings import Settings

#: Every BI-facing table in schema ``marts`` (dbt models under models/marts/).
MART_NAMES: tuple[str, ...] = (
    "pql_scores",
    "pql_score_history",
    "new_pqls",
    "companies",
    "users",
    "accounts",
    "invites",
    "inviters",
    "pql_backtest",
    "pql_backtest_summary",
)
MARTS_SCHEMA = "marts"

#: ``score_distribution``: below this many companies, one tier for everyone is plausible.
MIN_COMPANIES_FOR_TIER_SPREAD = 10
SCORE_MIN, SCORE_MAX = 0, 100

#: ``no_raw_emails``: something that looks like an email anywhere inside a text value.
EMAIL_VALUE_PATTERN = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
#: ...and column names that hold personal data (``email_domain`` is fine, ``email`` is not).
PERSONAL_COLUMN_PATTERN = re.compile(
    r"^(.*_)?(e_?mail(_address)?|full_name|first_name|last_name|person_name)$", re.IGNORECASE
)
#: DuckDB types that can hold text (nested types are scanned as their text rendering).
_TEXT_TYPE_PREFIXES = ("VARCHAR", "JSON", "STRUCT", "MAP", "UNION")


def raw_key(entity_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", entity_name])


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([MARTS_SCHEMA, name])


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    # Always fetchall: duckdb 2 keeps an unread result open and the next statement fails.
    return con.execute(sql, params or {}).fetchall()


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        _rows(
            con,
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = $schema AND table_name = $table",
            {"schema": schema, "table": table},
        )
    )


def _is_text_type(data_type: str) -> bool:
    data_type = data_type.upper()
    return data_type.startswith(_TEXT_TYPE_PREFIXES) or data_type.endswith("]")


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------- rejects_rate


def build_rejects_rate_check(entity: Entity, max_reject_rate: float) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(entity.name),
        name="rejects_rate",
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=(
            f"Share of rejected rows among the rows read in the latest load of "
            f"`{entity.name}` (every file loaded by the most recent materialization that "
            f"loaded anything) is at most {max_reject_rate:.1%} (PQL_MAX_REJECT_RATE). "
            "A higher share means the source is broken: the raw table, and with it the "
            "marts, would be missing data."
        ),
        metadata={"max_reject_rate": max_reject_rate, "scope": "latest load"},
    )
    def rejects_rate(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            if not _table_exists(con, "raw", "load_log"):
                return dg.AssetCheckResult(
                    passed=False, metadata={"problem": "raw.load_log does not exist"}
                )
            files = _rows(
                con,
                """
                SELECT load_id, source_file, rows_read, rows_rejected, loaded_at
                FROM raw.load_log
                WHERE entity = $entity
                  AND loaded_at = (SELECT max(loaded_at) FROM raw.load_log WHERE entity = $entity)
                ORDER BY load_id
                """,
                {"entity": entity.name},
            )
            reasons = _rows(
                con,
                """
                SELECT split_part(split_part(reason, '; ', 1), ':', 1) AS kind, count(*) AS n
                FROM raw.rejects
                WHERE entity = $entity AND load_id IN (
                    SELECT load_id FROM raw.load_log
                    WHERE entity = $entity AND loaded_at = (
                        SELECT max(loaded_at) FROM raw.load_log WHERE entity = $entity
                    )
                )
                GROUP BY kind ORDER BY n DESC, kind LIMIT 10
                """,
                {"entity": entity.name},
            )
        rows_read = sum(int(f[2]) for f in files)
        rows_rejected = sum(int(f[3]) for f in files)
        rate = rows_rejected / rows_read if rows_read else 0.0
        worst = sorted(files, key=lambda f: (-(f[3] / f[2] if f[2] else 0.0), f[0]))[:10]
        return dg.AssetCheckResult(
            passed=rate <= max_reject_rate,
            metadata={
                "reject_rate": float(rate),
                "max_reject_rate": float(max_reject_rate),
                "rows_read": rows_read,
                "rows_rejected": rows_rejected,
                "files_in_latest_load": len(files),
                "latest_load_at": str(files[0][4]) if files else "never loaded",
                # Reason kinds only: the full reasons quote values, which may be emails.
                "top_reject_reasons": dg.MetadataValue.json({kind: n for kind, n in reasons}),
                "worst_files": dg.MetadataValue.json(
                    [{"source_file": f[1], "rows_read": f[2], "rows_rejected": f[3]} for f in worst]
                ),
            },
        )

    return rejects_rate


# ---------------------------------------------------------------------- score_distribution


def build_score_distribution_check() -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=mart_key("pql_scores"),
        name="score_distribution",
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=(
            "marts.pql_scores is usable by sales: at least one row, no null score or tier, "
            f"every score within {SCORE_MIN}..{SCORE_MAX}, and (with at least "
            f"{MIN_COMPANIES_FOR_TIER_SPREAD} companies) not every company in the same tier."
        ),
        metadata={"min_companies_for_tier_spread": MIN_COMPANIES_FOR_TIER_SPREAD},
    )
    def score_distribution(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            if not _table_exists(con, MARTS_SCHEMA, "pql_scores"):
                return dg.AssetCheckResult(
                    passed=False, metadata={"problems": ["marts.pql_scores does not exist"]}
                )
            (rows, null_scores, null_tiers, out_of_range, tiers, low, high, mean) = _rows(
                con,
                """
                SELECT count(*),
                       count(*) FILTER (WHERE score IS NULL),
                       count(*) FILTER (WHERE tier IS NULL),
                       count(*) FILTER (WHERE score < $low OR score > $high),
                       count(DISTINCT tier),
                       min(score), max(score), avg(score)
                FROM marts.pql_scores
                """,
                {"low": SCORE_MIN, "high": SCORE_MAX},
            )[0]
            by_tier = _rows(
                con,
                "SELECT coalesce(tier, '(null)'), count(*) FROM marts.pql_scores "
                "GROUP BY 1 ORDER BY 2 DESC, 1",
            )
        problems = []
        if rows == 0:
            problems.append("no rows")
        if null_scores:
            problems.append(f"{null_scores} rows with a null score")
        if null_tiers:
            problems.append(f"{null_tiers} rows with a null tier")
        if out_of_range:
            problems.append(f"{out_of_range} scores outside {SCORE_MIN}..{SCORE_MAX}")
        if rows >= MIN_COMPANIES_FOR_TIER_SPREAD and tiers <= 1:
            problems.append(f"all {rows} companies are in one tier")
        return dg.AssetCheckResult(
            passed=not problems,
            metadata={
                "problems": dg.MetadataValue.json(problems),
                "rows": int(rows),
                "companies_per_tier": dg.MetadataValue.json({t: int(n) for t, n in by_tier}),
                "score_min": None if low is None else float(low),
                "score_max": None if high is None else float(high),
                "score_mean": None if mean is None else round(float(mean), 2),
            },
        )

    return score_distribution


# ------------------------------------------------------------------------ row_count_change


def build_row_count_change_check(max_change: float) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=mart_key("pql_scores"),
        name="row_count_change",
        blocking=True,
        pool=WAREHOUSE_POOL,
        additional_deps=[mart_key("pql_score_history")],
        description=(
            "The number of companies in marts.pql_scores differs by at most "
            f"{max_change:.0%} (PQL_MAX_ROW_COUNT_CHANGE) from the previous scoring day "
            "in marts.pql_score_history. A jump or a collapse usually means a broken "
            "load or a domain-resolution change, not a real market change."
        ),
        metadata={"max_row_count_change": max_change},
    )
    def row_count_change(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            if not _table_exists(con, MARTS_SCHEMA, "pql_scores"):
                return dg.AssetCheckResult(
                    passed=False, metadata={"problem": "marts.pql_scores does not exist"}
                )
            (rows, as_of) = _rows(con, "SELECT count(*), max(as_of_date) FROM marts.pql_scores")[0]
            previous = []
            if as_of is not None and _table_exists(con, MARTS_SCHEMA, "pql_score_history"):
                previous = _rows(
                    con,
                    """
                    SELECT as_of_date, count(*) FROM marts.pql_score_history
                    WHERE as_of_date = (
                        SELECT max(as_of_date) FROM marts.pql_score_history
                        WHERE as_of_date < $as_of
                    )
                    GROUP BY as_of_date
                    """,
                    {"as_of": as_of},
                )
        metadata: dict[str, object] = {
            "rows": int(rows),
            "as_of_date": str(as_of),
            "max_row_count_change": float(max_change),
        }
        if not previous:
            metadata["note"] = "no previous scoring day in marts.pql_score_history"
            return dg.AssetCheckResult(passed=True, metadata=metadata)
        previous_date, previous_rows = previous[0]
        change = (int(rows) - int(previous_rows)) / int(previous_rows)
        metadata.update(
            previous_as_of_date=str(previous_date),
            previous_rows=int(previous_rows),
            change=round(change, 4),
        )
        return dg.AssetCheckResult(passed=abs(change) <= max_change, metadata=metadata)

    return row_count_change


# --------------------------------------------------------------------------- no_raw_emails


def build_no_raw_emails_check(mart_name: str) -> dg.AssetChecksDefinition:
    if mart_name not in MART_NAMES:
        raise ValueError(f"{mart_name!r} is not one of MART_NAMES")

    @dg.asset_check(
        asset=mart_key(mart_name),
        name="no_raw_emails",
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=(
            f"marts.{mart_name} holds no personal data for BI users: no text value that "
            "looks like an email address, and no text column named like email / full_name / "
            "first_name / last_name (email_domain or is_personal_email are fine)."
        ),
        metadata={"email_pattern": EMAIL_VALUE_PATTERN},
    )
    def no_raw_emails(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            if not _table_exists(con, MARTS_SCHEMA, mart_name):
                return dg.AssetCheckResult(
                    passed=False, metadata={"problem": f"marts.{mart_name} does not exist"}
                )
            columns = _rows(
                con,
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = $schema AND table_name = $table ORDER BY ordinal_position",
                {"schema": MARTS_SCHEMA, "table": mart_name},
            )
            text_columns = [name for name, data_type in columns if _is_text_type(data_type)]
            counts: list[int] = []
            if text_columns:
                filters = ", ".join(
                    "count(*) FILTER (WHERE regexp_matches("
                    f"CAST({_quote_identifier(name)} AS VARCHAR), $pattern))"
                    for name in text_columns
                )
                # mart_name is one of MART_NAMES (checked above), never data.
                counts = list(
                    _rows(
                        con,
                        f"SELECT {filters} FROM {MARTS_SCHEMA}.{_quote_identifier(mart_name)}",
                        {"pattern": EMAIL_VALUE_PATTERN},
                    )[0]
                )
        # Only text columns can hold an address or a name (a boolean is_personal_email can't).
        personal_names = [name for name in text_columns if PERSONAL_COLUMN_PATTERN.match(name)]
        with_emails = {name: int(n) for name, n in zip(text_columns, counts, strict=True) if n}
        return dg.AssetCheckResult(
            passed=not personal_names and not with_emails,
            metadata={
                "columns": len(columns),
                "text_columns_scanned": len(text_columns),
                "personal_column_names": dg.MetadataValue.json(personal_names),
                # Counts only: the offending values are never copied into Dagster's log.
                "rows_with_email_like_values": dg.MetadataValue.json(with_emails),
            },
        )

    return no_raw_emails


# ---------------------------------------------------------------------------------- all


def build_checks(settings: Settings | None = None) -> list[dg.AssetChecksDefinition]:
    """Every check of this module; thresholds from ``settings`` (default: the environment)."""
    settings = settings or Settings.from_env()
    checks: list[dg.AssetChecksDefinition] = [
        build_rejects_rate_check(entity, settings.max_reject_rate) for entity in ENTITIES
    ]
    checks.append(build_score_distribution_check())
    checks.append(build_row_count_change_check(settings.max_row_count_change))
    checks.extend(build_no_raw_emails_check(name) for name in MART_NAMES)
    return checks


def check_keys(checks: Sequence[dg.AssetChecksDefinition]) -> set[tuple[str, str]]:
    """``{(asset key, check name)}`` of some checks, for tests and wiring assertions."""
    return {
        (key.asset_key.to_user_string(), key.name) for check in checks for key in check.check_keys
    }
