"""Hand-made raw data with known answers, run through the real Dagster job.

Companies (as of 2026-06-30):
- acme-robotics.com: 14 people sign up on their own over seven weeks, on the main domain, a
  subdomain and in upper case; three workspaces, invites accepted within hours, daily key
  actions and buying intent (seat limit, pricing, SSO). The strongest bottom-up pattern.
- bigcorp.com: as busy, but already an enterprise customer: never routed as a new lead.
- quiet-labs.co.uk (users on london.quiet-labs.co.uk): signed up in January, silent since.
- smallshop.de: two people, a little activity.
Not companies: gmail.com and yahoo.co.uk users (very active), a user on the bare public
suffix co.uk, and the product's own staff on pqlproduct.io.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli import materialize_everything
from orchestration.settings import Settings
from tests.conftest import write_raw
from tests.support import query

AS_OF = date(2026, 6, 30)
CONTRACT_COLUMNS = {
    "company_domain", "as_of_date", "score", "tier", "is_pql", "route_to_sales", "reasons",
    "reason_summary", "active_users_28d", "signups_60d", "accounts_count",
    "invites_accepted_90d", "viral_coefficient", "activation_rate",
}  # fmt: skip


def ts(day: date, hour: int = 10) -> str:
    return datetime(day.year, day.month, day.day, hour).strftime("%Y-%m-%dT%H:%M:%SZ")


class RawData:
    """Collects raw rows, with readable ids, and writes them as contract files."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {
            "users": [], "accounts": [], "memberships": [], "invites": [], "events": [],
            "subscriptions": [],
        }  # fmt: skip

    def user(self, email: str, created: date, channel: str = "organic") -> str:
        user_id = f"u{len(self.rows['users']) + 1}"
        self.rows["users"].append(
            {"user_id": user_id, "email": email, "created_at": ts(created),
             "signup_channel": channel}
        )  # fmt: skip
        return user_id

    def account(self, owner: str, created: date, members: list[str], plan: str = "free") -> str:
        account_id = f"a{len(self.rows['accounts']) + 1}"
        self.rows["accounts"].append(
            {"account_id": account_id, "created_at": ts(created), "created_by_user_id": owner,
             "plan": plan}
        )  # fmt: skip
        for user_id in [owner, *members]:
            self.rows["memberships"].append(
                {"account_id": account_id, "user_id": user_id, "joined_at": ts(created, 11)}
            )
        return account_id

    def invite(self, account: str, inviter: str, email: str, sent: date, accepted: bool) -> None:
        self.rows["invites"].append(
            {"invite_id": f"i{len(self.rows['invites']) + 1}", "account_id": account,
             "inviter_user_id": inviter, "invitee_email": email, "sent_at": ts(sent, 9),
             "accepted_at": ts(sent, 13) if accepted else None}
        )  # fmt: skip

    def events(self, user: str, account: str, name: str, days: list[date]) -> None:
        for day in days:
            self.rows["events"].append(
                {"event_id": f"e{len(self.rows['events']) + 1}", "user_id": user,
                 "account_id": account, "event_name": name, "occurred_at": ts(day, 15),
                 "received_at": ts(day, 15)}
            )  # fmt: skip

    def write(self, seeds_dir: Path, redelivered: int) -> None:
        for entity, rows in self.rows.items():
            if entity != "events":
                write_raw(seeds_dir / f"{entity}.csv", rows)
        events = self.rows["events"]
        write_raw(seeds_dir / "events" / "part-1.csv", events)
        # A later drop re-delivers some events: they must count once.
        write_raw(seeds_dir / "events" / "part-2.jsonl", events[:redelivered])


def days(start: date, end: date, step: int = 1) -> list[date]:
    return [start + timedelta(n) for n in range(0, (end - start).days + 1, step)]


def busy_company(raw: RawData, domains: list[str], prefix: str, people: int, start: date) -> None:
    users = [
        raw.user(f"{prefix}{i}@{domains[i % len(domains)]}", start + timedelta(3 * i))
        for i in range(people)
    ]
    third = people // 3
    accounts = [
        raw.account(users[0], start, users[1:third]),
        raw.account(users[third], start + timedelta(10), users[third + 1 : 2 * third]),
        raw.account(users[2 * third], start + timedelta(20), users[2 * third + 1 :]),
    ]
    for n in range(8):
        raw.invite(accounts[n % 3], users[0], f"new{n}@{domains[0]}", AS_OF - timedelta(20 + n),
                   accepted=n < 6)  # fmt: skip
    for i, user_id in enumerate(users):
        account = accounts[min(i // third, 2)]
        signed_up = start + timedelta(3 * i)
        raw.events(user_id, account, "project_created", [signed_up])
        raw.events(
            user_id, account, "document_edited", days(max(signed_up, AS_OF - timedelta(27)), AS_OF)
        )
        raw.events(user_id, account, "comment_added", days(AS_OF - timedelta(27), AS_OF, 3))
    for n, name in enumerate(
        ["seat_limit_reached"] * 5 + ["pricing_page_viewed"] * 4 + ["sso_settings_viewed"] * 2
    ):
        raw.events(users[n % people], accounts[0], name, [AS_OF - timedelta(n)])


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> tuple[Path, RawData]:
    tmp = tmp_path_factory.mktemp("known")
    raw = RawData()
    start = date(2026, 5, 1)
    busy_company(
        raw, ["acme-robotics.com", "eng.acme-robotics.com", "ACME-Robotics.com"], "dev", 14, start
    )
    busy_company(raw, ["bigcorp.com"], "emp", 15, date(2026, 3, 1))
    big_account = raw.rows["accounts"][-3]["account_id"]
    raw.rows["subscriptions"].append(
        {"subscription_id": "s1", "account_id": big_account, "plan": "enterprise",
         "started_at": ts(date(2026, 4, 1)), "seats": 200, "mrr": "9000.00"}
    )  # fmt: skip
    busy_company(raw, ["gmail.com", "yahoo.co.uk"], "someone", 12, start)
    busy_company(raw, ["pqlproduct.io"], "staff", 6, start)
    quiet = [raw.user(f"q{i}@london.quiet-labs.co.uk", date(2026, 1, 5 + i)) for i in range(5)]
    quiet_account = raw.account(quiet[0], date(2026, 1, 5), quiet[1:])
    for user_id in quiet:
        raw.events(
            user_id, quiet_account, "document_edited", days(date(2026, 1, 5), date(2026, 1, 31))
        )
    shop = [raw.user(f"s{i}@smallshop.de", date(2026, 6, 1)) for i in range(2)]
    shop_account = raw.account(shop[0], date(2026, 6, 1), shop[1:])
    raw.events(shop[1], shop_account, "document_created", days(date(2026, 6, 1), AS_OF, 7))
    bare = raw.user("someone@co.uk", start)
    raw.events(bare, raw.account(bare, start, []), "document_edited", days(start, AS_OF))
    raw.write(tmp / "seeds", redelivered=40)

    with pytest.MonkeyPatch.context() as env:
        env.setenv("PQL_SEEDS_DIR", str(tmp / "seeds"))
        env.setenv("PQL_DUCKDB_PATH", str(tmp / "warehouse.duckdb"))
        env.setenv("PQL_AS_OF", AS_OF.isoformat())
        settings = Settings.from_env()
        with dg.instance_for_test() as instance:
            result = materialize_everything(settings, instance)
    assert result.success
    return settings.duckdb_path, raw


def scores(scored: tuple[Path, RawData]) -> dict[str, dict]:
    warehouse, _ = scored
    with_columns = query(warehouse, "SELECT * FROM marts.pql_scores")
    names = [row[0] for row in query(warehouse, "DESCRIBE marts.pql_scores")]
    return {row[0]: dict(zip(names, row, strict=True)) for row in with_columns}


def test_the_strongest_bottom_up_company_ranks_first_among_prospects_hot_and_routed(scored):
    by_company = scores(scored)
    prospects = sorted(
        (row for row in by_company.values() if not row["is_paying_customer"]),
        key=lambda row: -row["score"],
    )
    top = prospects[0]
    assert top["company_domain"] == "acme-robotics.com"
    assert (top["tier"], top["is_pql"], top["route_to_sales"]) == ("hot", True, True)
    assert top["as_of_date"] == AS_OF
    assert top["reason_summary"].startswith("PQL: ")


def test_a_dormant_company_is_cold(scored):
    quiet = scores(scored)["quiet-labs.co.uk"]
    assert (quiet["tier"], quiet["route_to_sales"], quiet["active_users_28d"]) == ("cold", False, 0)


def test_a_paying_enterprise_customer_is_not_routed_but_flagged_for_expansion(scored):
    bigcorp = scores(scored)["bigcorp.com"]
    assert bigcorp["current_plan"] == "enterprise"
    assert bigcorp["route_to_sales"] is False
    assert bigcorp["is_expansion_candidate"] is True


def test_personal_mail_bare_suffixes_internal_and_subdomains_are_never_companies(scored):
    companies = set(scores(scored))
    assert companies == {"acme-robotics.com", "bigcorp.com", "quiet-labs.co.uk", "smallshop.de"}


def test_redelivered_events_count_once(scored):
    warehouse, raw = scored
    acme_users = {u["user_id"] for u in raw.rows["users"] if "acme-robotics" in u["email"].lower()}
    window_start = ts(AS_OF - timedelta(27), 0)
    expected = sum(
        1
        for e in raw.rows["events"]
        if e["user_id"] in acme_users and e["occurred_at"] >= window_start
    )
    (events_28d,) = query(
        warehouse,
        "SELECT events_28d FROM marts.companies WHERE company_domain = 'acme-robotics.com'",
    )[0]
    (duplicates,) = query(warehouse, "SELECT sum(rows_duplicate) FROM raw.load_log")[0]
    assert duplicates == 40  # the first 40 events (all acme's) were delivered twice
    assert events_28d == expected


def test_the_bi_contract_columns_of_pql_scores_are_all_there(scored):
    columns = {row[0] for row in query(scored[0], "DESCRIBE marts.pql_scores")}
    assert columns >= CONTRACT_COLUMNS
