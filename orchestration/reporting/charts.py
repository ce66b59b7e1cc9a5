"""Small inline-SVG charts for the report: no JavaScript, no external files.

Each function returns one ``<svg>`` element as text, sized by its ``viewBox`` so that it
scales with the page. Every text that reaches the SVG is escaped here. Drawn marks carry
``class="bar"`` and the chart carries ``data-chart="<id>"``, so a browser test can count
them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

#: One color per tier, used by every chart and badge of the report.
TIER_COLORS: dict[str, str] = {"hot": "#e03131", "warm": "#f08c00", "cold": "#1c7ed6"}
NEUTRAL = "#0c8599"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"


def tier_color(tier: str) -> str:
    return TIER_COLORS.get(tier, "#868e96")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    color: str
    value_label: str
    sublabel: str = ""


def nice_ticks(max_value: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values from 0 to at least ``max_value`` (about ``count`` steps)."""
    if not math.isfinite(max_value) or max_value <= 0:
        max_value = 1.0
    raw = max_value / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1.0, math.ceil(step))
    top = math.ceil(max_value / step - 1e-9) * step
    steps = round(top / step)
    return [step * i for i in range(steps + 1)]


def _n(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "middle",
    size: int = 12,
    fill: str = INK,
    weight: str = "normal",
    extra: str = "",
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" font-weight="{weight}"{extra}>{escape(content)}</text>'
    )


def _open(chart_id: str, title: str, width: int, height: int) -> list[str]:
    return [
        f'<svg class="chart" data-chart="{escape(chart_id)}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" '
        f'preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]


def vertical_bars(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    y_label: str,
    x_label: str,
    y_format: Callable[[float], str] = lambda v: f"{v:g}",
    reference: tuple[float, str] | None = None,
    width: int = 520,
    height: int = 300,
    integer: bool = False,
    value_size: int = 13,
    label_size: int = 12,
) -> str:
    """Bars per category with their value on top; an optional dashed reference line."""
    left, top, bottom = 64, 28, 64
    right = 96 if reference is not None else 16  # the reference line's label sits there
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max([b.value for b in bars] + [reference[0] if reference else 0.0])
    ticks = nice_ticks(highest, integer=integer)
    scale_top = ticks[-1]

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * max(value, 0.0) / scale_top

    parts = _open(chart_id, title, width, height)
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 8, y + 4, y_format(tick), anchor="end", size=11, fill=MUTED))
    slot = plot_w / max(len(bars), 1)
    bar_w = min(slot * 0.56, 96)
    for i, bar in enumerate(bars):
        x = left + slot * i + (slot - bar_w) / 2
        y = y_of(bar.value)
        h = top + plot_h - y
        if bar.value > 0:  # an empty category keeps its label, not a zero-height mark
            parts.append(
                f'<rect class="bar" data-label="{escape(bar.label)}" data-value="{bar.value:g}" '
                f'x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(h)}" rx="3" '
                f'fill="{escape(bar.color)}"><title>{escape(bar.label)}: '
                f"{escape(bar.value_label)}</title></rect>"
            )
        if bar.value_label:
            parts.append(
                _text(x + bar_w / 2, y - 8, bar.value_label, size=value_size, weight="600")
            )
        center = left + slot * i + slot / 2
        parts.append(_text(center, top + plot_h + 18, bar.label, size=label_size, weight="600"))
        if bar.sublabel:
            parts.append(_text(center, top + plot_h + 33, bar.sublabel, size=11, fill=MUTED))
    if reference is not None:
        value, label = reference
        y = y_of(value)
        parts.append(
            f'<line class="reference" x1="{left}" y1="{_n(y)}" x2="{width - right}" '
            f'y2="{_n(y)}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
        parts.append(_text(width - right + 6, y + 4, label, anchor="start", size=11, fill=INK))
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    parts.append(_text(left + plot_w / 2, height - 8, x_label, size=12, fill=MUTED))
    cy = top + plot_h / 2
    parts.append(
        _text(16, cy, y_label, size=12, fill=MUTED, extra=f' transform="rotate(-90 16 {_n(cy)})"')
    )
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    x_label: str,
    x_format: Callable[[float], str] = lambda v: f"{v:g}",
    width: int = 520,
    label_width: int = 130,
    row_height: int = 40,
    value_width: int = 130,
    integer: bool = True,
) -> str:
    """One bar per row, the label on the left and the value after the bar."""
    top, bottom = 12, 48
    left = label_width
    plot_w = width - left - value_width
    height = top + row_height * max(len(bars), 1) + bottom
    ticks = nice_ticks(max([b.value for b in bars] + [0.0]), count=4, integer=integer)
    scale = ticks[-1]

    def x_of(value: float) -> float:
        return left + plot_w * max(value, 0.0) / scale

    plot_bottom = top + row_height * max(len(bars), 1)
    parts = _open(chart_id, title, width, height)
    for tick in ticks:
        x = x_of(tick)
        parts.append(
            f'<line x1="{_n(x)}" y1="{top}" x2="{_n(x)}" y2="{plot_bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(x, plot_bottom + 16, x_format(tick), size=11, fill=MUTED))
    bar_h = row_height * 0.6
    for i, bar in enumerate(bars):
        y = top + row_height * i + (row_height - bar_h) / 2
        w = x_of(bar.value) - left
        parts.append(
            f'<rect class="bar" data-label="{escape(bar.label)}" data-value="{bar.value:g}" '
            f'x="{left}" y="{_n(y)}" width="{_n(w)}" height="{_n(bar_h)}" rx="3" '
            f'fill="{escape(bar.color)}"><title>{escape(bar.label)}: '
            f"{escape(bar.value_label)}</title></rect>"
        )
        mid = y + bar_h / 2
        label_y = mid + 4 if not bar.sublabel else mid - 2
        parts.append(_text(left - 10, label_y, bar.label, anchor="end", size=13, weight="600"))
        if bar.sublabel:
            parts.append(
                _text(left - 10, mid + 12, bar.sublabel, anchor="end", size=10, fill=MUTED)
            )
        parts.append(
            _text(left + w + 8, mid + 4, bar.value_label, anchor="start", size=13, weight="600")
        )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{plot_bottom}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    parts.append(_text(left + plot_w / 2, height - 8, x_label, size=12, fill=MUTED))
    parts.append("</svg>")
    return "".join(parts)


def _short_date(day: date) -> str:
    return f"{day:%b} {day.day}"


def daily_bars(
    chart_id: str,
    title: str,
    first_day: date,
    last_day: date,
    values: dict[date, int],
    *,
    y_label: str,
    x_label: str,
    color: str = NEUTRAL,
    width: int = 1100,
    height: int = 260,
    tick_every_days: int = 14,
) -> str:
    """One slot per calendar day; a bar (with its value) on each day with a value > 0."""
    left, right, top, bottom = 64, 16, 24, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    n_days = max((last_day - first_day).days + 1, 1)
    ticks = nice_ticks(max([*values.values(), 0]), count=4, integer=True)
    scale = ticks[-1]
    slot = plot_w / n_days
    bar_w = max(slot * 0.7, 1.0)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * max(value, 0.0) / scale

    parts = _open(chart_id, title, width, height)
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 8, y + 4, f"{tick:g}", anchor="end", size=11, fill=MUTED))
    for offset in range(n_days):
        day = first_day + timedelta(days=offset)
        x = left + slot * offset + (slot - bar_w) / 2
        value = values.get(day, 0)
        if value > 0:
            y = y_of(value)
            parts.append(
                f'<rect class="bar" data-day="{day.isoformat()}" data-value="{value}" '
                f'x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(top + plot_h - y)}" '
                f'rx="1.5" fill="{escape(color)}"><title>{day.isoformat()}: {value}</title></rect>'
            )
            parts.append(_text(x + bar_w / 2, y - 5, str(value), size=11, weight="600"))
        if (last_day - day).days % tick_every_days == 0:
            cx = x + bar_w / 2
            parts.append(
                f'<line x1="{_n(cx)}" y1="{top + plot_h}" x2="{_n(cx)}" y2="{top + plot_h + 5}" '
                f'stroke="{MUTED}" stroke-width="1"/>'
            )
            parts.append(_text(cx, top + plot_h + 18, _short_date(day), size=11, fill=MUTED))
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    parts.append(_text(left + plot_w / 2, height - 8, x_label, size=12, fill=MUTED))
    cy = top + plot_h / 2
    parts.append(
        _text(16, cy, y_label, size=12, fill=MUTED, extra=f' transform="rotate(-90 16 {_n(cy)})"')
    )
    parts.append("</svg>")
    return "".join(parts)
