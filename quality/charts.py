"""The trend of the quality score as an inline SVG line, drawn on the server like the bilan's charts
(reports/charts.py): no JavaScript, no network."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from quality.trend import TrendPoint
from reports.charts import COLOURS, FONT, WIDTH
from reports.exports.tables import format_number

MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def month_label(day) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def score_chart(*, title: str, points: list[TrendPoint]) -> SafeString:
    """Score (0 to 100 %) at each month end; a month without active files has no point."""
    width, left, right, top, bottom = WIDTH, 56, 16, 16, 40
    height = top + 220 + bottom
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in range(0, 101, 20):
        y = top + plot_h - tick * plot_h / 100
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" {FONT}>{tick} %</text>')
    slot = plot_w / max(1, len(points))
    coords = []
    for index, point in enumerate(points):
        x = left + index * slot + slot / 2
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 18}" font-size="11" text-anchor="middle" {FONT}>'
            f"{escape(month_label(point.day))}</text>"
        )
        if point.score is None:
            continue
        y = top + plot_h - point.score * plot_h / 100
        coords.append((x, y, point))
    if len(coords) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{COLOURS[0]}" stroke-width="2"/>')
    for x, y, point in coords:
        text = f"{format_number(point.score)} %"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{COLOURS[0]}"><title>{escape(month_label(point.day))} : '
            f"{escape(text)} ({point.clean} dossiers sans problème sur {point.files})</title></circle>"
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="10" text-anchor="middle" {FONT}>{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
