"""Product usage: turns the population model into tracked events.

Two sources of events:

* lifecycle events at known moments (activation, ``invite_sent``, ``teammate_joined``,
  ``trial_started``, the purchase), from :func:`lifecycle_events`;
* daily usage, from :func:`daily_usage`: a loop over UTC days and, inside it, over the
  users alive that day. Each user is active with a probability given by their usage
  pattern (grow / plateau / churn / dormant) and weekly seasonality; an active user has
  a session of a few events, sometimes with a buying-intent event when their company is
  heating up. The loop body only reads per-user parameters, so it can be vectorized.

Every event gets a ``received_at`` shortly after it occurred; a small share arrives late
(1-5 days). Events not yet received by the end of the window are not part of the drop.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from orchestration.synthetic import names
from orchestration.synthetic.catalog import UNCATALOGUED_EVENT, catalog_by_name
from orchestration.synthetic.generator import (
    FREE_SEAT_LIMIT,
    Account,
    GeneratorConfig,
    Model,
    User,
    at_work_time,
    poisson,
    stream,
    weighted,
)

ACTIVATED_MIX: tuple[tuple[str, int], ...] = (
    ("document_edited", 280),
    ("document_created", 100),
    ("dashboard_viewed", 120),
    ("search_performed", 100),
    ("comment_added", 90),
    ("document_shared", 40),
    ("file_uploaded", 60),
    ("report_exported", 40),
    ("template_used", 30),
    ("project_created", 30),
    ("integration_connected", 8),
    ("api_key_created", 8),
    ("member_role_changed", 4),
    (UNCATALOGUED_EVENT, 2),
)

PRE_ACTIVATION_MIX: tuple[tuple[str, int], ...] = (
    ("dashboard_viewed", 30),
    ("search_performed", 20),
    ("template_used", 20),
    ("document_created", 15),
    ("document_edited", 15),
)

COLLABORATION = frozenset({"comment_added", "document_shared"})
GATED_FEATURES = ("sso", "audit_log", "version_history", "advanced_permissions", "guest_access")
INTENT_WINDOW = timedelta(days=45)


@dataclass(slots=True)
class EventRecord:
    """One tracked event before it is rendered as a row."""

    seq: int
    occurred_at: datetime
    received_at: datetime
    user: User
    account: Account | None
    name: str
    properties: str
    late: bool = False
    event_id: str = ""


class EventSink:
    """Collects events and draws their delivery delay from its own random stream."""

    def __init__(self, config: GeneratorConfig) -> None:
        self.config = config
        self.rng = stream(config, "delivery")
        self.events: list[EventRecord] = []
        self._seq = 0
        self._features = {name: spec.feature for name, spec in catalog_by_name().items()}
        self._features[UNCATALOGUED_EVENT] = "reports"

    def emit(
        self,
        occurred_at: datetime,
        user: User,
        account: Account | None,
        name: str,
        extra: dict[str, object] | None = None,
    ) -> None:
        """Record an event unless it falls outside the window or is not yet received."""
        config = self.config
        self._seq += 1
        received_at, late = self._received(occurred_at)
        if occurred_at < config.window_start or received_at >= config.window_end:
            return
        props: dict[str, object] = {"feature": self._features[name]}
        if account is not None:
            props["plan"] = account.plan_at(occurred_at)
        if extra:
            props.update(extra)
        text = json.dumps(props, sort_keys=True, separators=(",", ":"))
        record = EventRecord(self._seq, occurred_at, received_at, user, account, name, text, late)
        self.events.append(record)

    def _received(self, occurred_at: datetime) -> tuple[datetime, bool]:
        rng = self.rng
        if rng.random() < self.config.late_share:
            return occurred_at + timedelta(seconds=rng.randint(86_400, 5 * 86_400)), True
        if rng.random() < 0.03:  # offline client flushing its buffer
            return occurred_at + timedelta(seconds=rng.randint(300, 3 * 3600)), False
        seconds = min(600.0, rng.lognormvariate(math.log(3.0), 1.3))
        return occurred_at + timedelta(seconds=round(seconds)), False


def account_at(user: User, moment: datetime, rng: random.Random) -> Account | None:
    """The workspace an event of ``user`` at ``moment`` belongs to (None for a few)."""
    joined = [m.account for m in user.memberships if m.joined_at <= moment]
    if not joined or rng.random() < 0.004:
        return None
    if len(joined) > 1 and rng.random() < 0.15:
        return rng.choice(joined[1:])
    return joined[0]


def role_in(user: User, account: Account | None) -> str | None:
    """The user's role in ``account``."""
    if account is None:
        return None
    for membership in user.memberships:
        if membership.account is account:
            return membership.role
    return None


# ------------------------------------------------------------------ lifecycle events


def lifecycle_events(model: Model, sink: EventSink) -> None:
    """Activation, invite, trial and purchase events at the moments the model fixed."""
    rng = stream(model.config, "lifecycle")
    for user in model.users:
        if user.activation_at is not None and user.activation_event != "invite_sent":
            assert user.activation_event is not None
            account = account_at(user, user.activation_at, rng)
            extra = _usage_extra(user.activation_event, rng)
            sink.emit(user.activation_at, user, account, user.activation_event, extra)
    for invite in model.invites:
        account = invite.account
        if (
            account.plan_at(invite.sent_at) in ("free", "trial")
            and account.members_at(invite.sent_at) >= FREE_SEAT_LIMIT
        ):
            seats = {
                "seat_limit": FREE_SEAT_LIMIT,
                "seats_used": account.members_at(invite.sent_at),
            }
            moment = invite.sent_at - timedelta(seconds=rng.randint(2, 30))
            sink.emit(moment, invite.inviter, account, "seat_limit_reached", seats)
        extra = {"invite_id": invite.invite_id}
        sink.emit(invite.sent_at, invite.inviter, account, "invite_sent", extra)
        if invite.accepted_at is not None and invite.accepted_user is not None:
            sink.emit(invite.accepted_at, invite.accepted_user, account, "teammate_joined", extra)
    for account in model.accounts:
        owner = account.created_by
        if owner is None:
            continue
        for changed_at, plan in account.plan_history:
            if plan == "trial":
                sink.emit(changed_at, owner, account, "trial_started", {"trial_plan": "business"})
    for sub in model.subscriptions:
        owner = sub.account.created_by
        if owner is None:
            continue
        before = sub.started_at - timedelta(minutes=rng.randint(10, 240))
        sink.emit(before, owner, sub.account, "pricing_page_viewed")
        after = sub.started_at + timedelta(seconds=rng.randint(20, 300))
        sink.emit(after, owner, sub.account, "billing_page_viewed")


# ---------------------------------------------------------------------- daily usage


def activity_probability(user: User, day_start: datetime, weekend: bool) -> float:
    """Chance that ``user`` is active on the day starting at ``day_start``."""
    if user.pattern == "dormant":
        alive = user.churn_at is not None and day_start <= user.churn_at
        p = 0.25 if alive else 0.0
    elif user.churn_at is not None and day_start > user.churn_at:
        p = 0.004  # the occasional comeback
    elif user.pattern == "grow":
        age_days = (day_start - user.created_at).days
        p = user.base_rate * min(1.0, 0.3 + age_days / 45)
    else:
        p = user.base_rate
    if weekend:
        p *= {"internal": 0.12, "personal": 0.6}.get(user.org.kind, 0.25)
    return min(0.95, p)


def _usage_extra(name: str, rng: random.Random) -> dict[str, object] | None:
    if name == "integration_connected":
        return {"integration": rng.choice(names.INTEGRATIONS)}
    if name == "report_exported":
        return {"format": rng.choice(("pdf", "csv", "png"))}
    return None


def usage_event(
    user: User, account: Account | None, role: str | None, moment: datetime, rng: random.Random
) -> str:
    """A core-usage or collaboration event name for one step of a session."""
    activated = user.activation_at is not None and user.activation_at <= moment
    if not activated:
        return weighted(rng, PRE_ACTIVATION_MIX)
    name = weighted(rng, ACTIVATED_MIX)
    teammates = account is not None and account.members_at(moment) >= 2
    if name in COLLABORATION and not teammates:
        return "document_edited"
    if name == "member_role_changed" and not (teammates and role in ("owner", "admin")):
        return "dashboard_viewed"
    return name


def intent_event(
    user: User, account: Account | None, role: str | None, moment: datetime, rng: random.Random
) -> tuple[str, dict[str, object] | None] | None:
    """A buying-intent (or paid-admin) event at the end of a session, or None."""
    org = user.org
    if account is None:
        return ("pricing_page_viewed", None) if rng.random() < 0.01 else None
    admin = role in ("owner", "admin")
    plan = account.plan_at(moment)
    if plan in ("free", "trial"):
        q = {"personal": 0.01, "internal": 0.15}.get(org.kind, 0.008 + 0.08 * org.heat)
        if (
            org.converts_at is not None
            and timedelta(0) <= org.converts_at - moment <= INTENT_WINDOW
        ):
            q += 0.3
        if rng.random() >= q:
            return None
        options = [("pricing_page_viewed", 30), ("upgrade_prompt_viewed", 25), ("paywall_hit", 20)]
        members = account.members_at(moment)
        if members >= FREE_SEAT_LIMIT:
            options.append(("seat_limit_reached", 15))
        if admin:
            options.append(("admin_settings_viewed", 8))
        if admin and (org.target_size >= 8 or org.kind == "internal"):
            options += [("sso_settings_viewed", 6), ("audit_log_viewed", 4)]
        name = weighted(rng, tuple(options))
    else:
        if not admin or rng.random() >= 0.05:
            return None
        options = [
            ("billing_page_viewed", 40),
            ("admin_settings_viewed", 30),
            ("audit_log_viewed", 15),
        ]
        if plan in ("business", "enterprise"):
            options.append(("sso_settings_viewed", 15))
        name = weighted(rng, tuple(options))
        members = account.members_at(moment)
    if name == "seat_limit_reached":
        return name, {"seat_limit": FREE_SEAT_LIMIT, "seats_used": members}
    if name == "paywall_hit":
        return name, {"feature": rng.choice(GATED_FEATURES)}
    return name, None


def session(
    sink: EventSink,
    user: User,
    start: datetime,
    n_events: int,
    day_end: datetime,
    rng: random.Random,
) -> None:
    """One session of ``user``: ``session_started`` then usage events, maybe an intent."""
    account = account_at(user, start, rng)
    role = role_in(user, account)
    sink.emit(start, user, account, "session_started", {"platform": weighted(rng, names.PLATFORMS)})
    moment = start
    for _ in range(n_events - 1):
        moment += timedelta(seconds=5 + int(rng.expovariate(1 / 150)))
        if moment >= day_end:
            return
        name = usage_event(user, account, role, moment, rng)
        sink.emit(moment, user, account, name, _usage_extra(name, rng))
    intent = intent_event(user, account, role, moment, rng)
    moment += timedelta(seconds=5 + int(rng.expovariate(1 / 60)))
    if intent is not None and moment < day_end:
        sink.emit(moment, user, account, intent[0], intent[1])


def daily_usage(model: Model, sink: EventSink) -> None:
    """The per-day loop: for each UTC day, sample which users are active and their sessions."""
    config = model.config
    rng = stream(config, "usage")
    users = sorted(model.users, key=lambda u: (u.created_at, u.key))
    staff = [u for u in users if u.org.kind == "internal"]
    alive: list[User] = []
    pending = 0
    extra_events = config.events_per_active_user - 1
    for day_index in range(config.days):
        day_start = config.window_start + timedelta(days=day_index)
        day_end = day_start + timedelta(days=1)
        weekend = day_start.weekday() >= 5
        while pending < len(users) and users[pending].created_at < day_end:
            alive.append(users[pending])
            pending += 1
        staff_active = False
        for user in alive:
            if user.created_at >= day_start:  # the signup session
                start = user.created_at + timedelta(seconds=rng.randint(5, 90))
            elif rng.random() < activity_probability(user, day_start, weekend):
                start = at_work_time(day_start, user.org.tz_offset, rng)
            else:
                continue
            is_staff = user.org.kind == "internal"
            staff_active = staff_active or is_staff
            n_events = 1 + poisson(rng, extra_events * (2.0 if is_staff else 1.0))
            session(sink, user, start, n_events, day_end, rng)
        if staff and not staff_active:  # someone on the team tests every day
            user = rng.choice(staff)
            start = at_work_time(day_start, user.org.tz_offset, rng)
            session(sink, user, start, 1 + poisson(rng, extra_events), day_end, rng)


def generate_events(model: Model) -> list[EventRecord]:
    """All events of the window, with IDs ``ev_00000001``... in order of occurrence."""
    sink = EventSink(model.config)
    lifecycle_events(model, sink)
    daily_usage(model, sink)
    events = sorted(sink.events, key=lambda e: (e.occurred_at, e.seq))
    for number, event in enumerate(events, start=1):
        event.event_id = f"ev_{number:08d}"
    return events
