"""Bulk mode: millions of events, vectorized with numpy and written as Parquet by pyarrow.

``python -m orchestration.synthetic --out DIR --events 100M --format parquet`` writes the
whole raw contract (PRODUCT.md section 5) at scale:

* ``users``, ``accounts``, ``memberships``, ``invites``, ``subscriptions``: one Parquet file
  each;
* ``events/YYYY-MM-DD.parquet``: one file per day of the window (default 181 days ending
  2026-10-31: 180 days of history plus one "new" day for an incremental run).

The world scales with the event count: one user per :data:`EVENTS_PER_USER` events
(500,000 users at 100M events), of whom 20 % sign up with personal mail (gmail.com, ...),
a few are the product's own staff, and the rest belong to companies whose sizes follow a
Pareto law (most have 1-3 users, a few hundreds). Companies have workspaces (accounts),
invites with a company-specific acceptance rate, a latent "heat" that drives
buying-intent events, a usage trend over the window, and some convert to paid plans.

Usage is drawn per day: sessions of users alive that day (weighted by their engagement,
their company's trend and churn), each a short burst of catalog events inside the day,
plus lifecycle events at known moments (activation, ``invite_sent``,
``teammate_joined``, ``trial_started``). The exact number of events asked for is written.

Determinism: the population comes from one numpy ``Generator`` seeded with
``(seed, 1)``; day ``d`` from its own ``Generator`` seeded with ``(seed, 2, d)``, so days are
independent and are written by a pool of processes in any order with the same bytes.
Parquet files are written with fixed options (zstd level 1, fixed dictionary columns, no
timestamps in the metadata). Memory stays bounded: one day is built and written at a
time per worker. Data is clean (no contract breaks, no duplicates).

Types: ids and text as Parquet strings, timestamps as ``timestamp[us, UTC]`` (the loader
reads them as ``2026-10-31 12:34:56.123456Z``, valid ISO-8601), ``seats`` as int64 and
``mrr`` as float64.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orchestration.synthetic import names
from orchestration.synthetic.catalog import EVENT_CATALOG
from orchestration.synthetic.writers import remove_stale_outputs

#: One user per this many events over the window.
EVENTS_PER_USER = 200
#: Share of users on personal mail domains.
PERSONAL_SHARE = 0.20
#: The product's own staff (``pqlproduct.io``), at most this many.
INTERNAL_USERS = 10
#: Signups may predate the window by this many days (users with history).
HISTORY_DAYS = 120
DEFAULT_DAYS = 181
DEFAULT_END_DATE = date(2026, 10, 31)
#: Mean events per session.
SESSION_LENGTH = 5.0
#: Share of events received late (1-30 hours after they occurred).
LATE_SHARE = 0.005

US_PER_SECOND = 1_000_000
US_PER_HOUR = 3_600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR
EPOCH = datetime(1970, 1, 1)
TIMESTAMP = pa.timestamp("us", tz="UTC")

STREAM_POPULATION = 1
STREAM_DAY = 2

EVENT_NAMES: tuple[str, ...] = tuple(spec.name for spec in EVENT_CATALOG)
_CODE = {name: i for i, name in enumerate(EVENT_NAMES)}
#: Everyday usage mix (name, weight) once a session is under way.
USAGE_MIX: tuple[tuple[str, int], ...] = (
    ("document_edited", 280),
    ("document_created", 100),
    ("dashboard_viewed", 120),
    ("search_performed", 100),
    ("comment_added", 90),
    ("document_shared", 40),
    ("file_uploaded", 60),
    ("report_exported", 40),
    ("template_used", 30),
    ("project_created", 20),
    ("integration_connected", 5),
    ("api_key_created", 8),
    ("member_role_changed", 4),
)
#: Buying-intent mix, drawn instead of usage with a probability set by the company's heat.
INTENT_MIX: tuple[tuple[str, int], ...] = (
    ("pricing_page_viewed", 30),
    ("upgrade_prompt_viewed", 25),
    ("paywall_hit", 20),
    ("seat_limit_reached", 10),
    ("admin_settings_viewed", 8),
    ("sso_settings_viewed", 4),
    ("audit_log_viewed", 3),
)
PLATFORMS: tuple[str, ...] = tuple(name for name, _ in names.PLATFORMS)
PLATFORM_WEIGHTS = np.array([w for _, w in names.PLATFORMS], dtype=np.float64)
SEAT_PRICE: dict[str, float] = {"team": 12.0, "business": 24.0, "enterprise": 45.0}
PARQUET_OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 1,
    "write_statistics": True,
    "store_schema": True,
}
EVENT_DICTIONARY_COLUMNS = ["user_id", "event_name", "account_id", "properties"]


def parse_count(text: str) -> int:
    """``"100M"`` -> 100_000_000; also ``50k``, ``1.5M``, ``2G`` and plain integers."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGbB]?)\s*", text.replace("_", ""))
    if not match:
        raise ValueError(f"not a count: {text!r} (expected e.g. 50000, 50k, 10M, 1G)")
    scale = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "b": 10**9}[match.group(2).lower()]
    value = round(float(match.group(1)) * scale)
    if value < 1:
        raise ValueError(f"the event count must be at least 1, got {text!r}")
    return value


@dataclass(frozen=True)
class BulkConfig:
    """The knobs of one bulk run; equal configs give byte-identical files."""

    events: int
    seed: int = 7
    days: int = DEFAULT_DAYS
    end_date: date = DEFAULT_END_DATE
    workers: int = 2

    def __post_init__(self) -> None:
        if self.events < 1:
            raise ValueError("events must be at least 1")
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    @property
    def users(self) -> int:
        """Users in the world: one per :data:`EVENTS_PER_USER` events (at least 50)."""
        return max(self.events // EVENTS_PER_USER, 50)

    @property
    def start_date(self) -> date:
        """First day of the window."""
        return self.end_date - timedelta(days=self.days - 1)

    @property
    def start_us(self) -> int:
        """Midnight UTC of the first day, in microseconds since the epoch."""
        return _us(datetime.combine(self.start_date, datetime.min.time()))

    @property
    def end_us(self) -> int:
        """Midnight UTC after the last day (exclusive), in microseconds."""
        return self.start_us + self.days * US_PER_DAY


def _us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    """An independent, reproducible random stream for ``(seed, *keys)``."""
    return np.random.default_rng([seed, *keys])


@dataclass
class Population:
    """Everything a day needs: users (sorted by signup), their orgs, lifecycle events."""

    config: BulkConfig
    user_ids: pa.Array  # string, by user rank
    account_ids: pa.Array  # string, by account rank
    user_created: np.ndarray  # int64 us
    user_account: np.ndarray  # int64 account rank
    user_weight: np.ndarray  # float64 engagement
    user_slope: np.ndarray  # float64 trend of the user's org over the window
    user_tz_s: np.ndarray  # int64 seconds east of UTC
    user_intent: np.ndarray  # float64 probability an event is a buying-intent event
    user_churn_day: np.ndarray  # int64 day index from which the user is gone
    alive_before: np.ndarray  # users created before midnight of each day (and one more)
    day_counts: np.ndarray  # events per day
    day_offsets: np.ndarray  # first event number of each day
    lc_ts: np.ndarray  # lifecycle events, sorted by time
    lc_user: np.ndarray
    lc_name: np.ndarray
    lc_bounds: np.ndarray  # lifecycle index of each day's first event (and one more)
    tables: dict[str, pa.Table] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)


def _weighted(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    cumulative = np.cumsum(weights, dtype=np.float64)
    picks = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    return np.minimum(picks, len(weights) - 1)


def _segment_starts(sizes: np.ndarray) -> np.ndarray:
    starts = np.zeros(len(sizes), dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    return starts


def _ids(prefix: str, count: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(np.arange(count, dtype=np.int64)), pa.string()), 8, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def _ts(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(values.astype(np.int64), type=TIMESTAMP, mask=mask)


def _text(options: list[str] | tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pa.array(options, pa.string()).take(pa.array(codes.astype(np.int64)))


def _company_names(rng: np.random.Generator, count: int) -> tuple[list[str], list[str], list[int]]:
    """Unique registrable domains, display names and UTC offsets (minutes) of companies."""
    words, suffixes = names.COMPANY_WORDS, names.COMPANY_SUFFIXES
    tld_weights = np.array([w for _, w, _ in names.COMPANY_SUFFIX_TLDS], dtype=np.float64)
    tlds = _weighted(rng, tld_weights, count)
    order = rng.permutation(count)
    tz_pick = rng.random(count)
    domains, labels, offsets = [], [], []
    combos = len(words) * len(suffixes)
    for c in range(count):
        i = int(order[c])
        word, suffix = words[i % len(words)], suffixes[(i // len(words)) % len(suffixes)]
        series = i // combos
        tld, _, zones = names.COMPANY_SUFFIX_TLDS[tlds[c]]
        domains.append(f"{word}-{suffix}{series or ''}.{tld}")
        labels.append(f"{word.title()} {suffix.title()}{' ' + str(series) if series else ''}")
        offsets.append(zones[int(tz_pick[c] * len(zones))])
    return domains, labels, offsets


def build_population(config: BulkConfig) -> Population:
    """Draw the whole non-event world and its lifecycle events (vectorized)."""
    rng = rng_for(config.seed, STREAM_POPULATION)
    start, end = config.start_us, config.end_us
    latest = end - 60 * US_PER_SECOND
    history = HISTORY_DAYS * US_PER_DAY
    n_users = config.users
    n_internal = min(INTERNAL_USERS, max(1, n_users // 100))
    n_personal = int(n_users * PERSONAL_SHARE)
    n_company_users = n_users - n_personal - n_internal

    # Companies: Pareto sizes cut to the exact number of company users.
    cap = max(2, n_company_users // 50)
    sizes = 1 + np.floor(rng.pareto(1.25, size=n_company_users) * 1.6).astype(np.int64)
    sizes = np.minimum(sizes, cap)
    ends = np.cumsum(sizes)
    n_comp = int(np.searchsorted(ends, n_company_users)) + 1
    sizes = sizes[:n_comp].copy()
    sizes[-1] -= int(ends[n_comp - 1]) - n_company_users
    domains, labels, tz_minutes = _company_names(rng, n_comp)
    heat = rng.beta(1.2, 5.0, n_comp)
    first_signup = start - history + (rng.random(n_comp) * (history + end - start - 7 * US_PER_DAY))
    span = (5 + rng.random(n_comp) * 145) * US_PER_DAY
    accept_rate = 0.45 + rng.random(n_comp) * 0.4
    n_acc = 1 + rng.binomial(sizes - 1, 0.06)

    # Company users: signups spread after the company's first one, in rank order j.
    comp_start = _segment_starts(sizes)
    org = np.repeat(np.arange(n_comp), sizes)
    j = np.arange(n_company_users) - comp_start[org]
    gaps = rng.exponential(1.0, n_company_users) * (span / np.maximum(sizes - 1, 1))[org]
    gaps[j == 0] = 0.0
    cum = np.cumsum(gaps)
    c_created = np.minimum(first_signup[org] + cum - cum[comp_start][org], latest).astype(np.int64)
    acc_start = _segment_starts(n_acc)
    founder = j < n_acc[org]
    local_acc = np.where(founder, j, np.floor(rng.random(n_company_users) * n_acc[org]))
    c_account = acc_start[org] + local_acc.astype(np.int64)
    invited = ~founder & (rng.random(n_company_users) < 0.4)
    c_inviter = comp_start[org] + local_acc.astype(np.int64)  # the workspace's founder

    # Personal-mail users (one org and one workspace each) and the product's own staff.
    n_orgs = n_comp + n_personal + 1
    p_created = (start - history + rng.random(n_personal) * (latest - start + history)).astype(
        np.int64
    )
    i_created = start - 200 * US_PER_DAY + np.arange(n_internal) * US_PER_HOUR
    n_company_acc = int(n_acc.sum())
    user_org = np.concatenate([org, n_comp + np.arange(n_personal), [n_orgs - 1] * n_internal])
    created = np.concatenate([c_created, p_created, i_created]).astype(np.int64)
    account = np.concatenate(
        [
            c_account,
            n_company_acc + np.arange(n_personal),
            np.full(n_internal, n_company_acc + n_personal),
        ]
    ).astype(np.int64)
    is_founder = np.concatenate([founder, np.ones(n_personal, bool), np.arange(n_internal) == 0])
    is_invited = np.concatenate([invited, np.zeros(n_personal + n_internal, bool)])
    inviter = np.concatenate([c_inviter, np.zeros(n_personal + n_internal, np.int64)])
    acc_founder = np.concatenate(
        [
            comp_start[np.repeat(np.arange(n_comp), n_acc)] + _local(n_acc),
            n_company_users + np.arange(n_personal),
            [n_company_users + n_personal],
        ]
    ).astype(np.int64)
    n_accounts = n_company_acc + n_personal + 1

    # Org-level parameters for every org (companies, personal, internal).
    personal_domain_w = np.array([w for _, w in names.PERSONAL_DOMAINS], dtype=np.float64)
    personal_domains = [d for d, _ in names.PERSONAL_DOMAINS]
    org_domain = pa.concat_arrays(
        [
            pa.array(domains, pa.string()),
            _text(personal_domains, _weighted(rng, personal_domain_w, n_personal)),
            pa.array([names.INTERNAL_DOMAIN], pa.string()),
        ]
    )
    all_tz = np.array([*names.FALLBACK_OFFSETS, 0], dtype=np.int64)
    org_tz = np.concatenate(
        [np.array(tz_minutes, np.int64), all_tz[rng.integers(0, len(all_tz), n_personal)], [60]]
    )
    org_heat = np.concatenate([heat, rng.beta(1.0, 12.0, n_personal), [0.3]])
    org_slope = np.concatenate([rng.normal(0, 1.2, n_comp), rng.normal(0, 0.5, n_personal), [0]])

    # Sort users and accounts by creation time: ranks become ids.
    order = np.argsort(created, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(n_users)
    acc_created = created[acc_founder]
    acc_order = np.argsort(acc_created, kind="stable")
    acc_rank = np.empty_like(acc_order)
    acc_rank[acc_order] = np.arange(n_accounts)

    created = created[order]
    user_org = user_org[order]
    account = acc_rank[account[order]]
    is_founder = is_founder[order]
    is_invited = is_invited[order]
    inviter = rank[inviter[order]]
    acc_founder_rank = rank[acc_founder[acc_order]]
    acc_org = user_org[acc_founder_rank]
    is_company_user = user_org < n_comp

    user_ids = _ids("u", n_users)
    account_ids = _ids("a", n_accounts)

    # Users: names, emails (7 % of company users on a subdomain), channels.
    first_lower = [n.lower() for n in names.FIRST_NAMES]
    last_lower = [n.lower().replace(" ", "") for n in names.LAST_NAMES]
    first_i = rng.integers(0, len(first_lower), n_users)
    last_i = rng.integers(0, len(last_lower), n_users)
    sub_options = [""] + [s + "." for s in names.COMPANY_SUBDOMAINS]
    sub_i = np.where(
        is_company_user & (rng.random(n_users) < 0.07),
        rng.integers(1, len(sub_options), n_users),
        0,
    )
    rank_text = pc.cast(pa.array(np.arange(n_users, dtype=np.int64)), pa.string())
    user_domain = org_domain.take(pa.array(user_org))
    email = pc.binary_join_element_wise(
        _text(first_lower, first_i),
        ".",
        _text(last_lower, last_i),
        rank_text,
        "@",
        _text(sub_options, sub_i),
        user_domain,
        "",
    )
    first_names = _text(names.FIRST_NAMES, first_i)
    full_name = pc.binary_join_element_wise(first_names, _text(names.LAST_NAMES, last_i), " ")
    channel = np.where(is_invited, 0, np.where(rng.random(n_users) < 0.15, 2, 1))
    users = pa.table(
        {
            "user_id": user_ids,
            "email": email,
            "created_at": _ts(created),
            "full_name": full_name,
            "signup_channel": _text(["invite", "organic", "referral"], channel),
        }
    )

    # Subscriptions: companies convert with a chance growing with size and heat.
    comp_first_acc = acc_rank[acc_start]
    converts = rng.random(n_comp) < np.minimum(0.6, 0.01 * sizes + 0.3 * heat**2)
    personal_pays = rng.random(n_personal) < 0.015
    sub_acc = np.concatenate(
        [comp_first_acc[converts], acc_rank[n_company_acc + np.nonzero(personal_pays)[0]]]
    )
    sub_size = np.concatenate([sizes[converts], np.ones(int(personal_pays.sum()), np.int64)])
    earliest = np.maximum(created[acc_founder_rank[sub_acc]] + 14 * US_PER_DAY, start)
    sub_start = (earliest + rng.random(len(sub_acc)) * (latest - earliest)).astype(np.int64)
    keep = earliest < latest
    sub_acc, sub_size, sub_start = sub_acc[keep], sub_size[keep], sub_start[keep]
    plan_code = np.where(sub_size < 10, 0, np.where(sub_size < 50, 1, 2))
    plans = ["team", "business", "enterprise"]
    seats = np.maximum(sub_size, np.where(sub_size == 1, 1, 3)).astype(np.int64)
    price = np.array([SEAT_PRICE[p] for p in plans])[plan_code]
    sub_order = np.argsort(sub_start, kind="stable")
    sub_acc, sub_start, seats = sub_acc[sub_order], sub_start[sub_order], seats[sub_order]
    plan_code, price = plan_code[sub_order], price[sub_order]
    subscriptions = pa.table(
        {
            "subscription_id": _ids("s", len(sub_acc)),
            "account_id": account_ids.take(pa.array(sub_acc)),
            "plan": _text(plans, plan_code),
            "started_at": _ts(sub_start),
            "seats": pa.array(seats, pa.int64()),
            "mrr": pa.array(np.round(seats * price, 2), pa.float64()),
            "ended_at": pa.nulls(len(sub_acc), TIMESTAMP),
        }
    )
    acc_plan = np.full(n_accounts, 3)
    acc_plan[sub_acc] = plan_code

    # Accounts: "<Company> <Team>", "<First>'s workspace", the staff's dogfood workspace.
    org_label = pa.concat_arrays(
        [
            pa.array(labels, pa.string()),
            pa.nulls(n_personal, pa.string()),
            pa.array(["PQL"], pa.string()),
        ]
    )
    team = _text(names.TEAM_NAMES, rng.integers(0, len(names.TEAM_NAMES), n_accounts))
    founder_first = first_names.take(pa.array(acc_founder_rank))
    acc_is_company = acc_org < n_comp
    account_name = pc.if_else(
        pa.array(acc_is_company),
        pc.binary_join_element_wise(org_label.take(pa.array(acc_org)), team, " "),
        pc.if_else(
            pa.array(acc_org == n_orgs - 1),
            pa.scalar("PQL Dogfood"),
            pc.binary_join_element_wise(founder_first, "'s workspace", ""),
        ),
    )
    accounts = pa.table(
        {
            "account_id": account_ids,
            "created_at": _ts(created[acc_founder_rank]),
            "account_name": account_name,
            "created_by_user_id": user_ids.take(pa.array(acc_founder_rank)),
            "plan": _text(["team", "business", "enterprise", "free"], acc_plan),
        }
    )

    # Memberships: one seat per user in their workspace.
    role_draw = rng.random(n_users)
    role = np.where(is_founder, 0, np.where(role_draw < 0.10, 1, np.where(role_draw < 0.15, 3, 2)))
    memberships = pa.table(
        {
            "account_id": account_ids.take(pa.array(account)),
            "user_id": user_ids,
            "joined_at": _ts(created),
            "role": _text(["owner", "admin", "member", "guest"], role),
        }
    )

    # Invites: accepted ones became the invited users; pending ones never did.
    invitee = np.nonzero(is_invited)[0]
    acc_inviter = inviter[invitee]
    delay = (rng.lognormal(np.log(8.0), 1.2, len(invitee)) * US_PER_HOUR).astype(np.int64)
    a_sent = np.maximum(created[acc_inviter], created[invitee] - delay)
    rate = accept_rate[np.minimum(user_org[invitee], n_comp - 1)]
    pending = rng.poisson((1 - rate) / rate)
    p_inviter = np.repeat(acc_inviter, pending)
    p_from = created[p_inviter]
    p_sent = (p_from + rng.random(len(p_inviter)) * (latest - p_from)).astype(np.int64)
    inv_user = np.concatenate([acc_inviter, p_inviter])
    inv_sent = np.concatenate([a_sent, p_sent])
    inv_accepted = np.concatenate([created[invitee], np.zeros(len(p_inviter), np.int64)])
    inv_is_accepted = np.arange(len(inv_user)) < len(invitee)
    inv_invitee = np.concatenate([invitee, np.zeros(len(p_inviter), np.int64)])
    inv_order = np.argsort(inv_sent, kind="stable")
    inv_user, inv_sent = inv_user[inv_order], inv_sent[inv_order]
    inv_accepted, inv_is_accepted = inv_accepted[inv_order], inv_is_accepted[inv_order]
    inv_invitee = inv_invitee[inv_order]
    n_inv = len(inv_user)
    pending_email = pc.binary_join_element_wise(
        "invitee",
        pc.cast(pa.array(np.arange(n_inv, dtype=np.int64)), pa.string()),
        "@",
        user_domain.take(pa.array(inv_user)),
        "",
    )
    invites = pa.table(
        {
            "invite_id": _ids("i", n_inv),
            "account_id": account_ids.take(pa.array(account[inv_user])),
            "inviter_user_id": user_ids.take(pa.array(inv_user)),
            "invitee_email": pc.if_else(
                pa.array(inv_is_accepted), email.take(pa.array(inv_invitee)), pending_email
            ),
            "sent_at": _ts(inv_sent),
            "accepted_at": _ts(inv_accepted, mask=~inv_is_accepted),
            "accepted_user_id": pc.if_else(
                pa.array(inv_is_accepted),
                user_ids.take(pa.array(inv_invitee)),
                pa.scalar(None, pa.string()),
            ),
        }
    )

    # Engagement: lognormal rates, dormant and churning users, dogfooding staff.
    weight = rng.lognormal(0.0, 1.0, n_users)
    dormant = rng.random(n_users) < 0.2
    weight[dormant] *= 0.03
    weight[user_org == n_orgs - 1] *= 5.0
    churn_day = np.full(n_users, np.iinfo(np.int64).max // 2, dtype=np.int64)
    churns = (rng.random(n_users) < 0.12) & (user_org != n_orgs - 1)
    churn_at = created + ((7 + rng.random(n_users) * 143) * US_PER_DAY).astype(np.int64)
    churn_day[churns] = (churn_at[churns] - start) // US_PER_DAY

    # Lifecycle events: activation, invite_sent, teammate_joined, trial_started.
    activates = ~dormant & (rng.random(n_users) < 0.85)
    act_delay = (rng.lognormal(np.log(2.0), 1.5, n_users) * US_PER_HOUR).astype(np.int64)
    act_name = np.where(
        rng.random(n_users) < 0.7, _CODE["project_created"], _CODE["integration_connected"]
    )
    act_users = np.nonzero(activates)[0]
    trial_at = sub_start - 14 * US_PER_DAY
    trial_user = acc_founder_rank[sub_acc]
    trial_ok = trial_at >= created[trial_user]
    accepted_idx = np.nonzero(inv_is_accepted)[0]
    lc_ts = np.concatenate(
        [
            created[act_users] + act_delay[act_users],
            inv_sent,
            inv_accepted[accepted_idx],
            trial_at[trial_ok],
        ]
    )
    lc_user = np.concatenate([act_users, inv_user, inv_invitee[accepted_idx], trial_user[trial_ok]])
    lc_name = np.concatenate(
        [
            act_name[act_users],
            np.full(n_inv, _CODE["invite_sent"]),
            np.full(len(accepted_idx), _CODE["teammate_joined"]),
            np.full(int(trial_ok.sum()), _CODE["trial_started"]),
        ]
    )
    in_window = (lc_ts >= start) & (lc_ts < end)
    lc_order = np.argsort(lc_ts[in_window], kind="stable")
    lc_ts = lc_ts[in_window][lc_order]
    lc_user = lc_user[in_window][lc_order]
    lc_name = lc_name[in_window][lc_order]
    day_edges = start + np.arange(config.days + 1, dtype=np.int64) * US_PER_DAY

    day_counts = plan_days(config)
    offsets = np.zeros(config.days, dtype=np.int64)
    np.cumsum(day_counts[:-1], out=offsets[1:])
    return Population(
        config=config,
        user_ids=user_ids,
        account_ids=account_ids,
        user_created=created,
        user_account=account,
        user_weight=weight,
        user_slope=org_slope[user_org],
        user_tz_s=org_tz[user_org] * 60,
        user_intent=0.002 + 0.06 * org_heat[user_org] ** 2,
        user_churn_day=churn_day,
        alive_before=np.searchsorted(created, day_edges, side="left"),
        day_counts=day_counts,
        day_offsets=offsets,
        lc_ts=lc_ts,
        lc_user=lc_user,
        lc_name=lc_name,
        lc_bounds=np.searchsorted(lc_ts, day_edges, side="left"),
        tables={
            "users": users,
            "accounts": accounts,
            "memberships": memberships,
            "invites": invites,
            "subscriptions": subscriptions,
        },
        stats={
            "companies": n_comp,
            "largest_company": int(sizes.max()),
            "converted_companies": int(converts.sum()),
            "invites_accepted": len(invitee),
        },
    )


def _local(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ..., size-1 for each segment, concatenated."""
    return np.arange(int(sizes.sum())) - np.repeat(_segment_starts(sizes), sizes)


def plan_days(config: BulkConfig) -> np.ndarray:
    """Exact events per day: growth over the window, quieter weekends, a little noise."""
    rng = rng_for(config.seed, STREAM_DAY, config.days)  # a stream no day uses
    x = np.arange(config.days) / max(config.days - 1, 1)
    weekday = (np.arange(config.days) + config.start_date.weekday()) % 7
    shape = (1 + 0.6 * x) * np.where(weekday >= 5, 0.55, 1.0) * rng.lognormal(0, 0.05, config.days)
    exact = shape / shape.sum() * config.events
    counts = np.floor(exact).astype(np.int64)
    short = config.events - int(counts.sum())
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


_USAGE_CODES = np.array([_CODE[n] for n, _ in USAGE_MIX], dtype=np.int16)
_USAGE_W = np.array([w for _, w in USAGE_MIX], dtype=np.float64)
_INTENT_CODES = np.array([_CODE[n] for n, _ in INTENT_MIX], dtype=np.int16)
_INTENT_W = np.array([w for _, w in INTENT_MIX], dtype=np.float64)
_FEATURES = {spec.name: spec.feature for spec in EVENT_CATALOG}
_NAME_DICTIONARY = pa.array(EVENT_NAMES, pa.string())
_PROPERTY_DICTIONARY = pa.array(
    [
        json.dumps({"feature": _FEATURES[n], "platform": p}, sort_keys=True, separators=(",", ":"))
        for n in EVENT_NAMES
        for p in PLATFORMS
    ],
    pa.string(),
)
#: Low-cardinality columns are plain strings that the Parquet writer dictionary-encodes.
#: Arrow dictionary arrays are deliberately not used: pyarrow 26 then writes dictionary
#: pages padded with uninitialized bytes, so identical data gave different files.
EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("user_id", pa.string()),
        ("event_name", pa.string()),
        ("occurred_at", TIMESTAMP),
        ("account_id", pa.string()),
        ("received_at", TIMESTAMP),
        ("properties", pa.string()),
    ]
)


def day_events(pop: Population, day: int) -> pa.Table:
    """The events of day ``day`` (0-based), sorted by time, as an Arrow table."""
    config = pop.config
    rng = rng_for(config.seed, STREAM_DAY, day)
    total = int(pop.day_counts[day])
    day_start = config.start_us + day * US_PER_DAY

    lo = int(pop.lc_bounds[day])
    taken = min(int(pop.lc_bounds[day + 1]) - lo, total)
    lc_user = pop.lc_user[lo : lo + taken]
    lc_t = pop.lc_ts[lo : lo + taken] - day_start
    lc_name = pop.lc_name[lo : lo + taken].astype(np.int16)
    wanted = total - taken

    # Sessions of users signed up before today, weighted by engagement, trend and churn.
    alive = max(int(pop.alive_before[day]), 1)
    x = day / max(config.days - 1, 1) - 0.5
    weight = pop.user_weight[:alive] * np.exp(pop.user_slope[:alive] * x)
    weight *= pop.user_churn_day[:alive] > day
    if not weight.any():
        weight = np.ones(alive)
    lengths = rng.geometric(1 / SESSION_LENGTH, int(wanted / SESSION_LENGTH * 1.2) + 16)
    while lengths.sum() < wanted:
        lengths = np.concatenate([lengths, rng.geometric(1 / SESSION_LENGTH, len(lengths))])
    ends = np.cumsum(lengths)
    n_sessions = int(np.searchsorted(ends, wanted)) + 1 if wanted else 0
    lengths = lengths[:n_sessions]
    if n_sessions:
        lengths[-1] -= int(ends[n_sessions - 1]) - wanted
    session_user = _weighted(rng, weight, n_sessions)
    local = np.clip(rng.normal(14.0, 3.5, n_sessions), 0, 23.99) * 3600
    start_s = (local - pop.user_tz_s[session_user]) % 86_400
    platform = _weighted(rng, PLATFORM_WEIGHTS, n_sessions)

    session = np.repeat(np.arange(n_sessions), lengths)
    first = np.zeros(wanted, dtype=bool)
    session_start = _segment_starts(lengths)
    first[session_start] = True
    gaps = rng.exponential(40.0 * US_PER_SECOND, wanted)
    gaps[first] = 0.0
    cumulative = np.cumsum(gaps)
    offset = cumulative - np.repeat(cumulative[session_start], lengths)
    s_t = (start_s[session] * US_PER_SECOND + offset).astype(np.int64) % US_PER_DAY
    s_user = session_user[session]
    s_name = _USAGE_CODES[_weighted(rng, _USAGE_W, wanted)]
    intent = rng.random(wanted) < pop.user_intent[s_user]
    s_name[intent] = _INTENT_CODES[_weighted(rng, _INTENT_W, int(intent.sum()))]
    s_name[first] = _CODE["session_started"]

    user = np.concatenate([lc_user, s_user])
    t = np.concatenate([lc_t, s_t])
    name = np.concatenate([lc_name, s_name]).astype(np.int32)
    plat = np.concatenate([np.zeros(taken, np.int64), platform[session]])
    order = np.argsort(t, kind="stable")
    user, t, name, plat = user[order], t[order], name[order], plat[order]

    delay = rng.lognormal(np.log(1.2 * US_PER_SECOND), 1.0, total)
    late = rng.random(total) < LATE_SHARE
    delay[late] = (1 + rng.random(int(late.sum())) * 29) * US_PER_HOUR
    occurred = day_start + t
    user_index = pa.array(user.astype(np.int64))
    event_ids = _ids("e", 0)
    if total:
        numbers = pa.array(int(pop.day_offsets[day]) + np.arange(total, dtype=np.int64))
        event_ids = pc.binary_join_element_wise(
            "e", pc.utf8_lpad(pc.cast(numbers, pa.string()), 10, "0"), ""
        )
    return pa.Table.from_arrays(
        [
            event_ids,
            pop.user_ids.take(user_index),
            _NAME_DICTIONARY.take(pa.array(name)),
            _ts(occurred),
            pop.account_ids.take(pa.array(pop.user_account[user])),
            _ts(occurred + delay.astype(np.int64)),
            _PROPERTY_DICTIONARY.take(pa.array((name * len(PLATFORMS) + plat).astype(np.int32))),
        ],
        schema=EVENT_SCHEMA,
    )


def write_parquet(table: pa.Table, path: Path, dictionary: list[str] | bool = True) -> int:
    """Write ``table`` with the fixed options; returns the file size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, use_dictionary=dictionary, **PARQUET_OPTIONS)
    return path.stat().st_size


_POPULATION: Population | None = None
_OUT_DIR: Path | None = None


def _write_day(day: int) -> tuple[int, int, int]:
    """Pool task: build and write one day; returns (day, rows, bytes)."""
    assert _POPULATION is not None and _OUT_DIR is not None
    table = day_events(_POPULATION, day)
    day_name = (_POPULATION.config.start_date + timedelta(days=day)).isoformat()
    path = _OUT_DIR / "events" / f"{day_name}.parquet"
    size = write_parquet(table, path, EVENT_DICTIONARY_COLUMNS)
    return day, table.num_rows, size


@dataclass
class BulkResult:
    """What a bulk run wrote."""

    out_dir: Path
    rows: dict[str, int]
    bytes: dict[str, int]
    files: dict[str, int]
    stats: dict[str, int]
    seconds: float


def generate_bulk(
    config: BulkConfig, out_dir: Path, progress: Callable[[str], None] | None = None
) -> BulkResult:
    """Write the raw files for ``config`` into ``out_dir``; ``progress`` gets status lines."""
    global _POPULATION, _OUT_DIR
    say = progress or (lambda _line: None)
    started = time.monotonic()
    population = build_population(config)
    remove_stale_outputs(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for entity, table in population.tables.items():
        rows[entity] = table.num_rows
        sizes[entity] = write_parquet(table, out_dir / f"{entity}.parquet")
    say(
        f"population: {rows['users']:,} users, {population.stats['companies']:,} companies, "
        f"{rows['accounts']:,} accounts in {time.monotonic() - started:.1f} s"
    )
    _POPULATION, _OUT_DIR = population, out_dir
    rows["events"] = sizes["events"] = 0
    reported = 0  # tenths of the events reported so far
    pool = None
    try:
        days = range(config.days)
        if config.workers == 1 or config.days == 1:
            results = map(_write_day, days)
        else:
            pool = multiprocessing.get_context("fork").Pool(min(config.workers, config.days))
            results = pool.imap_unordered(_write_day, days)
        for _day, written, size in results:
            rows["events"] += written
            sizes["events"] += size
            while reported < 10 and rows["events"] * 10 >= (reported + 1) * config.events:
                reported += 1
                say(
                    f"events {reported * 10:>3}%: {rows['events']:,} written "
                    f"in {time.monotonic() - started:.1f} s"
                )
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        if pool is not None:
            pool.terminate()
        _POPULATION = _OUT_DIR = None
    return BulkResult(
        out_dir=out_dir,
        rows=rows,
        bytes=sizes,
        files={**dict.fromkeys(population.tables, 1), "events": config.days},
        stats=population.stats,
        seconds=time.monotonic() - started,
    )


def summary_lines(result: BulkResult) -> list[str]:
    """One line per entity, then the totals."""
    lines = [
        f"{entity:<13} {result.rows[entity]:>13,} rows in {result.files[entity]:>3} files, "
        f"{result.bytes[entity] / 1_048_576:>9,.1f} MiB"
        for entity in result.rows
    ]
    lines.append(
        f"{'total':<13} {sum(result.bytes.values()) / 1_048_576:,.1f} MiB in "
        f"{result.seconds:.1f} s -> {result.out_dir}"
    )
    return lines


def default_workers() -> int:
    """Two processes, or one on a single-core machine."""
    return max(1, min(2, os.cpu_count() or 1))


def main_bulk(config: BulkConfig, out_dir: Path) -> int:
    """CLI entry for bulk mode: progress and summary on stdout."""
    result = generate_bulk(config, out_dir, progress=lambda line: print(line, flush=True))
    for line in summary_lines(result):
        print(line)
    sys.stdout.flush()
    return 0
