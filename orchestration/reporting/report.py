"""The PQL report: one self-contained HTML page rendered from the working warehouse's marts.

The page has no external reference at all (no CDN, no web font, no script): inline CSS and
inline SVG charts drawn by :mod:`orchestration.reporting.charts`. Every value from the
warehouse is escaped with :func:`html.escape`. Sections (docs/reports.md defines each):

- header: the as-of date and the headline numbers;
- the ranked PQL list (top 25 by score) with tier badge, routing / expansion flag, the
  plain-words summary and the points per signal as small bars;
- the tier distribution; new PQLs per day (last 90 days); the adoption funnel (users);
- the backtest: conversion rate per tier against the base rate, with the lift.

:func:`render_report` takes only :class:`~orchestration.reporting.data.ReportData`;
:func:`build_report` reads the warehouse (read-only) and writes the files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

from orchestration.reporting import charts
from orchestration.reporting.charts import TIER_COLORS, Bar, tier_color
from orchestration.reporting.data import (
    BacktestTier,
    RankedCompany,
    ReportData,
    Signal,
    load_report_data,
)
from orchestration.reporting.files import atomic_write_text, connect_read_only

REPORT_FILE = "pql_report.html"
DASH = "\u2013"  # en dash: a missing value, a range
TIMES = "\u00d7"  # multiplication sign: a lift
SECTION_IDS = ("headline", "ranked", "tiers", "new-pqls", "funnel", "backtest")


def e(value: object) -> str:
    """Escape any value for HTML text and attributes."""
    return escape("" if value is None else str(value), quote=True)


def fmt_int(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


def fmt_pct(value: float | None, digits: int = 1) -> str:
    if value is None:
        return DASH
    text = f"{value * 100:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value * 100:.0f}"
    return f"{text}%"


def fmt_lift(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}{TIMES}"


def fmt_signal_value(value: float | None, signal: Signal | None) -> str:
    if value is None:
        return DASH
    kind = signal.format if signal else "count"
    if kind == "percent":
        return fmt_pct(value, 0)
    if kind == "ratio":
        return f"{value:.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _signal_name(name: str) -> str:
    return name.replace("_", " ")


# ---------------------------------------------------------------------------- sections


def _kpi(value: str, label: str, note: str = "", css: str = "") -> str:
    note_html = f'<div class="kpi-note">{e(note)}</div>' if note else ""
    return (
        f'<div class="kpi {e(css)}"><div class="kpi-value">{e(value)}</div>'
        f'<div class="kpi-label">{e(label)}</div>{note_html}</div>'
    )


def _headline_lift(backtest: Iterable[BacktestTier]) -> tuple[str, str]:
    for row in backtest:
        if row.tier == "hot":
            if row.lift_90d is not None:
                return fmt_lift(row.lift_90d), "hot tier, converted to paid within 90 days"
            if row.lift_30d is not None:
                return fmt_lift(row.lift_30d), "hot tier, converted to paid within 30 days"
    return DASH, "no complete backtest horizon yet"


def _header(data: ReportData) -> str:
    as_of = data.as_of_date.isoformat() if data.as_of_date else "not scored yet"
    h = data.headline
    lift, lift_note = _headline_lift(data.backtest)
    kpis = "".join(
        [
            _kpi(fmt_int(h.companies), "Companies scored"),
            _kpi(fmt_int(h.pqls), "PQL companies", "score and size over the PQL threshold"),
            _kpi(fmt_int(h.routed_to_sales), "Routed to sales", "PQLs not paying yet"),
            _kpi(fmt_int(h.expansion_candidates), "Expansion", "PQLs already paying"),
            _kpi(fmt_int(h.new_pqls_today), "New PQLs today", "became a PQL on the as-of date"),
            _kpi(lift, "Lift over base rate", lift_note, "accent"),
        ]
    )
    return f"""
<header id="headline">
  <div class="wrap">
    <div class="eyebrow">PQL warehouse · daily report</div>
    <h1>Product-qualified leads</h1>
    <p class="asof">As of <strong>{e(as_of)}</strong>: every number is computed from data
      known by the end of that day.</p>
    <div class="kpis">{kpis}</div>
  </div>
</header>"""


def _status(company: RankedCompany) -> str:
    if company.is_expansion_candidate:
        return '<span class="flag expansion" title="PQL already paying">Expansion</span>'
    if company.route_to_sales:
        return '<span class="flag route" title="PQL not paying yet">Route to sales</span>'
    return f'<span class="flag none">{DASH}</span>'


def _reason_bars(company: RankedCompany, signals: dict[str, Signal], max_points: float) -> str:
    if not company.reasons:
        return '<span class="muted">no reasons</span>'
    color = tier_color(company.tier)
    rows = []
    for reason in company.reasons:
        signal = signals.get(reason.signal)
        scale = signal.weight if signal and signal.weight else max_points
        share = max(0.0, min(reason.points / scale, 1.0)) if scale else 0.0
        value = fmt_signal_value(reason.value, signal)
        label = signal.label if signal else _signal_name(reason.signal)
        tip = f"{value} {label}: +{reason.points:.1f} of {scale:g} points"
        rows.append(
            f'<div class="reason" title="{e(tip)}" data-signal="{e(reason.signal)}">'
            f'<span class="reason-name">{e(_signal_name(reason.signal))}'
            f' <span class="muted">{e(value)}</span></span>'
            f'<span class="track"><span class="fill" style="width:{share * 100:.0f}%;'
            f'background:{e(color)}"></span></span>'
            f'<span class="pts">+{reason.points:.1f}</span></div>'
        )
    return f'<div class="reasons">{"".join(rows)}</div>'


def _company_meta(company: RankedCompany) -> str:
    bits = []
    if company.users_total is not None:
        bits.append(f"{company.users_total:,} users")
    if company.active_users_28d is not None:
        bits.append(f"{company.active_users_28d:,} active (28 d)")
    if company.current_plan:
        bits.append(f"{company.current_plan} plan")
    return " · ".join(bits)


def _ranked(data: ReportData) -> str:
    lede = (
        f"The {len(data.ranked)} highest scores on the as-of date, best first. Bars: the "
        "points each top signal earned, out of that signal's weight."
    )
    if not data.ranked:
        body = '<p class="empty">No company is scored yet.</p>'
    else:
        max_points = max((r.points for c in data.ranked for r in c.reasons), default=1.0) or 1.0
        rows = []
        for company in data.ranked:
            color = tier_color(company.tier)
            rows.append(
                f'<tr class="tier-{e(company.tier)}">'
                f'<td class="rank">{company.rank}</td>'
                f'<td class="company"><div class="domain">{e(company.company_domain)}</div>'
                f'<div class="muted small">{e(_company_meta(company))}</div></td>'
                f'<td class="score"><div class="score-value">{company.score}</div>'
                f'<div class="scorebar"><span style="width:{max(0, min(company.score, 100))}%;'
                f'background:{e(color)}"></span></div></td>'
                f'<td><span class="badge {e(company.tier)}">{e(company.tier)}</span></td>'
                f"<td>{_status(company)}</td>"
                f'<td class="summary">{e(company.reason_summary)}</td>'
                f"<td>{_reason_bars(company, data.signals, max_points)}</td>"
                "</tr>"
            )
        body = (
            '<div class="scroll"><table class="ranked"><thead><tr><th>#</th><th>Company</th>'
            "<th>Score</th><th>Tier</th><th>Status</th><th>Why, in words</th>"
            "<th>Points per signal</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
    return _section("ranked", "Ranked PQL list", lede, body)


def _tiers(data: ReportData) -> str:
    total = sum(t.companies for t in data.tiers)
    bars = [
        Bar(
            label=t.tier,
            value=t.companies,
            color=tier_color(t.tier),
            value_label=f"{t.companies:,} ({fmt_pct(t.companies / total if total else 0)})",
            sublabel=_tier_rule(t.tier, data.tier_thresholds),
        )
        for t in data.tiers
    ]
    lede = (
        f"Companies per tier on the as-of date ({total:,} scored). Tiers come from the score "
        "thresholds configured in dbt (docs/scoring.md)."
    )
    if total == 0:
        return _section("tiers", "Tier distribution", lede, '<p class="empty">No scores.</p>')
    chart = charts.horizontal_bars(
        "tiers",
        "Companies per tier",
        bars,
        x_label="companies",
        x_format=lambda v: f"{v:,.0f}",
        label_width=96,
        value_width=120,
        row_height=64,
    )
    score_bars = [
        Bar(
            label=f"{b.low}{DASH}{b.high}",
            value=b.companies,
            color=tier_color(b.tier) if b.tier else charts.MUTED,
            value_label=f"{b.companies:,}" if b.companies else "",
        )
        for b in data.score_bins
    ]
    histogram = ""
    if score_bars:
        histogram = "<h3>Score distribution</h3>" + charts.vertical_bars(
            "scores",
            "Companies per score band",
            score_bars,
            y_label="companies",
            x_label="score band (bar color: the most common tier in the band)",
            y_format=lambda v: f"{v:,.0f}",
            integer=True,
            height=240,
            value_size=11,
            label_size=10,
        )
    return _section("tiers", "Tier distribution", lede, chart + histogram)


def _tier_rule(tier: str, thresholds: dict[str, float]) -> str:
    """``score ≥ 70`` for a tier with a threshold; ``score < 40`` for the one below all."""
    if tier in thresholds:
        return f"score ≥ {thresholds[tier]:g}"
    if thresholds and tier == "cold":
        return f"score < {min(thresholds.values()):g}"
    return ""


def _new_pqls(data: ReportData) -> str:
    history = data.new_pqls
    title = "New PQLs per day"
    if history is None or not history.days:
        return _section(
            "new-pqls", title, "No score history yet.", '<p class="empty">No history.</p>'
        )
    days = (history.last_day - history.first_day).days + 1
    active_days = sum(1 for d in history.days if d.new_pqls)
    lede = (
        f"Companies whose is_pql turned true that day (not a PQL, or not scored, the day "
        f"before), from marts.pql_score_history over the last {days} days: "
        f"{history.total:,} new PQLs on {active_days:,} days. Only days whose previous day "
        f"was scored are compared ({len(history.days):,} of {days:,})."
    )
    chart = charts.daily_bars(
        "new-pqls",
        title,
        history.first_day,
        history.last_day,
        {d.day: d.new_pqls for d in history.days},
        y_label="new PQL companies",
        x_label=f"scoring date ({history.first_day.isoformat()} to {history.last_day.isoformat()})",
        color=charts.NEUTRAL,
    )
    return _section("new-pqls", title, lede, chart)


def _funnel(data: ReportData) -> str:
    unit = data.funnel_unit
    title = "Adoption funnel"
    if not data.funnel:
        return _section("funnel", title, "", '<p class="empty">No users.</p>')
    first = data.funnel[0].count
    bars = []
    previous = None
    for step in data.funnel:
        share_of_first = step.count / first if first else 0.0
        if previous is None:
            value_label = f"{step.count:,} {unit}"
        else:
            value_label = f"{step.count:,} ({fmt_pct(step.count / previous if previous else 0)}"
            value_label += " of previous)"
        bars.append(
            Bar(
                label=step.label,
                value=step.count,
                color=charts.NEUTRAL,
                value_label=value_label,
                sublabel=f"{fmt_pct(share_of_first)} of signed up" if previous else "every user",
            )
        )
        previous = step.count
    chart = charts.horizontal_bars(
        "funnel",
        f"Adoption funnel ({unit})",
        bars,
        x_label=unit,
        x_format=lambda v: f"{v:,.0f}",
        width=1100,
        label_width=170,
        value_width=220,
        row_height=46,
    )
    definitions = "".join(
        f"<li><strong>{e(step.label)}</strong>: {e(step.definition)}</li>" for step in data.funnel
    )
    pql_note = ""
    if data.pql_companies_in_funnel is not None:
        pql_note = (
            f" {data.pql_companies_in_funnel:,} companies are PQLs on the as-of date; the "
            "last step counts their activated, inviting users."
        )
    lede = f"Every step counts {unit}, and each step is a subset of the one before.{pql_note}"
    body = f'{chart}<ol class="definitions">{definitions}</ol>'
    return _section("funnel", title, lede, body)


def _backtest(data: ReportData) -> str:
    title = "Does the score work? Backtest"
    rows = data.backtest
    has_90 = any(r.company_days_90d and r.conversion_rate_90d is not None for r in rows)
    window = 90 if has_90 else 30

    def pick(row: BacktestTier) -> tuple[float | None, float | None, float | None, int | None]:
        if window == 90:
            return row.conversion_rate_90d, row.base_rate_90d, row.lift_90d, row.company_days_90d
        return row.conversion_rate_30d, row.base_rate_30d, row.lift_30d, row.company_days_30d

    usable = [r for r in rows if pick(r)[0] is not None]
    if not usable:
        return _section(
            "backtest",
            title,
            "No scoring date has a complete 30-day horizon yet.",
            '<p class="empty">No backtest yet.</p>',
        )
    base = next((pick(r)[1] for r in usable if pick(r)[1] is not None), None)
    bars = [
        Bar(
            label=r.tier,
            value=pick(r)[0] or 0.0,
            color=tier_color(r.tier),
            value_label=f"{fmt_pct(pick(r)[0])} · {fmt_lift(pick(r)[2])}",
            sublabel=f"{fmt_int(pick(r)[3])} company-days",
        )
        for r in usable
    ]
    chart = charts.vertical_bars(
        "backtest",
        f"Conversion to paid within {window} days per tier",
        bars,
        y_label=f"converted within {window} days",
        x_label="tier on the scoring date",
        y_format=lambda v: fmt_pct(v, 0),
        reference=(base, f"base rate {fmt_pct(base)}") if base is not None else None,
    )
    table_rows = "".join(
        f'<tr><td><span class="badge {e(r.tier)}">{e(r.tier)}</span></td>'
        f'<td class="num">{fmt_pct(r.conversion_rate_30d)}'
        f' <span class="muted small">of {fmt_int(r.company_days_30d)}</span></td>'
        f'<td class="num">{fmt_lift(r.lift_30d)}</td>'
        f'<td class="num">{fmt_pct(r.conversion_rate_90d)}'
        f' <span class="muted small">of {fmt_int(r.company_days_90d)}</span></td>'
        f'<td class="num">{fmt_lift(r.lift_90d)}</td></tr>'
        for r in rows
    )
    base_30 = next((r.base_rate_30d for r in rows if r.base_rate_30d is not None), None)
    base_90 = next((r.base_rate_90d for r in rows if r.base_rate_90d is not None), None)
    table = (
        '<div class="scroll"><table class="compact"><thead><tr><th>Tier</th>'
        '<th class="num">Paid within 30 d</th><th class="num">Lift</th>'
        '<th class="num">Paid within 90 d</th><th class="num">Lift</th></tr></thead>'
        f"<tbody>{table_rows}</tbody>"
        f'<tfoot><tr><td>base rate</td><td class="num">{fmt_pct(base_30)}</td><td></td>'
        f'<td class="num">{fmt_pct(base_90)}</td><td></td></tr></tfoot></table></div>'
    )
    lede = (
        "Pooled over every past scoring date whose horizon is complete "
        "(marts.pql_backtest_summary): the share of prospects (companies not paying yet) of "
        f"each tier that started a paid plan within {window} days, against the base rate of "
        "all prospects (dashed line). Lift = tier rate / base rate; 'of N': company-days "
        "with a complete horizon."
    )
    return _section("backtest", title, lede, chart + table)


def _section(section_id: str, title: str, lede: str, body: str, css: str = "") -> str:
    lede_html = f'<p class="lede">{e(lede)}</p>' if lede else ""
    return (
        f'<section id="{e(section_id)}" class="card {e(css)}"><h2>{e(title)}</h2>'
        f"{lede_html}{body}</section>"
    )


CSS = (
    """
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --bg:#f4f6f8; --card:#ffffff;
  --hot:__HOT__; --warm:__WARM__; --cold:__COLD__; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font:15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, "Noto Sans", "Liberation Sans", sans-serif; -webkit-font-smoothing:antialiased; }
.wrap, main { max-width:1240px; margin:0 auto; padding:0 32px; }
header { background:#111827; color:#f9fafb; padding:28px 0 32px; }
.eyebrow { text-transform:uppercase; letter-spacing:.08em; font-size:12px; color:#9ca3af; }
h1 { font-size:32px; margin:4px 0 2px; letter-spacing:-.01em; }
.asof { margin:0 0 20px; color:#d1d5db; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit, minmax(170px, 1fr)); gap:12px; }
.kpi { background:rgba(255,255,255,.07); border:1px solid rgba(255,255,255,.08);
  border-radius:12px; padding:14px 16px; }
.kpi.accent { background:rgba(224,49,49,.18); border-color:rgba(224,49,49,.45); }
.kpi-value { font-size:30px; font-weight:700; font-variant-numeric:tabular-nums; }
.kpi-label { font-size:12px; text-transform:uppercase; letter-spacing:.05em; color:#e5e7eb; }
.kpi-note { font-size:12px; color:#9ca3af; margin-top:2px; }
main { padding-top:28px; padding-bottom:40px; }
.card { background:var(--card); border-radius:14px; padding:22px 26px 24px;
  box-shadow:0 1px 2px rgba(16,24,40,.06), 0 1px 3px rgba(16,24,40,.08); margin-bottom:24px; }
.grid2 { display:grid; grid-template-columns:minmax(0, 1fr) minmax(0, 1.25fr); gap:24px; }
.grid2 > .card { margin-bottom:0; }
.grid2 + .card, .grid2 { margin-bottom:24px; }
@media (max-width: 960px) { .grid2 { grid-template-columns:1fr; } }
h2 { font-size:19px; margin:0 0 4px; }
h3 { font-size:14px; margin:18px 0 4px; color:#3e4c59; }
.lede { color:var(--muted); margin:0 0 16px; font-size:14px; max-width:90ch; }
.muted { color:var(--muted); } .small { font-size:12px; }
.empty { color:var(--muted); font-style:italic; }
svg.chart { display:block; max-width:100%; height:auto; }
table { width:100%; border-collapse:collapse; }
th { text-align:left; font-size:11px; text-transform:uppercase; letter-spacing:.05em;
  color:var(--muted); border-bottom:2px solid var(--line); padding:8px 10px; white-space:nowrap; }
td { border-bottom:1px solid var(--line); padding:10px; vertical-align:top; }
.num { text-align:right; font-variant-numeric:tabular-nums; }
table.ranked { font-size:14px; min-width:1060px; }
table.ranked tbody tr:hover { background:#f9fafb; }
td.rank { color:var(--muted); font-variant-numeric:tabular-nums; width:2.5em; }
td.company .domain { font-weight:600; }
td.score { width:70px; }
.score-value { font-size:20px; font-weight:700; font-variant-numeric:tabular-nums;
  line-height:1.1; }
.scorebar { height:4px; background:#edf0f3; border-radius:2px; margin-top:4px; width:56px; }
.scorebar span { display:block; height:100%; border-radius:2px; }
td.summary { color:#3e4c59; font-size:13px; max-width:420px; }
.badge { display:inline-block; padding:2px 10px; border-radius:999px; color:#fff;
  font-weight:700; font-size:11px; text-transform:uppercase; letter-spacing:.06em; }
.badge.hot { background:var(--hot); } .badge.warm { background:var(--warm); }
.badge.cold { background:var(--cold); }
.flag { display:inline-block; font-size:12px; font-weight:600; padding:2px 8px;
  border-radius:6px; white-space:nowrap; }
.flag.route { color:#2b8a3e; background:#ebfbee; border:1px solid #b2f2bb; }
.flag.expansion { color:#5f3dc4; background:#f3f0ff; border:1px solid #d0bfff; }
.flag.none { color:var(--muted); }
.scroll { overflow-x:auto; }
.reasons { display:flex; flex-direction:column; gap:5px; font-size:12px; min-width:300px; }
.reason { display:grid; grid-template-columns:170px 1fr 38px; gap:8px; align-items:center; }
.reason-name { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.track { display:block; height:8px; background:#edf0f3; border-radius:4px; overflow:hidden; }
.fill { display:block; height:100%; border-radius:4px; }
.pts { text-align:right; font-variant-numeric:tabular-nums; font-weight:600; }
table.compact { font-size:13px; margin-top:12px; }
table.compact td { padding:6px 10px; }
table.compact tfoot td { color:var(--muted); border-bottom:none; }
ol.definitions { font-size:13px; color:#3e4c59; margin:12px 0 0; padding-left:20px; }
ol.definitions li { margin:2px 0; }
footer { color:var(--muted); font-size:12px; padding:0 0 32px; }
@media print { body { background:#fff; } .card { box-shadow:none; border:1px solid var(--line); }
  header { -webkit-print-color-adjust:exact; print-color-adjust:exact; } }
""".replace("__HOT__", TIER_COLORS["hot"])
    .replace("__WARM__", TIER_COLORS["warm"])
    .replace("__COLD__", TIER_COLORS["cold"])
)


def render_report(data: ReportData) -> str:
    """The whole page as text (deterministic: the same data gives the same bytes)."""
    as_of = data.as_of_date.isoformat() if data.as_of_date else "not scored yet"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PQL report · {e(as_of)}</title>
<style>{CSS}</style>
</head>
<body>
{_header(data)}
<main>
{_ranked(data)}
<div class="grid2">
{_tiers(data)}
{_backtest(data)}
</div>
{_new_pqls(data)}
{_funnel(data)}
</main>
<footer><div class="wrap">Read from the marts of the working warehouse (marts.pql_scores,
new_pqls, pql_score_history, users, inviters, pql_backtest_summary). Definitions of every
chart: docs/reports.md. Scoring: docs/scoring.md.</div></footer>
</body>
</html>
"""


@dataclass(frozen=True)
class ReportFiles:
    latest: Path
    dated: Path | None
    data: ReportData


def dated_report_name(as_of: date) -> str:
    return f"pql_report_{as_of.isoformat()}.html"


def write_report(html_text: str, reports_dir: Path, as_of: date | None) -> tuple[Path, Path | None]:
    """``<dir>/pql_report.html`` and the dated copy ``pql_report_<as_of>.html``, atomically."""
    dated = None
    if as_of is not None:
        dated = atomic_write_text(reports_dir / dated_report_name(as_of), html_text)
    latest = atomic_write_text(reports_dir / REPORT_FILE, html_text)
    return latest, dated


def build_report(duckdb_path: str | Path, reports_dir: str | Path) -> ReportFiles:
    """Read the warehouse read-only, render the page and write both files."""
    with connect_read_only(duckdb_path) as con:
        data = load_report_data(con)
    latest, dated = write_report(render_report(data), Path(reports_dir), data.as_of_date)
    return ReportFiles(latest=latest, dated=dated, data=data)


__all__ = [
    "SECTION_IDS",
    "ReportFiles",
    "build_report",
    "render_report",
    "write_report",
]
