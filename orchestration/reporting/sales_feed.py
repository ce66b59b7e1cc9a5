"""The daily sales feed: today's new PQLs with a contact, as CSV and JSON files.

PERSONAL DATA NOTICE. This feed is the ONE place where raw emails (and full names) leave
the warehouse: every mart is free of them (a blocking check enforces it), and this module
adds, per company, one contact read from ``staging.stg_product__users``. The files are
meant for the sales / growth team's CRM import only; do not copy them to BI tools, shared
drives or tickets, and delete old files according to the retention rules of the team.
The JSON file carries the notice in its ``_notice`` field; docs/reports.md says the same.

What is in the feed (for the as-of date D, the newest day of ``marts.pql_scores``):

- the rows of ``marts.new_pqls`` of day D that are routed to sales or are expansion
  candidates, with ``lead_type`` ``new_lead`` (``route_to_sales``: a PQL not paying yet) or
  ``expansion`` (a PQL that already pays);
- the reasons: a JSON array in the JSON file (kept structured), its JSON text in the CSV;
- a contact per company: the company's most active user over the 28 days ending on D
  (most events in ``intermediate.int_user_activity_daily``, counting only events known by
  the end of D), ties broken by the smallest ``user_id``; a company whose users had no
  event in the window still gets its smallest ``user_id``. The company of a user comes
  from ``marts.users``; email and name from ``staging.stg_product__users``.

Files: ``<feed dir>/new_pqls_<D>.csv`` and ``new_pqls_<D>.json``, each written to a
temporary file in the same folder and moved in place with ``os.replace``. On a day with
no new PQL both files are still written (a CSV with only its header, a JSON with an empty
``leads`` list), so that downstream knows the feed ran.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from orchestration.reporting.files import atomic_write_text, connect_read_only

CONTACT_WINDOW_DAYS = 28
LEAD_TYPE_NEW = "new_lead"
LEAD_TYPE_EXPANSION = "expansion"

PII_NOTICE = (
    "Contains personal data: contact_email and contact_full_name are raw personal data "
    "of one user per company. This sales feed is the only place raw emails leave the PQL "
    "warehouse. For the sales team's CRM import only: do not share, publish or load it "
    "into BI tools; delete it when it is no longer needed. See docs/reports.md."
)

#: The columns of both files, in order (the JSON rows use the same keys).
FEED_COLUMNS: tuple[str, ...] = (
    "as_of_date",
    "company_domain",
    "lead_type",
    "score",
    "tier",
    "previous_score",
    "previous_tier",
    "reason_summary",
    "reasons",
    "users_total",
    "active_users_28d",
    "current_plan",
    "contact_user_id",
    "contact_email",
    "contact_full_name",
    "contact_events_28d",
)

#: Tables the feed reads (the feed asset depends on each).
FEED_SOURCES: tuple[tuple[str, str], ...] = (
    ("marts", "new_pqls"),
    ("marts", "pql_scores"),
    ("marts", "users"),
    ("intermediate", "int_user_activity_daily"),
    ("staging", "stg_product__users"),
)


@dataclass(frozen=True)
class FeedRow:
    as_of_date: date
    company_domain: str
    lead_type: str
    score: int
    tier: str
    previous_score: int | None
    previous_tier: str | None
    reason_summary: str
    reasons: list[dict[str, Any]]
    users_total: int | None
    active_users_28d: int | None
    current_plan: str | None
    contact_user_id: str | None
    contact_email: str | None
    contact_full_name: str | None
    contact_events_28d: int | None


@dataclass(frozen=True)
class SalesFeedFiles:
    as_of_date: date
    csv_path: Path
    json_path: Path
    rows: tuple[FeedRow, ...]

    @property
    def new_leads(self) -> int:
        return sum(1 for row in self.rows if row.lead_type == LEAD_TYPE_NEW)

    @property
    def expansions(self) -> int:
        return sum(1 for row in self.rows if row.lead_type == LEAD_TYPE_EXPANSION)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def feed_as_of_date(con: duckdb.DuckDBPyConnection) -> date:
    """The scoring date of the marts (the newest day of ``marts.pql_scores``)."""
    (as_of,) = _rows(con, "SELECT max(as_of_date) FROM marts.pql_scores")[0]
    if as_of is None:
        raise ValueError("marts.pql_scores is empty: nothing is scored, no feed to write")
    return as_of


FEED_SQL = """
WITH feed AS (
    SELECT *
    FROM marts.new_pqls
    WHERE as_of_date = $as_of
      AND (route_to_sales OR coalesce(is_expansion_candidate, false))
),
activity AS (
    SELECT user_id, sum(events) AS events
    FROM intermediate.int_user_activity_daily
    WHERE occurred_date BETWEEN $window_start AND $as_of
      AND known_date <= $as_of
    GROUP BY user_id
),
candidates AS (
    SELECT
        users.company_domain,
        users.user_id,
        coalesce(activity.events, 0) AS events,
        row_number() OVER (
            PARTITION BY users.company_domain
            ORDER BY coalesce(activity.events, 0) DESC, users.user_id ASC
        ) AS position
    FROM marts.users AS users
    LEFT JOIN activity ON activity.user_id = users.user_id
    WHERE users.company_domain IN (SELECT company_domain FROM feed)
),
contacts AS (
    SELECT
        candidates.company_domain,
        candidates.user_id,
        candidates.events,
        people.email,
        people.full_name
    FROM candidates
    LEFT JOIN (
        SELECT user_id, any_value(email) AS email, any_value(full_name) AS full_name
        FROM staging.stg_product__users
        GROUP BY user_id
    ) AS people ON people.user_id = candidates.user_id
    WHERE candidates.position = 1
)
SELECT
    feed.as_of_date,
    feed.company_domain,
    coalesce(feed.is_expansion_candidate, false) AS is_expansion,
    feed.score,
    feed.tier,
    feed.previous_score,
    feed.previous_tier,
    feed.reason_summary,
    feed.reasons,
    feed.users_total,
    feed.active_users_28d,
    feed.current_plan,
    contacts.user_id,
    contacts.email,
    contacts.full_name,
    contacts.events
FROM feed
LEFT JOIN contacts ON contacts.company_domain = feed.company_domain
ORDER BY feed.score DESC, feed.company_domain
"""


def _reasons(text: str | None) -> list[dict[str, Any]]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return [{"unparsed": text}]
    return value if isinstance(value, list) else [value]


def load_feed_rows(
    con: duckdb.DuckDBPyConnection, as_of: date, window_days: int = CONTACT_WINDOW_DAYS
) -> tuple[FeedRow, ...]:
    """The feed rows of ``as_of``: new leads and expansions, each with its contact."""
    rows = _rows(
        con,
        FEED_SQL,
        {"as_of": as_of, "window_start": as_of - timedelta(days=window_days - 1)},
    )
    return tuple(
        FeedRow(
            as_of_date=row[0],
            company_domain=row[1],
            lead_type=LEAD_TYPE_EXPANSION if row[2] else LEAD_TYPE_NEW,
            score=int(row[3]),
            tier=row[4],
            previous_score=row[5],
            previous_tier=row[6],
            reason_summary=row[7],
            reasons=_reasons(row[8]),
            users_total=row[9],
            active_users_28d=row[10],
            current_plan=row[11],
            contact_user_id=row[12],
            contact_email=row[13],
            contact_full_name=row[14],
            contact_events_28d=None if row[15] is None else int(row[15]),
        )
        for row in rows
    )


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def render_csv(rows: tuple[FeedRow, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FEED_COLUMNS)
    for row in rows:
        values = asdict(row)
        values["reasons"] = json.dumps(row.reasons, separators=(", ", ": "))
        writer.writerow(["" if values[c] is None else _json_value(values[c]) for c in FEED_COLUMNS])
    return buffer.getvalue()


def render_json(as_of: date, rows: tuple[FeedRow, ...]) -> str:
    document = {
        "_notice": PII_NOTICE,
        "feed": "new_pqls",
        "as_of_date": as_of.isoformat(),
        "source": "marts.new_pqls (+ contact: marts.users, "
        "intermediate.int_user_activity_daily, staging.stg_product__users)",
        "contact_rule": (
            f"the company's user with the most events in the {CONTACT_WINDOW_DAYS} days "
            "ending on as_of_date (events known by then); ties: smallest user_id"
        ),
        "columns": list(FEED_COLUMNS),
        "row_count": len(rows),
        "new_leads": sum(1 for r in rows if r.lead_type == LEAD_TYPE_NEW),
        "expansions": sum(1 for r in rows if r.lead_type == LEAD_TYPE_EXPANSION),
        "leads": [{c: _json_value(getattr(row, c)) for c in FEED_COLUMNS} for row in rows],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def feed_paths(feed_dir: Path, as_of: date) -> tuple[Path, Path]:
    stem = f"new_pqls_{as_of.isoformat()}"
    return feed_dir / f"{stem}.csv", feed_dir / f"{stem}.json"


def write_sales_feed(
    con: duckdb.DuckDBPyConnection, feed_dir: str | Path, as_of: date | None = None
) -> SalesFeedFiles:
    """Write ``new_pqls_<as_of>.csv`` and ``.json`` into ``feed_dir`` (atomically)."""
    as_of = as_of or feed_as_of_date(con)
    rows = load_feed_rows(con, as_of)
    csv_path, json_path = feed_paths(Path(feed_dir), as_of)
    atomic_write_text(csv_path, render_csv(rows))
    atomic_write_text(json_path, render_json(as_of, rows))
    return SalesFeedFiles(as_of_date=as_of, csv_path=csv_path, json_path=json_path, rows=rows)


def build_sales_feed(
    duckdb_path: str | Path, feed_dir: str | Path, as_of: date | None = None
) -> SalesFeedFiles:
    """Open the warehouse read-only and write the feed files."""
    with connect_read_only(duckdb_path) as con:
        return write_sales_feed(con, feed_dir, as_of)
