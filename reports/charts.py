"""Charts of a bilan as inline SVG, drawn on the server: no JavaScript, no network, and the same
markup in the page and in the PDF. Values hidden by statistical secrecy are not drawn; their note
(« < 5 », « secret ») is written in place of the bar."""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.exports.tables import BilanTable, Cell, format_number

# DSFR illustrative colours: blue France, the "tuile" red, and the "menthe" green.
COLOURS = ("#000091", "#CE614A", "#009081", "#C3992A")
HIDDEN_NOTE = "* une partie des valeurs est masquée par le secret statistique (voir les tableaux)"
FONT = "font-family=\"Marianne, 'DejaVu Sans', Arial, sans-serif\""


@dataclass(frozen=True)
class Series:
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    note: str = ""


def nice_step(maximum: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 × 10^k) giving about `ticks` grid lines up to `maximum`."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(factor * power, 1)
    return 10 * power


def footnote(*, x: float, y: float) -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}" font-size="10" fill="#3a3a3a" {FONT}>{escape(HIDDEN_NOTE)}</text>'


# The drawing's width: the page's content width (and an A4 page's, in the PDF) at about one unit per pixel,
# so that 11-12 px text stays that size; CSS then stretches the drawing to the width available.
WIDTH = 1000
# An upper bound of the advance of one character at `size` px in Marianne or DejaVu Sans (wide glyphs
# included): text measured with it never runs out of the drawing.
CHAR_WIDTH = 0.62
LEGEND_LINE = 20


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def legend_rows(series: list[Series], *, x: float, right: float) -> list[list[tuple[float, int, Series]]]:
    """The legend's items, (x, colour index, series), in as many lines as they need: an item that would
    run past `right` starts a new line rather than being cut."""
    rows, offset = [[]], x
    for index, item in enumerate(series):
        width = 16 + text_width(item.label, 12)
        if rows[-1] and offset + width > right:
            rows.append([])
            offset = x
        rows[-1].append((offset, index, item))
        offset += width + 24
    return rows


def legend(series: list[Series], *, x: float, y: float, right: float) -> tuple[list[str], float]:
    """The legend's SVG parts, and the height it takes."""
    parts = []
    rows = legend_rows(series, x=x, right=right)
    for line, items in enumerate(rows):
        baseline = y + line * LEGEND_LINE
        for offset, index, item in items:
            parts.append(
                f'<rect x="{offset:.0f}" y="{baseline - 10:.0f}" width="12" height="12" fill="{COLOURS[index]}"/>'
            )
            parts.append(
                f'<text x="{offset + 16:.0f}" y="{baseline:.0f}" font-size="12" {FONT}>{escape(item.label)}</text>'
            )
    return parts, LEGEND_LINE * len(rows)


def shorten(text: str, *, size: float, room: float) -> str:
    """`text`, cut with "…" only if it cannot fit in `room` px."""
    fits = max(4, int(room / (size * CHAR_WIDTH)))
    return text if len(text) <= fits else text[: fits - 1] + "…"


def bar_chart(*, title: str, categories: list[str], series: list[Series], stacked: bool) -> SafeString:
    """Vertical bars per category (years): side by side, or stacked."""
    width, left, right, bottom = WIDTH, 56, 12, 36
    legend_parts, legend_h = legend(series, x=left, y=20, right=width - right)
    top = 24 + legend_h
    height = top + 260 + bottom
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [[c.number or 0 for c in s.cells] for s in series]
    if stacked:
        maximum = max((sum(column) for column in zip(*numbers, strict=True)), default=0)
    else:
        maximum = max((v for values in numbers for v in values), default=0)
    step = nice_step(maximum)
    top_value = step * max(1, math.ceil(maximum / step))
    scale = plot_h / top_value
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    parts += legend_parts
    tick = 0.0
    while tick <= top_value + 1e-9:
        y = top + plot_h - tick * scale
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" {FONT}>'
            f"{format_number(int(tick) if float(tick).is_integer() else tick)}</text>"
        )
        tick += step
    slot = plot_w / max(1, len(categories))
    bar_w = slot * 0.7 if stacked else slot * 0.8 / max(1, len(series))
    any_hidden = False
    for index, category in enumerate(categories):
        x0 = left + index * slot + slot * (0.15 if stacked else 0.1)
        base = top + plot_h
        hidden_here = False
        for number, item in enumerate(series):
            cell = item.cells[index]
            x = x0 if stacked else x0 + number * bar_w
            if cell.hidden:
                hidden_here = True
                continue
            bar_h = (cell.number or 0) * scale
            y = base - bar_h
            if bar_h:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
                    f'fill="{COLOURS[number]}"><title>{escape(item.label)} {escape(category)} : '
                    f"{escape(cell.text)}</title></rect>"
                )
            if stacked and bar_h >= 14:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y + bar_h / 2 + 4:.1f}" font-size="11" text-anchor="middle" '
                    f'fill="#fff" {FONT}>{escape(cell.text)}</text>'
                )
            elif not stacked:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle" {FONT}>'
                    f"{escape(cell.text)}</text>"
                )
            if stacked:
                base = y
        any_hidden = any_hidden or hidden_here
        parts.append(
            f'<text x="{left + index * slot + slot / 2:.1f}" y="{height - bottom + 18}" font-size="12" '
            f'text-anchor="middle" {FONT}>{escape(category)}{" *" if hidden_here else ""}</text>'
        )
    if any_hidden:
        parts.append(footnote(x=left, y=height - 4))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def horizontal_bars(*, title: str, categories: list[str], series: list[Series], totals: list[str]) -> SafeString:
    """Stacked horizontal bars, one per sub-territory, with its total (as shown in the tables) at the end."""
    row_h, right, width = 26, 90, WIDTH
    # The names' column is as wide as the longest name, within a third of the drawing.
    label_w = min(max((text_width(name, 11) for name in categories), default=0) + 16, width / 3)
    legend_parts, legend_h = legend(series, x=12, y=20, right=width - 12)
    top = 16 + legend_h
    height = top + row_h * max(1, len(categories)) + 24
    plot_w = width - label_w - right
    lengths = [sum(s.cells[i].number or 0 for s in series) for i in range(len(categories))]
    maximum = max(lengths, default=0) or 1
    scale = plot_w / maximum
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    parts += legend_parts
    any_hidden = False
    for index, category in enumerate(categories):
        y = top + index * row_h
        name = shorten(category, size=11, room=label_w - 12)
        # A shortened name keeps its full text as a tooltip.
        full = f"<title>{escape(category)}</title>" if name != category else ""
        parts.append(
            f'<text x="{label_w - 8:.0f}" y="{y + 16}" font-size="11" text-anchor="end" {FONT}>{full}{escape(name)}</text>'
        )
        x = label_w
        hidden_here = False
        for number, item in enumerate(series):
            cell = item.cells[index]
            if cell.number:
                bar_w = cell.number * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{bar_w:.1f}" height="{row_h - 8}" fill="{COLOURS[number]}">'
                    f"<title>{escape(item.label)} — {escape(category)} : {escape(cell.text)}</title></rect>"
                )
                x += bar_w
            hidden_here = hidden_here or cell.hidden
        any_hidden = any_hidden or hidden_here
        shown = totals[index] + (" *" if hidden_here else "")
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 16}" font-size="11" {FONT}>{escape(shown)}</text>')
    if any_hidden:
        parts.append(footnote(x=label_w, y=height - 6))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def others(total: Cell, *parts: Cell) -> Cell:
    """Attributions to neither group: shown only when every term is known, so that it never gives a
    hidden figure away by subtraction."""
    if total.number is None or any(part.number is None for part in parts):
        return Cell(None, "secret" if total.hidden or any(p.hidden for p in parts) else "—", hidden=True)
    value = int(total.number - sum(part.number for part in parts))
    return Cell(value, format_number(value))


def bilan_charts(table: BilanTable) -> list[Chart]:
    years = [str(year) for year in table.years]
    iml, pf = table.row("places_iml_creees"), table.row("places_pensions_famille_creees")
    shelter, street = table.row("attributions_sortants_hebergement"), table.row("attributions_sans_abri")
    total = table.row("attributions_total")
    charts = [
        Chart(
            "Places créées par année",
            bar_chart(
                title="Places créées par année",
                categories=years,
                series=[
                    Series("Intermédiation locative (IML)", iml.years),
                    Series("Pensions de famille et résidences accueil", pf.years),
                ],
                stacked=False,
            ),
        ),
        Chart(
            "Attributions de logements sociaux par année et situation",
            bar_chart(
                title="Attributions de logements sociaux par année et situation",
                categories=years,
                series=[
                    Series("Sortants d'hébergement", shelter.years),
                    Series("Sans-abri", street.years),
                    Series(
                        "Autres situations",
                        [others(t, a, b) for t, a, b in zip(total.years, shelter.years, street.years, strict=True)],
                    ),
                ],
                stacked=True,
            ),
        ),
    ]
    if table.sub_territories:
        names = [name for _, name in table.sub_territories]
        charts.append(
            Chart(
                "Places créées par sous-territoire",
                horizontal_bars(
                    title="Places créées par sous-territoire",
                    categories=names,
                    series=[
                        Series("Intermédiation locative (IML)", iml.territories),
                        Series("Pensions de famille et résidences accueil", pf.territories),
                    ],
                    totals=[
                        format_number(int((a.number or 0) + (b.number or 0)))
                        for a, b in zip(iml.territories, pf.territories, strict=True)
                    ],
                ),
            )
        )
        charts.append(
            Chart(
                "Attributions de logements sociaux par sous-territoire",
                horizontal_bars(
                    title="Attributions de logements sociaux par sous-territoire",
                    categories=names,
                    series=[
                        Series("Sortants d'hébergement", shelter.territories),
                        Series("Sans-abri", street.territories),
                        Series(
                            "Autres situations",
                            [
                                others(t, a, b)
                                for t, a, b in zip(
                                    total.territories, shelter.territories, street.territories, strict=True
                                )
                            ],
                        ),
                    ],
                    totals=[cell.text for cell in total.territories],
                ),
            )
        )
    return charts
