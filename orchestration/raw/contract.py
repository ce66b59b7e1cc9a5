"""The raw data contract (PRODUCT.md section 5), declared in one place.

Every rule the loader applies is derived from these declarations: which columns an
entity must have, how each value is parsed, what its natural key is, and which
cross-column rules make a row unusable. To map another source (for example a Segment
export) onto the contract, add aliases here; the loader needs no change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum


class Kind(StrEnum):
    """How a raw text value is parsed and validated."""

    ID = "id"  # non-empty text, trimmed
    TEXT = "text"  # free text, trimmed, empty -> null
    EMAIL = "email"  # must look like local@domain.tld
    TIMESTAMP = "timestamp"  # ISO-8601; no offset means UTC; stored as UTC
    INTEGER = "integer"
    DECIMAL = "decimal"
    JSON = "json"  # JSON text (event properties)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row; `violation_sql` is true when the row breaks it.

    The SQL is a constant written here, over the entity's own contract column names
    (already parsed to their kinds). It never contains text from a file.
    """

    reason: str
    violation_sql: str


@dataclass(frozen=True)
class Entity:
    name: str
    natural_key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[RowRule, ...] = field(default=())

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


#: Events may be stamped a little ahead of the clock that received them.
CLOCK_SKEW_ALLOWANCE = timedelta(minutes=10)

#: A value is a plausible email when it matches this (checked after trimming).
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"

ENTITIES: tuple[Entity, ...] = (
    Entity(
        name="users",
        natural_key=("user_id",),
        columns=(
            Column("user_id", Kind.ID, required=True),
            Column("email", Kind.EMAIL, required=True),
            Column("created_at", Kind.TIMESTAMP, required=True),
            Column("full_name", Kind.TEXT),
            Column("signup_channel", Kind.TEXT),
        ),
    ),
    Entity(
        name="accounts",
        natural_key=("account_id",),
        columns=(
            Column("account_id", Kind.ID, required=True),
            Column("created_at", Kind.TIMESTAMP, required=True),
            Column("account_name", Kind.TEXT),
            Column("created_by_user_id", Kind.ID),
            Column("plan", Kind.TEXT),
        ),
    ),
    Entity(
        name="memberships",
        natural_key=("account_id", "user_id"),
        columns=(
            Column("account_id", Kind.ID, required=True),
            Column("user_id", Kind.ID, required=True),
            Column("joined_at", Kind.TIMESTAMP, required=True),
            Column("role", Kind.TEXT),
        ),
    ),
    Entity(
        name="invites",
        natural_key=("invite_id",),
        columns=(
            Column("invite_id", Kind.ID, required=True),
            Column("account_id", Kind.ID, required=True),
            Column("inviter_user_id", Kind.ID, required=True),
            Column("invitee_email", Kind.EMAIL, required=True),
            Column("sent_at", Kind.TIMESTAMP, required=True),
            Column("accepted_at", Kind.TIMESTAMP),
            Column("accepted_user_id", Kind.ID),
        ),
        rules=(
            RowRule(
                reason="invite accepted before it was sent",
                violation_sql="accepted_at < sent_at",
            ),
        ),
    ),
    Entity(
        name="events",
        natural_key=("event_id",),
        columns=(
            Column("event_id", Kind.ID, required=True),
            Column("user_id", Kind.ID, required=True),
            Column("event_name", Kind.TEXT, required=True),
            Column("occurred_at", Kind.TIMESTAMP, required=True),
            Column("account_id", Kind.ID),
            Column("received_at", Kind.TIMESTAMP),
            Column("properties", Kind.JSON),
        ),
        rules=(
            RowRule(
                reason="event occurs after it was received (beyond clock-skew allowance)",
                violation_sql="occurred_at > received_at + $clock_skew",
            ),
            RowRule(
                reason="event occurs in the future (beyond clock-skew allowance)",
                violation_sql="occurred_at > $load_started_at + $clock_skew",
            ),
        ),
    ),
    Entity(
        name="subscriptions",
        natural_key=("subscription_id",),
        columns=(
            Column("subscription_id", Kind.ID, required=True),
            Column("account_id", Kind.ID, required=True),
            Column("plan", Kind.TEXT, required=True),
            Column("started_at", Kind.TIMESTAMP, required=True),
            Column("seats", Kind.INTEGER),
            Column("mrr", Kind.DECIMAL),
            Column("ended_at", Kind.TIMESTAMP),
        ),
        rules=(
            RowRule(
                reason="subscription ends before it starts",
                violation_sql="ended_at < started_at",
            ),
        ),
    ),
)

ENTITY_NAMES: tuple[str, ...] = tuple(e.name for e in ENTITIES)

#: Accepted raw file formats, by file suffix.
FILE_FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}


def entity(name: str) -> Entity:
    for candidate in ENTITIES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown raw entity {name!r}; known: {', '.join(ENTITY_NAMES)}")
