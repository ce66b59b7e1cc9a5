"""Deliberate dirt: the rows a real raw drop contains and a loader must survive.

At ``dirt_rate`` (a share of each entity's rows, with at least :data:`MIN_ROWS_PER_KIND`
rows of each kind whenever the rate is above zero):

* re-delivered events: exact duplicates (same ``event_id``), mostly in the next day's file;
* contract-breaking rows, split evenly over the kinds that apply to an entity: a missing
  required value, an unparseable timestamp, a malformed email, an event that occurred more
  than a day after it was received, an invite accepted before it was sent, and exact
  duplicate user rows.

Late-arriving events are not added here: the delivery model already makes them (see
:mod:`.activity`); they are counted in the report. Subscriptions stay clean: they are the
conversion labels of the backtest.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from orchestration.synthetic.generator import GeneratorConfig, stream
from orchestration.synthetic.tables import EventRow, Row, Tables, sort_events

MIN_ROWS_PER_KIND = 3

BAD_TIMESTAMPS: tuple[str, ...] = (
    "2026-13-45",
    "yesterday",
    "2026-02-30T25:61:00Z",
    "31/10/2026 14:00",
    "not-a-date",
)

#: Kinds of contract-breaking rows per entity.
KINDS: dict[str, tuple[str, ...]] = {
    "users": ("missing_required", "bad_timestamp", "bad_email", "duplicate_row"),
    "accounts": ("missing_required", "bad_timestamp"),
    "memberships": ("missing_required", "bad_timestamp"),
    "invites": ("missing_required", "bad_email", "accepted_before_sent"),
    "events": ("missing_required", "bad_timestamp", "occurred_after_received"),
}


def malformed_email(email: str, rng: random.Random) -> str:
    """A broken variant of ``email``: ``bob at acme.com``, ``no-at-sign``, ``jane@``, ..."""
    local, _, domain = email.partition("@")
    variants = (
        f"{local} at {domain}",
        f"{local}{domain}",
        f"{local}@",
        f"@{domain}",
        f"{local}@@{domain}",
        f"{local}@{domain.split('.')[0]}",
        "no-at-sign",
    )
    return rng.choice(variants)


def kind_counts(rate: float, rows: int, kinds: tuple[str, ...]) -> dict[str, int]:
    """How many rows of each kind to break for an entity of ``rows`` rows."""
    if rate <= 0 or rows == 0:
        return {kind: 0 for kind in kinds}
    each = round(rate * rows / len(kinds))
    return {kind: min(rows, max(MIN_ROWS_PER_KIND, each)) for kind in kinds}


def _next_id(rows: list[Row], column: str, prefix: str, width: int) -> list[str]:
    """An endless-enough supply of IDs following the highest one in ``rows``."""
    numbers = [int(v[len(prefix) :]) for r in rows if (v := r[column]) and v.startswith(prefix)]
    top = max(numbers, default=0)
    return [f"{prefix}{top + k:0{width}d}" for k in range(1, 10_000)]


def add_dirt(tables: Tables, config: GeneratorConfig) -> dict[str, int]:
    """Inject dirt into ``tables`` in place; returns counts keyed ``entity.kind``."""
    rng = stream(config, "dirt")
    report: dict[str, int] = {}
    report.update(_dirty_users(tables, config.dirt_rate, rng))
    report.update(_dirty_accounts(tables, config.dirt_rate, rng))
    report.update(_dirty_memberships(tables, config.dirt_rate, rng))
    report.update(_dirty_invites(tables, config.dirt_rate, rng))
    report.update(_dirty_events(tables, config, rng))
    return report


def _dirty_users(tables: Tables, rate: float, rng: random.Random) -> dict[str, int]:
    rows = tables.users
    counts = kind_counts(rate, len(rows), KINDS["users"])
    if not rows:
        return {}
    fresh = iter(_next_id(rows, "user_id", "u_", 6))
    junk: list[Row] = [dict(rng.choice(rows)) for _ in range(counts["duplicate_row"])]

    def new_row() -> Row:
        template = rng.choice(rows)
        user_id = next(fresh)
        return dict(template, user_id=user_id, email=_fresh_email(template["email"], len(junk)))

    for position in range(counts["missing_required"]):
        row = new_row()
        row[("email", "created_at", "user_id")[position % 3]] = None
        junk.append(row)
    for _ in range(counts["bad_timestamp"]):
        junk.append(dict(new_row(), created_at=rng.choice(BAD_TIMESTAMPS)))
    for _ in range(counts["bad_email"]):
        row = new_row()
        row["email"] = malformed_email(row["email"] or "someone@example.com", rng)
        junk.append(row)
    _insert_sorted(rows, junk)
    return {f"users.{kind}": count for kind, count in counts.items()}


def _dirty_accounts(tables: Tables, rate: float, rng: random.Random) -> dict[str, int]:
    rows = tables.accounts
    counts = kind_counts(rate, len(rows), KINDS["accounts"])
    if not rows:
        return {}
    fresh = iter(_next_id(rows, "account_id", "a_", 6))
    junk: list[Row] = []
    for position in range(counts["missing_required"]):
        row = dict(rng.choice(rows), account_id=next(fresh))
        row[("created_at", "account_id")[position % 2]] = None
        junk.append(row)
    for _ in range(counts["bad_timestamp"]):
        junk.append(
            dict(rng.choice(rows), account_id=next(fresh), created_at=rng.choice(BAD_TIMESTAMPS))
        )
    _insert_sorted(rows, junk)
    return {f"accounts.{kind}": count for kind, count in counts.items()}


def _dirty_memberships(tables: Tables, rate: float, rng: random.Random) -> dict[str, int]:
    rows = tables.memberships
    counts = kind_counts(rate, len(rows), KINDS["memberships"])
    if not rows or not tables.users:
        return {}
    existing = {(r["account_id"], r["user_id"]) for r in rows}
    junk: list[Row] = []
    for kind, count in counts.items():
        for position in range(count):
            template = rng.choice(rows)
            user_id = rng.choice(tables.users)["user_id"]
            while (template["account_id"], user_id) in existing:
                user_id = rng.choice(tables.users)["user_id"]
            existing.add((template["account_id"], user_id))
            row = dict(template, user_id=user_id, role="member")
            if kind == "bad_timestamp":
                row["joined_at"] = rng.choice(BAD_TIMESTAMPS)
            else:
                row[("joined_at", "user_id", "account_id")[position % 3]] = None
            junk.append(row)
    _insert_sorted(rows, junk)
    return {f"memberships.{kind}": count for kind, count in counts.items()}


def _dirty_invites(tables: Tables, rate: float, rng: random.Random) -> dict[str, int]:
    rows = tables.invites
    counts = kind_counts(rate, len(rows), KINDS["invites"])
    accepted = [r for r in rows if r["accepted_at"]]
    pending = [r for r in rows if not r["accepted_at"]]
    if not accepted or not pending:
        return {}
    counts["accepted_before_sent"] = min(counts["accepted_before_sent"], len(accepted))
    for row in rng.sample(accepted, counts["accepted_before_sent"]):
        row["sent_at"], row["accepted_at"] = row["accepted_at"], row["sent_at"]
    total = min(len(pending), counts["bad_email"] + counts["missing_required"])
    chosen = rng.sample(pending, total)
    for position, row in enumerate(chosen):
        if position < counts["bad_email"]:
            row["invitee_email"] = malformed_email(row["invitee_email"] or "x@example.com", rng)
        else:
            row[("inviter_user_id", "sent_at", "invitee_email", "account_id")[position % 4]] = None
    return {f"invites.{kind}": count for kind, count in counts.items()}


def _dirty_events(tables: Tables, config: GeneratorConfig, rng: random.Random) -> dict[str, int]:
    events = tables.events
    if not events:
        return {}
    counts = kind_counts(config.dirt_rate, len(events), KINDS["events"])
    total = min(len(events), sum(counts.values()))
    chosen = sorted(rng.sample(range(len(events)), total))
    rng.shuffle(chosen)
    cursor = 0
    for kind, count in counts.items():
        for position in range(count):
            if cursor >= len(chosen):
                break
            _break_event(events[chosen[cursor]], kind, position, rng)
            cursor += 1
    redelivered = _redeliver(events, config, set(chosen[:cursor]), rng)
    sort_events(tables)
    report = {f"events.{kind}": count for kind, count in counts.items()}
    report["events.redelivered"] = redelivered
    return report


def _break_event(event: EventRow, kind: str, position: int, rng: random.Random) -> None:
    row = event.row
    if kind == "missing_required":
        row[("user_id", "event_name", "occurred_at", "event_id")[position % 4]] = None
    elif kind == "bad_timestamp":
        row["occurred_at"] = rng.choice(BAD_TIMESTAMPS)
    else:  # a client clock far ahead: occurred more than a day after it was received
        ahead = timedelta(hours=rng.uniform(26, 72))
        row["occurred_at"] = _iso(event.received_at + ahead)


def _redeliver(
    events: list[EventRow], config: GeneratorConfig, broken: set[int], rng: random.Random
) -> int:
    """Append exact duplicates of clean events, mostly to the next day's file."""
    rate = config.dirt_rate
    if rate <= 0:
        return 0
    count = min(len(events), max(MIN_ROWS_PER_KIND, round(rate * len(events))))
    clean = [i for i in range(len(events)) if i not in broken]
    duplicates = []
    for index in rng.sample(clean, min(count, len(clean))):
        original = events[index]
        day = original.day
        if rng.random() < 0.8 and day < config.end_date:
            day += timedelta(days=1)
        duplicates.append(EventRow(day, original.received_at, dict(original.row)))
    events.extend(duplicates)
    return len(duplicates)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _insert_sorted(rows: list[Row], junk: list[Row]) -> None:
    """Add ``junk`` to ``rows`` keeping the file sorted by its first column (ties stable)."""
    rows.extend(junk)
    first = next(iter(rows[0]))
    rows.sort(key=lambda r: (r[first] is None, r[first] or ""))


def _fresh_email(email: str | None, number: int) -> str:
    """Another address at the same domain, so junk rows do not reuse a real user's."""
    local, _, domain = (email or "someone@example.com").partition("@")
    return f"{local}.{number}@{domain}"
