"""Company resolution checked against the Public Suffix List package as an oracle.

A real warehouse is built in a temporary DuckDB file from raw users and invites with tricky
email domains (subdomains, multi-part, wildcard and exception suffixes, upper case, IDN,
personal, internal, education, bare suffixes, invalid hosts), then
``dbt build --select +int_users_resolved`` runs (seeds included). Every resolved domain's
public suffix and registrable domain must equal what ``publicsuffixlist`` computes from the
same bundled list (ICANN section only).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from publicsuffixlist import PublicSuffixList

from orchestration.raw.contract import ENTITIES
from orchestration.raw.loader import load_entity
from orchestration.settings import DBT_PROJECT_DIR
from tests.conftest import write_raw

CREATED_AT = "2026-01-05T10:00:00Z"

#: user_id -> email. Comments say what each one exercises.
EMAILS: dict[str, str] = {
    "u01": "Ann@Eng.Acme.com",  # subdomain, mixed case
    "u02": "bo@ACME.COM",  # upper case
    "u03": "cy@london.bigcorp.co.uk",  # multi-part suffix with subdomain
    "u04": "di@BigCorp.Co.UK",
    "u05": "ed@a.b.c.d.e.f.g.acme.co.uk",  # more labels than any rule
    "u06": "fa@sydney.koala-labs.com.au",
    "u07": "gi@tokyo.sakura-works.co.jp",
    "u08": "ha@sao.paulo-data.com.br",
    "u09": "ij@gmail.com",  # personal
    "u10": "jo@GoogleMail.com",
    "u11": "ka@yahoo.co.uk",
    "u12": "lu@proton.me",
    "u13": "mo@hey.com",  # personal by override
    "u14": "ne@pqlproduct.io",  # internal
    "u15": "ol@eng.pqlproduct.io",
    "u16": "pa@cs.stanford.edu",  # education
    "u17": "qu@ox.ac.uk",
    "u18": "ra@students.unimelb.edu.au",
    "u19": "sa@u-tokyo.ac.jp",
    "u20": "ta@co.uk",  # bare public suffix
    "u21": "ul@com.au",
    "u22": "vi@foo.bar.ck",  # wildcard *.ck
    "u23": "wa@www.ck",  # exception !www.ck
    "u24": "xe@mail.www.ck",
    "u25": "ya@bar.ck",  # bare suffix by wildcard
    "u26": "za@city.kawasaki.jp",  # exception !city.kawasaki.jp
    "u27": "ab@a.kawasaki.jp",  # bare suffix by wildcard *.kawasaki.jp
    "u28": "ac@kawasaki.jp",  # the wildcard's implicit root
    "u29": "ad@staff.school.sch.uk",  # wildcard *.sch.uk
    "u30": "ae@lincoln.k12.ca.us",  # four-label suffix
    "u31": "af@someone.github.io",  # PRIVATE section rule: not applied
    "u32": "ag@shop.公司.cn",  # IDN rule, Unicode
    "u33": "ah@shop.xn--55qx5d.cn",  # the same rule in punycode
    "u34": "ai@bücher.de",  # IDN label under an ASCII rule
    "u35": "aj@Café-Crème.FR",  # non-ASCII upper case
    "u36": "ak@acme.internal",  # unlisted TLD: default rule *
    "u37": "al@.acme.com",  # invalid: empty label
    "u38": "am@acme..com",
    "u39": "an@my-company.io",
    "u40": "ao@a.co",
    "u41": "ap@mail.austria.com",  # free-mail list entry that is a subdomain
    "u42": "aq@eng.austria.com",
    "u43": "  ar@Example.ORG  ",  # whitespace
    "u44": "as@andøy.no",  # Unicode normal rule
}

#: Invitee-only domains must be resolved too.
INVITEE_EMAILS: dict[str, str] = {
    "i1": "new@Research.Acme.com",
    "i2": "zz@sub.example.co.jp",
    "i3": "ob@mail.www.ck",
}


def email_domain(email: str) -> str:
    return email.strip().lower().rsplit("@", 1)[1]


def domains_from_every_rule() -> list[str]:
    """Two or three domains under every ICANN rule of the seed, so each rule is exercised.

    ``co.uk`` gives ``co.uk``, ``x.co.uk`` and ``y.x.co.uk``; ``*.ck`` gives ``w.ck``,
    ``x.w.ck`` and ``y.x.w.ck``; ``!www.ck`` gives ``www.ck`` and ``x.www.ck``. Single-label
    suffixes are left out bare (an email needs a dot in its domain).
    """
    with (DBT_PROJECT_DIR / "seeds" / "public_suffixes.csv").open(encoding="utf-8") as handle:
        rules = [line.split(",")[0] for line in handle.read().splitlines()[1:]]
    domains = set()
    for rule in rules:
        base = rule.removeprefix("!").replace("*", "w")
        domains.update({f"x.{base}", f"y.x.{base}"})
        if "." in base:
            domains.add(base)
    return sorted(domains)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("domains")
    seeds, db_path = tmp / "seeds", tmp / "warehouse.duckdb"
    users = [
        {"user_id": user_id, "email": email, "created_at": CREATED_AT, "signup_channel": "organic"}
        for user_id, email in EMAILS.items()
    ]
    invites = [
        {
            "invite_id": invite_id,
            "account_id": "a1",
            "inviter_user_id": "u01",
            "invitee_email": email,
            "sent_at": CREATED_AT,
        }
        for invite_id, email in INVITEE_EMAILS.items()
    ]
    users += [
        {"user_id": f"g{index:05d}", "email": f"g@{domain}", "created_at": CREATED_AT}
        for index, domain in enumerate(domains_from_every_rule())
    ]
    write_raw(seeds / "users.csv", users)
    write_raw(seeds / "invites.csv", invites)
    with duckdb.connect(str(db_path)) as con:
        for entity in ENTITIES:
            for result in load_entity(con, seeds, entity):
                assert result.rows_rejected == 0, result
    dbt = Path(sys.executable).parent / "dbt"
    command = [
        str(dbt), "build", "--select", "+int_users_resolved", "--indirect-selection", "cautious",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs"),
    ]  # fmt: skip
    env = {**os.environ, "PQL_DUCKDB_PATH": str(db_path)}
    run = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return db_path


def query(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_domain_resolves_like_the_public_suffix_list_package(warehouse):
    oracle = PublicSuffixList(only_icann=True)
    rows = query(
        warehouse,
        "select email_domain, public_suffix, registrable_domain "
        "from intermediate.int_email_domains_resolved order by email_domain",
    )
    expected_domains = {email_domain(e) for e in [*EMAILS.values(), *INVITEE_EMAILS.values()]}
    expected_domains.update(domains_from_every_rule())
    assert {row[0] for row in rows} == expected_domains
    actual = {domain: (suffix, registrable) for domain, suffix, registrable in rows}
    expected = {
        domain: (oracle.publicsuffix(domain), oracle.privatesuffix(domain))
        for domain in expected_domains
    }
    assert actual == expected


def test_users_get_their_company_and_domain_type(warehouse):
    rows = query(
        warehouse,
        "select user_id, company_domain, domain_type, is_personal_email, is_internal_user, "
        "is_education_domain from intermediate.int_users_resolved",
    )
    users = {row[0]: row[1:] for row in rows if row[0] in EMAILS}
    assert len(users) == len(EMAILS)
    assert users["u01"] == ("acme.com", "company", False, False, False)
    assert users["u02"] == ("acme.com", "company", False, False, False)
    assert users["u03"] == ("bigcorp.co.uk", "company", False, False, False)
    assert users["u04"] == ("bigcorp.co.uk", "company", False, False, False)
    assert users["u05"] == ("acme.co.uk", "company", False, False, False)
    for personal in ("u09", "u10", "u11", "u12", "u13", "u41"):
        assert users[personal] == (None, "personal", True, False, False), personal
    for internal in ("u14", "u15"):
        assert users[internal] == (None, "internal", False, True, False), internal
    for school, company in [
        ("u16", "stanford.edu"),
        ("u17", "ox.ac.uk"),
        ("u18", "unimelb.edu.au"),
        ("u19", "u-tokyo.ac.jp"),
    ]:
        assert users[school] == (company, "company", False, False, True), school
    for bare in ("u20", "u21", "u25", "u27", "u28"):
        assert users[bare][:2] == (None, "public_suffix"), bare
    for invalid in ("u37", "u38"):
        assert users[invalid][:2] == (None, "invalid"), invalid
    assert users["u24"][:2] == ("www.ck", "company")
    assert users["u31"][:2] == ("github.io", "company")
    assert users["u32"][:2] == ("shop.公司.cn", "company")
    assert users["u35"][:2] == ("café-crème.fr", "company")
    assert users["u42"][:2] == ("austria.com", "company")


def test_no_email_address_leaves_staging(warehouse):
    columns = query(warehouse, "describe intermediate.int_users_resolved")
    assert "email" not in {column[0] for column in columns}
