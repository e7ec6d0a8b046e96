"""A small horizontal bar chart as inline SVG, enough for the analyst report.

Horizontal bars leave room for long Chinese labels. Every bar carries its numbers as
`data-*` attributes and a <title> tooltip, so the chart can be read by tests and by
hovering, without a charting library or network access.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.tabular import clip, width

PALETTE = ("#0969da", "#1a7f37", "#8250df", "#bf8700", "#cf222e", "#0550ae", "#6e7781")
LABEL_COLUMNS = 40  # display columns of a row label
CHAR_PX = 7.0  # width of one display column at 13px


@dataclass
class Bar:
    series: str
    value: Decimal | None
    tooltip: str
    color: str | None = None  # overrides the series colour (e.g. target met / missed)


@dataclass
class Row:
    label: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class BarChart:
    title: str
    unit: str
    rows: list[Row]
    reference: Decimal | None = None  # a vertical line, e.g. 100 for 100%
    cap: Decimal | None = None  # bars beyond it are cut and marked ›

    def series(self) -> list[str]:
        return list(dict.fromkeys(b.series for r in self.rows for b in r.bars))


def _fmt(value: Decimal) -> str:
    """At most two decimals, no trailing zeros (`96.31`, `100`, `20.42`)."""
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above `value` (axis end)."""
    power = Decimal(10) ** (value.adjusted())
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if power * step >= value:
            return power * step
    return power * 10


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def render(chart: BarChart, bar_height: int = 16, plot_width: int = 420) -> str:
    """The chart as an <svg> element with a legend, an axis and value labels."""
    series = chart.series()
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}
    values = [b.value for r in chart.rows for b in r.bars if b.value is not None]
    top = max(values + ([chart.reference] if chart.reference is not None else []) + [Decimal(1)])
    top = nice_ceiling(top)
    if chart.cap is not None:
        top = min(top, chart.cap)
    label_px = int(LABEL_COLUMNS * CHAR_PX) + 12
    left, legend_h = label_px, 22 if len(series) > 1 else 0
    y = 30 + legend_h
    parts: list[str] = []
    for row in chart.rows:
        group_h = max(1, len(row.bars)) * (bar_height + 2)
        parts.append(f'<text class="label" x="{left - 8}" y="{y + group_h / 2 + 4:.1f}" text-anchor="end">'
                     f"<title>{_esc(row.label)}</title>{_esc(clip(row.label, LABEL_COLUMNS))}</text>")
        for bar in row.bars:
            color = bar.color or colors[bar.series]
            attrs = f'data-label="{_esc(row.label)}" data-series="{_esc(bar.series)}"'
            if bar.value is None:
                parts.append(f'<text x="{left + 4}" y="{y + bar_height - 4}" class="none" {attrs} data-value="">'
                             f"no data<title>{_esc(bar.tooltip)}</title></text>")
            else:
                shown = min(bar.value, top)
                w = float(shown / top) * plot_width if top else 0
                mark = " ›" if bar.value > top else ""
                parts.append(f'<rect class="bar" x="{left}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                             f'fill="{color}" {attrs} data-value="{_fmt(bar.value)}">'
                             f"<title>{_esc(bar.tooltip)}</title></rect>")
                parts.append(f'<text class="value" x="{left + w + 4:.1f}" y="{y + bar_height - 4}">'
                             f"{_esc(_fmt(bar.value))}{_esc(chart.unit)}{mark}</text>")
            y += bar_height + 2
        y += 8
    axis_y = y
    ticks = [Decimal(0), top / 2, top]
    axis = [f'<line x1="{left}" y1="{30 + legend_h - 4}" x2="{left}" y2="{axis_y}" class="axis"/>']
    for tick in ticks:
        x = left + float(tick / top) * plot_width
        axis.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" class="axis"/>'
                    f'<text class="tick" x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">{_fmt(tick)}</text>')
    if chart.reference is not None and chart.reference <= top:
        x = left + float(chart.reference / top) * plot_width
        axis.append(f'<line x1="{x:.1f}" y1="{30 + legend_h - 4}" x2="{x:.1f}" y2="{axis_y}" class="reference"/>')
    legend = []
    if legend_h:
        lx = left
        for name in series:
            legend.append(f'<rect x="{lx}" y="26" width="10" height="10" fill="{colors[name]}"/>'
                          f'<text class="legend" x="{lx + 14}" y="35">{_esc(name)}</text>')
            lx += 24 + width(name) * CHAR_PX
    total_w = left + plot_width + 90
    total_h = axis_y + 24
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{total_w}" height="{total_h}" '
            f'viewBox="0 0 {total_w} {total_h}" role="img" aria-label="{_esc(chart.title)}">'
            f'<text class="title" x="0" y="16">{_esc(chart.title)}</text>'
            + "".join(legend) + "".join(parts) + "".join(axis) + "</svg>")
