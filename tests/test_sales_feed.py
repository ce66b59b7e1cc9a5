"""The sales feed on a tiny hand-made warehouse: companies, lead types, contacts, files."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.reporting.sales_feed import (
    FEED_COLUMNS,
    PII_NOTICE,
    build_sales_feed,
    feed_paths,
)

AS_OF = date(2026, 10, 30)

SCHEMA = """
CREATE SCHEMA marts;
CREATE SCHEMA intermediate;
CREATE SCHEMA staging;
CREATE TABLE marts.pql_scores (company_domain VARCHAR, as_of_date DATE);
CREATE TABLE marts.new_pqls (
    company_domain VARCHAR, as_of_date DATE, score INTEGER, tier VARCHAR,
    route_to_sales BOOLEAN, is_expansion_candidate BOOLEAN, reasons VARCHAR,
    reason_summary VARCHAR, previous_score INTEGER, previous_tier VARCHAR,
    users_total BIGINT, active_users_28d BIGINT, current_plan VARCHAR
);
CREATE TABLE marts.users (user_id VARCHAR, company_domain VARCHAR);
CREATE TABLE intermediate.int_user_activity_daily (
    user_id VARCHAR, occurred_date DATE, known_date DATE, events BIGINT
);
CREATE TABLE staging.stg_product__users (user_id VARCHAR, email VARCHAR, full_name VARCHAR);
"""

ACME_REASONS = [
    {"signal": "active_users_28d", "value": 12, "points": 16.0},
    {"signal": "activation_rate", "value": 0.75, "points": 9.4},
]
BIGCO_REASONS = [{"signal": "buying_intent_events_28d", "value": 11, "points": 20.0}]


def new_pql(domain, score, routed, expansion, reasons, day=AS_OF, plan="free"):
    return (
        domain,
        day,
        score,
        "hot",
        routed,
        expansion,
        json.dumps(reasons),
        f"PQL: {domain} summary, with a comma",
        None,
        None,
        5,
        4,
        plan,
    )


def make_warehouse(path: Path, new_pqls: list[tuple]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(SCHEMA)
        con.execute(
            "INSERT INTO marts.pql_scores VALUES ('acme.com', $d), ('bigco.io', $d)", {"d": AS_OF}
        )
        if new_pqls:
            con.executemany(
                "INSERT INTO marts.new_pqls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new_pqls,
            )
        con.executemany(
            "INSERT INTO marts.users VALUES (?, ?)",
            [
                ("a-1", "acme.com"),
                ("a-2", "acme.com"),
                ("a-3", "acme.com"),
                ("a-4", "acme.com"),
                ("b-1", "bigco.io"),
                ("b-2", "bigco.io"),
                ("q-2", "quiet.dev"),
                ("q-1", "quiet.dev"),
                ("x-1", "other.org"),
                ("p-1", None),  # a personal email: no company
            ],
        )
        d = date
        con.executemany(
            "INSERT INTO intermediate.int_user_activity_daily VALUES (?, ?, ?, ?)",
            [
                # a-1 and a-2 tie on 10 events in the window: a-1 wins by user_id.
                ("a-1", d(2026, 10, 29), d(2026, 10, 29), 6),
                ("a-1", d(2026, 10, 3), d(2026, 10, 3), 4),  # first day of the 28-day window
                ("a-2", d(2026, 10, 30), d(2026, 10, 30), 10),
                ("a-3", d(2026, 10, 2), d(2026, 10, 2), 50),  # one day before the window
                ("a-4", d(2026, 10, 29), d(2026, 10, 31), 30),  # known after the as-of date
                ("a-4", d(2026, 10, 31), d(2026, 10, 31), 30),  # after the as-of date
                ("b-1", d(2026, 10, 20), d(2026, 10, 20), 3),
                ("b-2", d(2026, 10, 21), d(2026, 10, 21), 7),
                ("x-1", d(2026, 10, 21), d(2026, 10, 21), 99),  # another company
                ("p-1", d(2026, 10, 21), d(2026, 10, 21), 99),  # no company
            ],
        )
        con.executemany(
            "INSERT INTO staging.stg_product__users VALUES (?, ?, ?)",
            [
                ("a-1", "ada@acme.com", "Ada Lovelace"),
                ("a-2", "alan@eng.acme.com", "Alan Turing"),
                ("a-3", "grace@acme.com", "Grace Hopper"),
                ("a-4", "late@acme.com", "Late Arrival"),
                ("b-1", "bob@bigco.io", "Bob"),
                ("b-2", "barbara@bigco.io", "Barbara Liskov"),
                ("q-1", "quinn@quiet.dev", "Quinn, Q."),
                ("q-2", "quincy@quiet.dev", "Quincy"),
                ("x-1", "xavier@other.org", "Xavier"),
                ("p-1", "someone@gmail.com", "Someone"),
            ],
        )
    return path


@pytest.fixture
def busy_day(tmp_path: Path) -> Path:
    return make_warehouse(
        tmp_path / "warehouse.duckdb",
        [
            new_pql("acme.com", 81, True, False, ACME_REASONS),
            new_pql("bigco.io", 90, False, True, BIGCO_REASONS, plan="business"),
            new_pql("quiet.dev", 72, True, False, []),
            # Neither routed nor expansion: not in the feed.
            new_pql("neither.net", 75, False, False, []),
            # Another day: not in the feed of AS_OF.
            new_pql("yesterday.com", 85, True, False, [], day=date(2026, 10, 29)),
        ],
    )


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_the_feed_holds_new_leads_and_expansions_with_the_most_active_contact(
    busy_day: Path, tmp_path: Path
):
    feed_dir = tmp_path / "feeds"
    feed = build_sales_feed(busy_day, feed_dir)

    assert feed.as_of_date == AS_OF
    assert (feed.csv_path, feed.json_path) == feed_paths(feed_dir, AS_OF)
    assert feed.csv_path.name == "new_pqls_2026-10-30.csv"
    assert (feed.new_leads, feed.expansions) == (2, 1)

    expected = [
        # company, lead type, contact user, email, name, events in the 28 days
        ("bigco.io", "expansion", "b-2", "barbara@bigco.io", "Barbara Liskov", 7),
        ("acme.com", "new_lead", "a-1", "ada@acme.com", "Ada Lovelace", 10),
        ("quiet.dev", "new_lead", "q-1", "quinn@quiet.dev", "Quinn, Q.", 0),
    ]

    header, rows = read_csv(feed.csv_path)
    assert header == list(FEED_COLUMNS)
    assert [
        (
            r["company_domain"],
            r["lead_type"],
            r["contact_user_id"],
            r["contact_email"],
            r["contact_full_name"],
            int(r["contact_events_28d"]),
        )
        for r in rows
    ] == expected
    assert {r["as_of_date"] for r in rows} == {"2026-10-30"}
    # The reasons are JSON text in the CSV, and read back to the same structure.
    acme = next(r for r in rows if r["company_domain"] == "acme.com")
    assert json.loads(acme["reasons"]) == ACME_REASONS
    assert acme["reason_summary"] == "PQL: acme.com summary, with a comma"

    document = json.loads(feed.json_path.read_text(encoding="utf-8"))
    assert document["_notice"] == PII_NOTICE
    assert "only place raw emails leave" in document["_notice"]
    assert document["as_of_date"] == "2026-10-30"
    assert (document["row_count"], document["new_leads"], document["expansions"]) == (3, 2, 1)
    leads = document["leads"]
    assert [
        (
            lead["company_domain"],
            lead["lead_type"],
            lead["contact_user_id"],
            lead["contact_email"],
            lead["contact_full_name"],
            lead["contact_events_28d"],
        )
        for lead in leads
    ] == expected
    by_company = {lead["company_domain"]: lead for lead in leads}
    # The reasons stay structured in the JSON file: a list of objects, not a string.
    assert by_company["acme.com"]["reasons"] == ACME_REASONS
    assert by_company["bigco.io"]["reasons"] == BIGCO_REASONS
    assert by_company["quiet.dev"]["reasons"] == []
    assert by_company["bigco.io"]["score"] == 90
    assert by_company["bigco.io"]["current_plan"] == "business"
    assert set(leads[0]) == set(FEED_COLUMNS)


def test_a_day_without_new_pqls_still_writes_both_files(tmp_path: Path):
    warehouse = make_warehouse(
        tmp_path / "warehouse.duckdb",
        [new_pql("yesterday.com", 85, True, False, [], day=date(2026, 10, 29))],
    )
    feed = build_sales_feed(warehouse, tmp_path / "feeds")

    assert feed.as_of_date == AS_OF
    assert feed.rows == ()
    assert feed.csv_path.read_text(encoding="utf-8") == ",".join(FEED_COLUMNS) + "\n"
    document = json.loads(feed.json_path.read_text(encoding="utf-8"))
    assert document["leads"] == []
    assert document["row_count"] == 0
    assert document["_notice"] == PII_NOTICE


def test_files_are_replaced_whole_and_no_temporary_file_is_left(busy_day: Path, tmp_path: Path):
    feed_dir = tmp_path / "feeds"
    first = build_sales_feed(busy_day, feed_dir)
    first_bytes = (first.csv_path.read_bytes(), first.json_path.read_bytes())
    second = build_sales_feed(busy_day, feed_dir)

    assert (second.csv_path.read_bytes(), second.json_path.read_bytes()) == first_bytes
    assert sorted(p.name for p in feed_dir.iterdir()) == [
        "new_pqls_2026-10-30.csv",
        "new_pqls_2026-10-30.json",
    ]


def test_an_explicit_as_of_date_picks_that_day(busy_day: Path, tmp_path: Path):
    feed = build_sales_feed(busy_day, tmp_path / "feeds", as_of=date(2026, 10, 29))
    assert [row.company_domain for row in feed.rows] == ["yesterday.com"]
    assert feed.csv_path.name == "new_pqls_2026-10-29.csv"


def test_the_feed_reads_the_warehouse_read_only(busy_day: Path, tmp_path: Path):
    # DuckDB refuses, in one process, a read-write connection to a file that is open
    # read-only: the feed succeeding while a read-only connection is open proves it reads
    # read-only.
    with duckdb.connect(str(busy_day), read_only=True) as reader:
        feed = build_sales_feed(busy_day, tmp_path / "feeds")
        with pytest.raises(duckdb.Error):
            duckdb.connect(str(busy_day)).close()
        assert reader.execute("SELECT count(*) FROM marts.new_pqls").fetchall() == [(5,)]
    assert len(feed.rows) == 3
