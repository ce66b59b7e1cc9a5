"""The synthetic population: companies, people, workspaces, invites and subscriptions.

Bottom-up adoption is modelled per company (an :class:`Org`):

* company sizes follow a Pareto law (most companies have 1-3 users, a few 20-80);
* people at a company sign up on their own, spread over weeks (accelerating for growing
  companies, an early burst for fading ones); some create their own workspace (a product
  account), some join an existing one, others arrive through invites;
* invites are accepted at a company-specific rate (about 55-75 %) after a lognormal delay;
  accepted invitees become users (``signup_channel = invite``) with a membership;
* a minority of companies, mostly the ones with strong bottom-up signals, convert to a
  paid plan inside the window; a few are enterprise customers from the start;
* personal-mail users (gmail.com, ...) are not companies, and the product's own staff
  (``pqlproduct.io``) dogfood it heavily.

Everything is drawn from ``random.Random`` streams derived from the seed, never from the
clock, so the same :class:`GeneratorConfig` always gives the same model. All datetimes
are naive UTC. :func:`build_model` returns the model; :mod:`.activity` turns it into
events and :mod:`.tables` into rows.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from orchestration.synthetic import names

#: Members a free workspace may have before it hits the seat limit.
FREE_SEAT_LIMIT = 5
#: Monthly price per seat of each paid plan.
SEAT_PRICE: dict[str, float] = {"team": 12.0, "business": 24.0, "enterprise": 45.0}
#: Share of companies that convert to paid inside the window.
CONVERSION_SHARE = 0.10
TRIAL_DAYS = 14


@dataclass(frozen=True)
class GeneratorConfig:
    """The knobs of one generation run; equal configs give byte-identical output."""

    seed: int = 7
    companies: int = 180
    personal_users: int = 600
    days: int = 200
    end_date: date = date(2026, 10, 31)
    events_per_active_user: float = 3.0
    dirt_rate: float = 0.003
    internal_users: int = 10
    enterprise_customers: int = 3
    late_share: float = 0.01

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if self.companies < 0 or self.personal_users < 0 or self.internal_users < 0:
            raise ValueError("companies, personal_users and internal_users must be >= 0")
        if self.events_per_active_user < 1:
            raise ValueError("events_per_active_user must be at least 1")
        if not 0 <= self.dirt_rate < 0.2:
            raise ValueError("dirt_rate must be in [0, 0.2)")
        if not 0 <= self.late_share < 0.5:
            raise ValueError("late_share must be in [0, 0.5)")

    @property
    def start_date(self) -> date:
        """First day of the window (inclusive)."""
        return self.end_date - timedelta(days=self.days - 1)

    @property
    def window_start(self) -> datetime:
        """Midnight UTC at the start of the window."""
        return datetime.combine(self.start_date, datetime.min.time())

    @property
    def window_end(self) -> datetime:
        """Midnight UTC after the last day (exclusive)."""
        return datetime.combine(self.end_date, datetime.min.time()) + timedelta(days=1)


@dataclass(eq=False)
class Org:
    """A group of users sharing an email domain: a company, a personal user, or staff."""

    index: int
    kind: str  # company | personal | internal
    domain: str
    name: str
    tz_offset: int  # minutes east of UTC
    target_size: int
    first_signup: datetime
    span_days: float
    growth_power: float  # < 1: accelerating adoption, > 1: early burst
    trend: str  # growing | steady | fading
    heat: float  # latent buying intent, 0..1
    invite_share: float
    accept_rate: float
    subdomains: tuple[str, ...] = ()
    is_edu: bool = False
    enterprise_since: datetime | None = None
    converts_at: datetime | None = None
    users: list[User] = field(default_factory=list, repr=False)
    accounts: list[Account] = field(default_factory=list, repr=False)


@dataclass(eq=False)
class User:
    """A person with a login; engagement parameters drive the daily activity model."""

    key: int
    org: Org = field(repr=False)
    email: str
    full_name: str
    created_at: datetime
    channel: str
    activation_at: datetime | None
    activation_event: str | None
    pattern: str  # grow | plateau | churn | dormant
    base_rate: float  # probability of an active weekday at full engagement
    churn_at: datetime | None
    memberships: list[Membership] = field(default_factory=list, repr=False)
    user_id: str = ""


@dataclass(eq=False)
class Membership:
    """A user's seat in a workspace."""

    account: Account = field(repr=False)
    user: User = field(repr=False)
    joined_at: datetime
    role: str  # owner | admin | member | guest


@dataclass(eq=False)
class Account:
    """A workspace in the product; its plan changes over time."""

    key: int
    org: Org = field(repr=False)
    name: str
    created_at: datetime
    created_by: User | None = field(repr=False)
    members: list[Membership] = field(default_factory=list, repr=False)
    plan_history: list[tuple[datetime, str]] = field(default_factory=list)
    account_id: str = ""
    _joined: list[datetime] = field(default_factory=list, repr=False)

    def freeze(self) -> None:
        """Sort members and plan changes; call once the population is complete."""
        self.members.sort(key=lambda m: (m.joined_at, m.user.key))
        self._joined = [m.joined_at for m in self.members]
        self.plan_history.sort(key=lambda change: change[0])

    def members_at(self, moment: datetime) -> int:
        """Number of members who had joined by ``moment``."""
        return bisect.bisect_right(self._joined, moment)

    def plan_at(self, moment: datetime) -> str:
        """The plan in force at ``moment`` (``free`` before any change)."""
        plan = "free"
        for changed_at, new_plan in self.plan_history:
            if changed_at > moment:
                break
            plan = new_plan
        return plan


@dataclass(eq=False)
class Invite:
    """An invitation to a workspace; ``accepted_at`` is None while pending."""

    key: int
    account: Account = field(repr=False)
    inviter: User = field(repr=False)
    email: str
    sent_at: datetime
    accepted_at: datetime | None = None
    accepted_user: User | None = field(default=None, repr=False)
    invite_id: str = ""


@dataclass(eq=False)
class Subscription:
    """A paid plan of a workspace."""

    key: int
    account: Account = field(repr=False)
    plan: str
    seats: int
    mrr: float
    started_at: datetime
    ended_at: datetime | None = None
    subscription_id: str = ""


@dataclass
class Model:
    """The complete synthetic population, IDs assigned, ready to emit events and rows."""

    config: GeneratorConfig
    orgs: list[Org]
    users: list[User]
    accounts: list[Account]
    invites: list[Invite]
    subscriptions: list[Subscription]

    @property
    def memberships(self) -> list[Membership]:
        """All memberships, in account order."""
        return [m for account in self.accounts for m in account.members]


def stream(config: GeneratorConfig, purpose: str) -> random.Random:
    """An independent random stream for one purpose, derived from the seed only."""
    return random.Random(f"pql-synthetic:{config.seed}:{purpose}")


def at_work_time(day: datetime, tz_offset: int, rng: random.Random) -> datetime:
    """A moment on UTC ``day`` that falls in plausible local working hours."""
    if rng.random() < 0.85:
        local_hour = min(21.9, max(7.0, rng.gauss(13.0, 2.8)))
    else:
        local_hour = rng.uniform(0.0, 24.0)
    seconds = int(local_hour * 3600) + rng.randrange(60)
    utc_seconds = (seconds - tz_offset * 60) % 86_400
    midnight = datetime(day.year, day.month, day.day)
    return midnight + timedelta(seconds=utc_seconds)


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method; fine for the small means used here)."""
    if lam <= 0:
        return 0
    limit = math.exp(-lam)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    """Pick a value from ``(value, weight)`` pairs."""
    return rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]


# ---------------------------------------------------------------------------- orgs


def company_size(rng: random.Random) -> int:
    """A Pareto-distributed company size: mostly 1-3, a few 20-80."""
    size = int(rng.paretovariate(0.8))
    if size > 80:
        size = rng.randint(40, 80)
    return size


def _company_domain(rng: random.Random, taken: set[str]) -> tuple[str, str, int, bool]:
    """An unused invented company domain, its display name, UTC offset and edu flag."""
    while True:
        if rng.random() < 0.03:
            word = rng.choice(names.EDU_WORDS)
            pattern, offset = rng.choice(names.EDU_PATTERNS)
            domain = pattern.format(word=word)
            display = f"{word.replace('-', ' ').title()} University"
            is_edu = True
        else:
            word = rng.choice(names.COMPANY_WORDS)
            suffix = rng.choice(names.COMPANY_SUFFIXES)
            tld_row = rng.choices(
                names.COMPANY_SUFFIX_TLDS, weights=[t[1] for t in names.COMPANY_SUFFIX_TLDS]
            )[0]
            joiner = "-" if rng.random() < 0.6 else ""
            domain = f"{word}{joiner}{suffix}.{tld_row[0]}"
            display = f"{word.title()} {suffix.title()}"
            offset = rng.choice(tld_row[2])
            is_edu = False
        if domain not in taken:
            taken.add(domain)
            return domain, display, offset, is_edu


def make_companies(config: GeneratorConfig, rng: random.Random) -> list[Org]:
    """The company orgs, with sizes, timing, growth trend and latent heat."""
    taken: set[str] = set()
    orgs: list[Org] = []
    window = config.window_end - config.window_start
    for index in range(config.companies):
        domain, display, offset, is_edu = _company_domain(rng, taken)
        size = company_size(rng)
        trend = weighted(rng, (("growing", 35), ("steady", 40), ("fading", 25)))
        if rng.random() < 0.25:
            first = config.window_start - timedelta(days=rng.uniform(1, 300))
        else:
            first = config.window_start + window * rng.uniform(0.0, 0.97)
        power = {"growing": rng.uniform(0.35, 0.7), "steady": 1.0, "fading": rng.uniform(1.6, 3)}
        heat = rng.betavariate(2, 5) + (0.2 if trend == "growing" else 0.0)
        heat += 0.25 * math.log(size) / math.log(80)
        subdomains: tuple[str, ...] = ()
        if size >= 5 and rng.random() < 0.35:
            pool = names.EDU_SUBDOMAINS if is_edu else names.COMPANY_SUBDOMAINS
            subdomains = tuple(rng.sample(pool, k=rng.randint(1, 2)))
        orgs.append(
            Org(
                index=index,
                kind="company",
                domain=domain,
                name=display,
                tz_offset=offset,
                target_size=size,
                first_signup=first,
                span_days=rng.lognormvariate(math.log(60), 0.6),
                growth_power=power[trend],
                trend=trend,
                heat=min(1.0, heat),
                invite_share=rng.uniform(0.2, 0.65),
                accept_rate=min(0.95, max(0.35, rng.gauss(0.65, 0.1))),
                subdomains=subdomains,
                is_edu=is_edu,
            )
        )
    _make_enterprise_customers(config, orgs, rng)
    return orgs


def _make_enterprise_customers(
    config: GeneratorConfig, orgs: list[Org], rng: random.Random
) -> None:
    """Turn a few mid-sized companies into enterprise customers from before the window."""
    candidates = [o for o in orgs if not o.is_edu and o.target_size >= 8]
    count = min(config.enterprise_customers, len(candidates))
    for org in rng.sample(candidates, count):
        org.target_size = max(org.target_size, rng.randint(30, 60))
        org.first_signup = config.window_start - timedelta(days=rng.uniform(250, 500))
        org.span_days = rng.uniform(200, 400)
        org.growth_power = 1.0
        org.trend = "steady"
        org.enterprise_since = config.window_start - timedelta(days=rng.uniform(20, 150))


def make_personal_orgs(config: GeneratorConfig, rng: random.Random, start: int) -> list[Org]:
    """One org per personal-mail signup; these are never companies."""
    orgs = []
    window = config.window_end - config.window_start
    for offset in range(config.personal_users):
        first = config.window_start + window * rng.uniform(-0.3, 0.995)
        orgs.append(personal_org(start + offset, first, rng))
    return orgs


def personal_org(index: int, first_signup: datetime, rng: random.Random) -> Org:
    """A single personal-mail user (free-mail domain, own timezone)."""
    domain = weighted(rng, names.PERSONAL_DOMAINS)
    return Org(
        index=index,
        kind="personal",
        domain=domain,
        name="",
        tz_offset=rng.choice((-480, -300, 0, 60, 120, 330, 540)),
        target_size=1,
        first_signup=first_signup,
        span_days=0.0,
        growth_power=1.0,
        trend="steady",
        heat=rng.betavariate(1, 8),
        invite_share=0.0,
        accept_rate=0.5,
    )


def make_internal_org(config: GeneratorConfig, index: int) -> Org:
    """The product company itself: staff who test their own product every day."""
    return Org(
        index=index,
        kind="internal",
        domain=names.INTERNAL_DOMAIN,
        name="PQL Product",
        tz_offset=60,
        target_size=config.internal_users,
        first_signup=config.window_start - timedelta(days=700),
        span_days=600.0,
        growth_power=1.0,
        trend="steady",
        heat=0.5,
        invite_share=0.0,
        accept_rate=1.0,
    )


# --------------------------------------------------------------------------- people


class Population:
    """Mutable state while the population is being built: counters and used emails."""

    def __init__(self, config: GeneratorConfig) -> None:
        self.config = config
        self.users: list[User] = []
        self.accounts: list[Account] = []
        self.invites: list[Invite] = []
        self.emails: set[str] = set()

    def unique_email(self, local: str, domain: str, rng: random.Random) -> str:
        """``local@domain``, with a number appended to the local part if taken."""
        candidate = f"{local}@{domain}"
        while candidate.lower() in self.emails:
            candidate = f"{local}{rng.randint(2, 99)}@{domain}"
        self.emails.add(candidate.lower())
        return candidate

    def add_user(self, user: User) -> User:
        user.org.users.append(user)
        self.users.append(user)
        return user

    def add_account(self, org: Org, owner: User, name: str, created_at: datetime) -> Account:
        account = Account(len(self.accounts), org, name, created_at, owner)
        self.accounts.append(account)
        org.accounts.append(account)
        join(account, owner, created_at, "owner")
        return account

    def add_invite(self, invite: Invite) -> Invite:
        self.invites.append(invite)
        return invite


def join(account: Account, user: User, joined_at: datetime, role: str) -> Membership:
    """Add ``user`` to ``account``."""
    membership = Membership(account, user, joined_at, role)
    account.members.append(membership)
    user.memberships.append(membership)
    return membership


def person_name(rng: random.Random) -> tuple[str, str]:
    """An invented (first, last) name."""
    return rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def work_email(first: str, last: str, org: Org, rng: random.Random, pop: Population) -> str:
    """A company address, sometimes on a subdomain, sometimes in odd capitals."""
    f, last_slug = _slug(first), _slug(last)
    local = weighted(
        rng,
        (
            (f"{f}.{last_slug}", 55),
            (f"{f[0]}{last_slug}", 20),
            (f, 10),
            (f"{f}_{last_slug}", 5),
            (f"{f}{last_slug[0]}", 10),
        ),
    )
    domain = org.domain
    if org.subdomains and rng.random() < 0.35:
        domain = f"{rng.choice(org.subdomains)}.{org.domain}"
    if rng.random() < 0.03:
        local = ".".join(part.capitalize() for part in local.split("."))
        domain = domain.upper() if rng.random() < 0.6 else domain.capitalize()
    return pop.unique_email(local, domain, rng)


def personal_email(first: str, last: str, domain: str, rng: random.Random, pop: Population) -> str:
    """A free-mail address such as ``jane.doe84@gmail.com``."""
    f, last_slug = _slug(first), _slug(last)
    local = weighted(
        rng,
        (
            (f"{f}.{last_slug}{rng.randint(1, 99)}", 35),
            (f"{f}{last_slug}{rng.randint(70, 99)}", 25),
            (f"{f[0]}{last_slug}{rng.randint(100, 999)}", 20),
            (f"{f}.{last_slug}", 20),
        ),
    )
    if rng.random() < 0.02:
        local = local.capitalize()
    return pop.unique_email(local, domain, rng)


def _engagement(
    org: Org, created_at: datetime, invited: bool, rng: random.Random
) -> tuple[datetime | None, str | None, str, float, datetime | None]:
    """Activation time and event, usage pattern, base rate and churn time of a user."""
    p_activate = {"company": 0.78, "personal": 0.6, "internal": 1.0}[org.kind]
    if invited:
        p_activate = min(1.0, p_activate + 0.08)
    activation_at: datetime | None = None
    activation_event: str | None = None
    if rng.random() < p_activate:
        hours = min(24 * 21, rng.lognormvariate(math.log(2.0), 1.6))
        activation_at = created_at + timedelta(hours=hours, seconds=rng.randint(5, 600))
        activation_event = "project_created" if rng.random() < 0.65 else "integration_connected"
    if org.kind == "internal":
        return activation_at, activation_event, "plateau", rng.uniform(0.3, 0.45), None
    if activation_at is None:
        churn = created_at + timedelta(days=rng.expovariate(1 / 4))
        return None, None, "dormant", 0.0, churn
    mix = {
        "growing": (("grow", 50), ("plateau", 35), ("churn", 15)),
        "steady": (("grow", 20), ("plateau", 50), ("churn", 30)),
        "fading": (("grow", 5), ("plateau", 30), ("churn", 65)),
    }[org.trend]
    if org.kind == "personal":
        mix = (("grow", 10), ("plateau", 30), ("churn", 60))
    pattern = weighted(rng, mix)
    if org.kind == "personal":
        base = rng.uniform(0.02, 0.10)
    else:
        base = rng.uniform(0.035, 0.14) * (1.0 + 0.6 * org.heat)
    churn_at = None
    if pattern == "churn":
        churn_at = activation_at + timedelta(days=3 + rng.expovariate(1 / 30))
    return activation_at, activation_event, pattern, base, churn_at


def new_user(
    pop: Population,
    org: Org,
    created_at: datetime,
    channel: str,
    rng: random.Random,
    email: str | None = None,
    full_name: str | None = None,
) -> User:
    """Create a user of ``org`` signing up at ``created_at``."""
    if email is None or full_name is None:
        first, last = person_name(rng)
        full_name = f"{first} {last}"
        if org.kind == "personal":
            email = personal_email(first, last, org.domain, rng, pop)
        else:
            email = work_email(first, last, org, rng, pop)
    activation = _engagement(org, created_at, channel == "invite", rng)
    user = User(len(pop.users), org, email, full_name, created_at, channel, *activation)
    return pop.add_user(user)


def organic_channel(org: Org, rng: random.Random) -> str:
    """How a self-serve signup found the product."""
    if org.kind == "internal":
        return "internal"
    options: tuple[tuple[str, int], ...] = (
        ("organic", 55),
        ("referral", 12),
        ("paid_search", 10),
        ("content", 10),
        ("partner", 5),
        ("product_hunt", 3),
    )
    if org.users and rng.random() < 0.3:
        return "referral"
    return weighted(rng, options)


# ------------------------------------------------------------------ company adoption


def arrival_times(org: Org, config: GeneratorConfig, rng: random.Random) -> list[datetime]:
    """Signup moments of the org's people, cut at the end of the window."""
    days = [0.0] + [
        org.span_days * rng.random() ** org.growth_power for _ in range(org.target_size - 1)
    ]
    days.sort()
    moments = []
    for offset in days:
        day = org.first_signup + timedelta(days=offset)
        moment = at_work_time(day, org.tz_offset, rng)
        if moment < config.window_end - timedelta(hours=2):
            moments.append(moment)
    moments.sort()
    return moments


def workspace_name(org: Org, user: User, rng: random.Random) -> str:
    """A name for a new workspace created by ``user``."""
    first, _, last = user.full_name.partition(" ")
    if org.kind == "personal":
        return rng.choice(names.PERSONAL_WORKSPACE_NAMES).format(first=first, last=last)
    if not org.accounts:
        return org.name
    if rng.random() < 0.2:
        return f"{first}'s workspace"
    return f"{org.name} {rng.choice(names.TEAM_NAMES)}"


def invite_delay(rng: random.Random) -> timedelta:
    """Time from sending an invite to its acceptance: lognormal, hours to days."""
    hours = rng.lognormvariate(math.log(7.0), 1.4)
    return timedelta(hours=min(24 * 20, max(0.03, hours)))


def pick_inviter(account: Account, before: datetime, rng: random.Random) -> Membership | None:
    """A member who had joined before ``before``; owners and admins invite most."""
    candidates = [m for m in account.members if m.joined_at < before and m.role != "guest"]
    if not candidates:
        return None
    weights = [3 if m.role in ("owner", "admin") else 1 for m in candidates]
    return rng.choices(candidates, weights=weights)[0]


def _open_accounts(org: Org, moment: datetime) -> list[Account]:
    return [a for a in org.accounts if a.created_at < moment - timedelta(hours=1)]


def simulate_org(org: Org, pop: Population, rng: random.Random) -> None:
    """Play out the org's adoption: signups, workspaces, invites and memberships."""
    config = pop.config
    for position, moment in enumerate(arrival_times(org, config, rng)):
        accounts = _open_accounts(org, moment)
        invited = position > 0 and bool(accounts) and rng.random() < org.invite_share
        if invited and invite_arrival(org, accounts, moment, pop, rng):
            continue
        organic_arrival(org, position, moment, pop, rng)


def organic_arrival(
    org: Org, position: int, moment: datetime, pop: Population, rng: random.Random
) -> None:
    """A self-serve signup who creates a workspace, joins one, or stays on their own."""
    user = new_user(pop, org, moment, organic_channel(org, rng), rng)
    accounts = _open_accounts(org, moment)
    roll = rng.random()
    if org.kind == "personal":
        create, join_existing = roll < 0.7, False
    elif position == 0:
        create, join_existing = roll < 0.92 or org.enterprise_since is not None, False
    elif not accounts:
        create, join_existing = roll < 0.5, False
    else:
        create, join_existing = roll < 0.35, roll < 0.8
    if create:
        created_at = moment + timedelta(seconds=rng.randint(20, 900))
        pop.add_account(org, user, workspace_name(org, user, rng), created_at)
    elif join_existing:
        account = min(accounts, key=lambda a: (-len(a.members), a.created_at, a.key))
        if rng.random() < 0.3:
            account = rng.choice(accounts)
        join(account, user, moment + timedelta(seconds=rng.randint(60, 7200)), "member")


def invite_arrival(
    org: Org, accounts: list[Account], moment: datetime, pop: Population, rng: random.Random
) -> bool:
    """An invited colleague accepts at ``moment``; pending invites may precede it."""
    weights = [len(a.members) for a in accounts]
    account = rng.choices(accounts, weights=weights)[0]
    sent_at = moment - invite_delay(rng)
    inviter = pick_inviter(account, sent_at, rng)
    if inviter is None:
        inviter = pick_inviter(account, moment - timedelta(minutes=5), rng)
        if inviter is None:
            return False
        sent_at = inviter.joined_at + (moment - inviter.joined_at) * rng.uniform(0.2, 0.9)
    while rng.random() > org.accept_rate:
        pending_invite(org, account, moment, pop, rng)
    first, last = person_name(rng)
    email = work_email(first, last, org, rng, pop)
    created_at = moment - min(timedelta(seconds=rng.randint(30, 300)), (moment - sent_at) / 2)
    user = new_user(pop, org, created_at, "invite", rng, email=email, full_name=f"{first} {last}")
    role = "admin" if rng.random() < 0.12 else "member"
    join(account, user, moment, role)
    pop.add_invite(Invite(len(pop.invites), account, inviter.user, email, sent_at, moment, user))
    return True


def pending_invite(
    org: Org, account: Account, around: datetime, pop: Population, rng: random.Random
) -> None:
    """An invite that is never accepted (ignored, bounced, or still pending)."""
    config = pop.config
    sent_at = around + timedelta(days=rng.uniform(-20, 20))
    sent_at = min(sent_at, config.window_end - timedelta(minutes=30))
    inviter = pick_inviter(account, sent_at, rng)
    if inviter is None:
        inviter = pick_inviter(account, around, rng)
        if inviter is None:
            return
        sent_at = inviter.joined_at + (around - inviter.joined_at) * rng.uniform(0.3, 1.0)
    first, last = person_name(rng)
    if rng.random() < 0.1:
        email = personal_email(first, last, weighted(rng, names.PERSONAL_DOMAINS), rng, pop)
    else:
        email = work_email(first, last, org, rng, pop)
    pop.add_invite(Invite(len(pop.invites), account, inviter.user, email, sent_at))


def invite_guests(
    org: Org, pop: Population, next_index: list[int], rng: random.Random
) -> list[Org]:
    """External guests (contractors on personal mail) invited to the org's bigger workspaces."""
    guests: list[Org] = []
    config = pop.config
    for account in list(org.accounts):
        if len(account.members) < 3 or rng.random() > 0.25:
            continue
        inviter = rng.choice(account.members)
        if inviter.role == "guest":
            continue
        earliest = max(inviter.joined_at, config.window_start - timedelta(days=60))
        latest = config.window_end - timedelta(hours=6)
        if earliest >= latest:
            continue
        sent_at = earliest + (latest - earliest) * rng.random()
        guest_org = personal_org(next_index[0], sent_at, rng)
        next_index[0] += 1
        first, last = person_name(rng)
        email = personal_email(first, last, guest_org.domain, rng, pop)
        invite = Invite(len(pop.invites), account, inviter.user, email, sent_at)
        pop.add_invite(invite)
        accepted_at = sent_at + invite_delay(rng)
        if rng.random() < org.accept_rate and accepted_at < latest:
            lead = min(timedelta(seconds=rng.randint(30, 300)), (accepted_at - sent_at) / 2)
            full_name = f"{first} {last}"
            user = new_user(pop, guest_org, accepted_at - lead, "invite", rng, email, full_name)
            join(account, user, accepted_at, "guest")
            invite.accepted_at, invite.accepted_user = accepted_at, user
            guests.append(guest_org)
    return guests


def simulate_internal(org: Org, pop: Population, rng: random.Random) -> None:
    """Staff accounts: long-standing users, each in one to three internal workspaces."""
    config = pop.config
    staff = []
    for _ in range(org.target_size):
        created = config.window_start - timedelta(days=rng.uniform(30, 700))
        staff.append(new_user(pop, org, at_work_time(created, org.tz_offset, rng), "internal", rng))
    staff.sort(key=lambda u: (u.created_at, u.key))
    if not staff:
        return
    for position, name in enumerate(names.INTERNAL_WORKSPACES):
        owner = staff[position % len(staff)]
        created = owner.created_at + timedelta(hours=rng.uniform(1, 48))
        account = pop.add_account(org, owner, name, created)
        for user in staff:
            if user is not owner and rng.random() < 0.5:
                joined = max(user.created_at, created) + timedelta(hours=rng.uniform(1, 200))
                join(account, user, joined, "admin" if rng.random() < 0.5 else "member")


def ensure_inviters_activated(invites: list[Invite]) -> None:
    """Sending an invite is an activation event: no inviter activates after inviting."""
    for invite in sorted(invites, key=lambda i: (i.sent_at, i.key)):
        user = invite.inviter
        if user.activation_at is None or invite.sent_at < user.activation_at:
            if user.pattern == "dormant":
                user.pattern = "churn"
                user.base_rate = 0.08
                user.churn_at = invite.sent_at + timedelta(days=14)
            user.activation_at = invite.sent_at
            user.activation_event = "invite_sent"


# ---------------------------------------------------------------- commercial state


def main_account(org: Org) -> Account | None:
    """The org's biggest workspace (oldest on ties)."""
    if not org.accounts:
        return None
    return min(org.accounts, key=lambda a: (-len(a.members), a.created_at, a.key))


def choose_conversions(config: GeneratorConfig, orgs: list[Org], rng: random.Random) -> None:
    """Mark ~10 % of companies as converting; mostly those with strong bottom-up signals."""
    companies = [o for o in orgs if o.kind == "company" and o.enterprise_since is None]
    target = round(CONVERSION_SHARE * config.companies)
    ranked = []
    for org in companies:
        accepted = sum(1 for a in org.accounts for m in a.members if m.user.channel == "invite")
        score = math.log1p(len(org.users)) + 1.2 * org.heat + 0.25 * math.sqrt(accepted)
        score += (0.3 if org.trend == "growing" else 0.0) + rng.gauss(0.0, 0.5)
        ranked.append((score, org.index, org))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    n_random = target // 5
    chosen = 0
    for _, _, org in ranked:
        if chosen >= target - n_random:
            break
        chosen += _try_convert(config, org, strong=True, rng=rng)
    rest = [org for _, _, org in ranked if org.converts_at is None]
    rng.shuffle(rest)
    for org in rest:
        if chosen >= target:
            break
        chosen += _try_convert(config, org, strong=False, rng=rng)


def _try_convert(config: GeneratorConfig, org: Org, strong: bool, rng: random.Random) -> int:
    account = main_account(org)
    if account is None:
        return 0
    account.freeze()
    if strong:
        k = max(1, min(8, math.ceil(0.5 * len(account.members))))
        base = account.members[k - 1].joined_at
        moment = base + timedelta(days=rng.lognormvariate(math.log(20), 0.6))
    else:
        moment = account.created_at + timedelta(days=rng.uniform(7, 90))
    moment = at_work_time(moment, org.tz_offset, rng)
    if (
        not config.window_start + timedelta(days=7)
        <= moment
        <= config.window_end - timedelta(days=1)
    ):
        return 0
    org.converts_at = moment
    return 1


def _paid_plan(members: int, rng: random.Random) -> str:
    if members <= 6:
        return "team" if rng.random() < 0.85 else "business"
    if members <= 25:
        return weighted(rng, (("team", 40), ("business", 50), ("enterprise", 10)))
    return weighted(rng, (("business", 50), ("enterprise", 50)))


def _mrr(plan: str, seats: int, rng: random.Random) -> float:
    price = SEAT_PRICE[plan] * seats
    if rng.random() < 0.3:
        price *= 0.85  # annual billing discount
    return round(price, 2)


def make_subscriptions(
    config: GeneratorConfig, orgs: list[Org], rng: random.Random
) -> list[Subscription]:
    """Subscriptions (and plan histories) for converting and enterprise companies; trials."""
    subs: list[Subscription] = []
    end = config.window_end - timedelta(hours=1)
    for org in orgs:
        account = main_account(org)
        if org.kind != "company" or account is None:
            continue
        account.freeze()
        if org.enterprise_since is not None:
            start = max(org.enterprise_since, account.created_at + timedelta(days=30))
            seats = max(account.members_at(config.window_end) + 10, rng.randint(5, 20) * 10)
            subs.append(
                Subscription(0, account, "enterprise", seats, _mrr("enterprise", seats, rng), start)
            )
            account.plan_history.append((start, "enterprise"))
        elif org.converts_at is not None:
            subs.extend(_conversion_subscriptions(config, org, account, rng))
        elif org.heat > 0.55 and rng.random() < 0.3:
            earliest = max(account.created_at, config.window_start) + timedelta(days=3)
            if earliest < end:
                trial_at = earliest + (end - earliest) * rng.random()
                account.plan_history.append((trial_at, "trial"))
                account.plan_history.append((trial_at + timedelta(days=TRIAL_DAYS), "free"))
    subs.sort(key=lambda s: (s.started_at, s.account.key))
    for number, sub in enumerate(subs, start=1):
        sub.key = number
        sub.subscription_id = f"sub_{number:06d}"
    return subs


def _conversion_subscriptions(
    config: GeneratorConfig, org: Org, account: Account, rng: random.Random
) -> list[Subscription]:
    assert org.converts_at is not None
    start = org.converts_at
    end = config.window_end - timedelta(hours=1)
    if rng.random() < 0.5 and start - timedelta(days=TRIAL_DAYS) > account.created_at:
        account.plan_history.append((start - timedelta(days=TRIAL_DAYS), "trial"))
    members = account.members_at(start)
    plan = _paid_plan(members, rng)
    seats = max(3, members + rng.randint(0, 3))
    if plan == "enterprise":
        seats = max(20, math.ceil(seats / 10) * 10)
    sub = Subscription(0, account, plan, seats, _mrr(plan, seats, rng), start)
    account.plan_history.append((start, plan))
    subs = [sub]
    roll = rng.random()
    if roll < 0.25:
        ended = start + timedelta(days=rng.uniform(25, 100))
        if ended < end:
            sub.ended_at = ended
            account.plan_history.append((ended, "free"))
    elif roll < 0.4 and plan == "team":
        upgraded = start + timedelta(days=rng.uniform(20, 100))
        if upgraded < end:
            sub.ended_at = upgraded
            new_seats = seats + rng.randint(2, 10)
            subs.append(
                Subscription(
                    0, account, "business", new_seats, _mrr("business", new_seats, rng), upgraded
                )
            )
            account.plan_history.append((upgraded, "business"))
    return subs


# ----------------------------------------------------------------------------- IDs


def assign_ids(users: list[User], accounts: list[Account], invites: list[Invite]) -> None:
    """Readable IDs in order of creation time: u_000001, a_000001, inv_000001."""
    users.sort(key=lambda u: (u.created_at, u.key))
    for number, user in enumerate(users, start=1):
        user.user_id = f"u_{number:06d}"
    accounts.sort(key=lambda a: (a.created_at, a.key))
    for number, account in enumerate(accounts, start=1):
        account.account_id = f"a_{number:06d}"
    invites.sort(key=lambda i: (i.sent_at, i.key))
    for number, invite in enumerate(invites, start=1):
        invite.invite_id = f"inv_{number:06d}"


def build_model(config: GeneratorConfig) -> Model:
    """Build the whole population for ``config`` (deterministic in the config)."""
    orgs = make_companies(config, stream(config, "companies"))
    orgs += make_personal_orgs(config, stream(config, "personal"), start=len(orgs))
    internal = make_internal_org(config, len(orgs))
    orgs.append(internal)
    pop = Population(config)
    guests: list[Org] = []
    next_index = [len(orgs)]
    for org in orgs:
        rng = stream(config, f"org:{org.index}")
        if org.kind == "internal":
            simulate_internal(org, pop, rng)
            continue
        simulate_org(org, pop, rng)
        if org.kind == "company":
            guests += invite_guests(org, pop, next_index, rng)
    orgs += guests
    ensure_inviters_activated(pop.invites)
    choose_conversions(config, orgs, stream(config, "conversions"))
    subscriptions = make_subscriptions(config, orgs, stream(config, "subscriptions"))
    for account in pop.accounts:
        account.freeze()
    assign_ids(pop.users, pop.accounts, pop.invites)
    return Model(config, orgs, pop.users, pop.accounts, pop.invites, subscriptions)
