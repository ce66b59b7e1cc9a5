"""Command line: ``python -m orchestration.synthetic --out seeds/ [options]``.

With the defaults (seed 7, 160 companies, 600 personal-mail users, 200 days ending
2026-10-31, CSV) it reproduces the bundled ``seeds/`` sample byte for byte.

Bulk mode (``--events 100M --format parquet``, see :mod:`.bulk`) writes millions of events
with numpy and pyarrow: a 181-day window ending 2026-10-31 by default, one Parquet file
per day under ``events/``, and users, companies, invites and subscriptions scaled to the
event count.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from orchestration.synthetic.catalog import write_catalog
from orchestration.synthetic.generator import GeneratorConfig
from orchestration.synthetic.run import GenerationResult, generate
from orchestration.synthetic.writers import FORMATS

DEFAULTS = GeneratorConfig()
#: Window length of bulk mode (kept here so that the CSV path never imports numpy).
BULK_DEFAULT_DAYS = 181


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.synthetic",
        description="Write deterministic synthetic raw data (PRODUCT.md section 5).",
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder (e.g. seeds/)")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
    parser.add_argument("--format", choices=sorted(FORMATS), default="csv", dest="fmt")
    parser.add_argument("--companies", type=int, default=DEFAULTS.companies)
    parser.add_argument(
        "--personal-users",
        type=int,
        default=DEFAULTS.personal_users,
        help="self-serve signups on personal mail domains (gmail.com, ...)",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=None,
        help=f"length of the window (default {DEFAULTS.days}; {BULK_DEFAULT_DAYS} with --events)",
    )
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=DEFAULTS.end_date,
        help="last day of the window, YYYY-MM-DD (never today's date)",
    )
    parser.add_argument(
        "--events-per-active-user",
        type=float,
        default=DEFAULTS.events_per_active_user,
        help="mean events per user per active day",
    )
    parser.add_argument(
        "--dirt-rate",
        type=float,
        default=DEFAULTS.dirt_rate,
        help="share of rows made contract-breaking or re-delivered (0 for clean data)",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help="also write the event catalog seed here (e.g. dbt_project/seeds/event_catalog.csv)",
    )
    parser.add_argument(
        "--events",
        default=None,
        help="bulk mode: write exactly this many events (e.g. 50k, 1M, 10M, 100M) as Parquet",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="bulk mode: processes writing days in parallel (default 2)",
    )
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> GeneratorConfig:
    """The generator config the arguments describe."""
    return GeneratorConfig(
        seed=args.seed,
        companies=args.companies,
        personal_users=args.personal_users,
        days=args.days or DEFAULTS.days,
        end_date=args.end_date,
        events_per_active_user=args.events_per_active_user,
        dirt_rate=args.dirt_rate,
    )


def summary_lines(result: GenerationResult) -> list[str]:
    """One line per entity, then the world's headline figures and the dirt counts."""
    lines = []
    for entity, written in result.files.items():
        where = written[0].path if len(written) == 1 else result.out_dir / "events"
        files = f" in {len(written)} files" if len(written) > 1 else ""
        lines.append(
            f"{entity:<13} {result.rows(entity):>8,} rows{files}, "
            f"{result.bytes(entity) / 1024:,.1f} KiB -> {where}"
        )
    lines.append(f"{'total':<13} {result.bytes() / 1_048_576:,.2f} MiB")
    stats = result.stats
    lines.append(
        f"companies {int(stats['companies'])} ({int(stats['converted_companies'])} converted, "
        f"{int(stats['enterprise_customers'])} enterprise from the start), "
        f"invite acceptance {stats['invite_acceptance']:.0%}, "
        f"late events {int(stats['late_events'])}"
    )
    dirt = ", ".join(f"{kind} {count}" for kind, count in result.dirt.items() if count)
    lines.append(f"dirt: {dirt or 'none'}")
    return lines


def run_bulk(args: argparse.Namespace) -> int:
    """Bulk mode (``--events``): numpy and pyarrow, Parquet only, clean data."""
    from orchestration.synthetic import bulk  # numpy is only needed here

    if args.fmt != "parquet":
        print(
            "error: --events (bulk mode) writes Parquet only: add --format parquet",
            file=sys.stderr,
        )
        return 2
    try:
        config = bulk.BulkConfig(
            events=bulk.parse_count(args.events),
            seed=args.seed,
            days=args.days or bulk.DEFAULT_DAYS,
            end_date=args.end_date,
            workers=args.workers,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = bulk.main_bulk(config, args.out)
    if args.catalog is not None:
        size = write_catalog(args.catalog)
        print(f"{'event catalog':<13} {size:,} bytes -> {args.catalog}")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator; returns the process exit code."""
    args = parse_args(argv)
    if args.events is not None:
        return run_bulk(args)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = generate(config, args.out, args.fmt)
    for line in summary_lines(result):
        print(line)
    if args.catalog is not None:
        size = write_catalog(args.catalog)
        print(f"{'event catalog':<13} {size:,} bytes -> {args.catalog}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
