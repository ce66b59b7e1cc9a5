"""Rendering the model and its events as raw rows of text (PRODUCT.md section 5).

Every value is text (or None for an empty value). Timestamps are ISO-8601: mostly UTC
with ``Z``, about 5 % with the author's local offset (``+02:00``, ``-05:00``) for the same
instant, and about 1.5 % with no offset at all (which the contract reads as UTC).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from orchestration.synthetic import names
from orchestration.synthetic.activity import EventRecord
from orchestration.synthetic.generator import Model, stream

Row = dict[str, str | None]

#: Columns of each entity, in file order: the required then optional columns of the contract.
COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("user_id", "email", "created_at", "full_name", "signup_channel"),
    "accounts": ("account_id", "created_at", "account_name", "created_by_user_id", "plan"),
    "memberships": ("account_id", "user_id", "joined_at", "role"),
    "invites": (
        "invite_id",
        "account_id",
        "inviter_user_id",
        "invitee_email",
        "sent_at",
        "accepted_at",
        "accepted_user_id",
    ),
    "events": (
        "event_id",
        "user_id",
        "event_name",
        "occurred_at",
        "account_id",
        "received_at",
        "properties",
    ),
    "subscriptions": (
        "subscription_id",
        "account_id",
        "plan",
        "started_at",
        "seats",
        "mrr",
        "ended_at",
    ),
}

#: Entities written as one file each; events are written as one file per day.
SINGLE_FILE_ENTITIES: tuple[str, ...] = (
    "users",
    "accounts",
    "memberships",
    "invites",
    "subscriptions",
)

OFFSET_SHARE = 0.05
NAIVE_SHARE = 0.015


@dataclass
class EventRow:
    """An event row and the day of the file it is delivered in."""

    day: date
    received_at: datetime
    row: Row


@dataclass
class Tables:
    """All raw rows of one generation, before writing."""

    users: list[Row] = field(default_factory=list)
    accounts: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    invites: list[Row] = field(default_factory=list)
    subscriptions: list[Row] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)

    def single(self, entity: str) -> list[Row]:
        """The rows of a single-file entity."""
        rows: list[Row] = getattr(self, entity)
        return rows


class TimestampFormatter:
    """Formats UTC datetimes as ISO-8601 text with occasional offsets or none."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, moment: datetime | None, tz_offset: int = 0) -> str | None:
        if moment is None:
            return None
        roll = self.rng.random()
        if roll < OFFSET_SHARE:
            offset = tz_offset or self.rng.choice(names.FALLBACK_OFFSETS)
            return iso_with_offset(moment, offset)
        if roll < OFFSET_SHARE + NAIVE_SHARE:
            return moment.strftime("%Y-%m-%dT%H:%M:%S")
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_with_offset(moment: datetime, offset_minutes: int) -> str:
    """``moment`` (UTC) written as local time with an explicit ``+HH:MM`` offset."""
    local = moment + timedelta(minutes=offset_minutes)
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{local.strftime('%Y-%m-%dT%H:%M:%S')}{sign}{hours:02d}:{minutes:02d}"


def _money(value: float) -> str:
    return f"{value:.2f}"


def build_tables(model: Model, events: list[EventRecord]) -> Tables:
    """Render the model and events as rows, each entity sorted by its key."""
    ts = TimestampFormatter(stream(model.config, "timestamps"))
    tables = Tables()
    end = model.config.window_end - timedelta(seconds=1)
    for user in sorted(model.users, key=lambda u: u.user_id):
        full_name = user.full_name if ts.rng.random() > 0.03 else None
        tables.users.append(
            {
                "user_id": user.user_id,
                "email": user.email,
                "created_at": ts(user.created_at, user.org.tz_offset),
                "full_name": full_name,
                "signup_channel": user.channel,
            }
        )
    for account in sorted(model.accounts, key=lambda a: a.account_id):
        tables.accounts.append(
            {
                "account_id": account.account_id,
                "created_at": ts(account.created_at, account.org.tz_offset),
                "account_name": account.name,
                "created_by_user_id": account.created_by.user_id if account.created_by else None,
                "plan": account.plan_at(end),
            }
        )
    for m in sorted(model.memberships, key=lambda m: (m.account.account_id, m.user.user_id)):
        tables.memberships.append(
            {
                "account_id": m.account.account_id,
                "user_id": m.user.user_id,
                "joined_at": ts(m.joined_at, m.user.org.tz_offset),
                "role": m.role,
            }
        )
    for invite in sorted(model.invites, key=lambda i: i.invite_id):
        offset = invite.inviter.org.tz_offset
        accepted = invite.accepted_user
        tables.invites.append(
            {
                "invite_id": invite.invite_id,
                "account_id": invite.account.account_id,
                "inviter_user_id": invite.inviter.user_id,
                "invitee_email": invite.email,
                "sent_at": ts(invite.sent_at, offset),
                "accepted_at": ts(invite.accepted_at, offset),
                "accepted_user_id": accepted.user_id if accepted else None,
            }
        )
    for sub in sorted(model.subscriptions, key=lambda s: s.subscription_id):
        tables.subscriptions.append(
            {
                "subscription_id": sub.subscription_id,
                "account_id": sub.account.account_id,
                "plan": sub.plan,
                "started_at": ts(sub.started_at),
                "seats": str(sub.seats),
                "mrr": _money(sub.mrr),
                "ended_at": ts(sub.ended_at),
            }
        )
    for event in events:
        offset = event.user.org.tz_offset
        row: Row = {
            "event_id": event.event_id,
            "user_id": event.user.user_id,
            "event_name": event.name,
            "occurred_at": ts(event.occurred_at, offset),
            "account_id": event.account.account_id if event.account else None,
            "received_at": ts(event.received_at, offset),
            "properties": event.properties,
        }
        tables.events.append(EventRow(event.received_at.date(), event.received_at, row))
    sort_events(tables)
    return tables


def sort_events(tables: Tables) -> None:
    """Order event rows by delivery day, then arrival time, then event id."""
    tables.events.sort(key=lambda e: (e.day, e.received_at, e.row["event_id"] or ""))
