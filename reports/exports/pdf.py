"""The bilan as a tagged, accessible PDF (WeasyPrint, PDF/UA-1): title, territory, period, the axes'
tables, the charts, the definitions as an annex and the generation date, from the template
templates/reports/bilan_pdf.html.

Pages are A4 portrait; a table too wide for it (many years, targets, sub-territories) goes on an A4
landscape page (the CSS named page `wide`), and sub-territories beyond a page's width are split into
several tables that each repeat the indicator column.
"""

from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from reports.charts import bilan_charts
from reports.exports.tables import Axis, BilanTable, Cell

# Figure columns that fit beside the indicator column: on a portrait page, on a landscape one.
PORTRAIT_COLUMNS = 7
LANDSCAPE_COLUMNS = 8


@dataclass
class TerritoryBlock:
    """Some of the sub-territories, as one table per axis: (axis, [(row, cells)]); the last block
    also holds the whole territory's column."""

    names: list[str]
    with_total: bool
    axes: list[tuple[Axis, list[tuple[object, list[Cell]]]]]


def territory_blocks(table: BilanTable, size: int) -> list[TerritoryBlock]:
    names = [name for _, name in table.sub_territories]
    if not names:
        return []
    # The whole territory's column (in the last block) counts as one; blocks as even as possible, so
    # that the last one, with that column, is never wider than the others.
    count = -(-(len(names) + 1) // size)
    per_block = -(-(len(names) + 1) // count)
    blocks = []
    for start in range(0, len(names), per_block):
        stop = min(start + per_block, len(names))
        with_total = stop == len(names)
        axes = [(axis, [(row, row.territories[start:stop]) for row in axis.rows]) for axis in table.axes]
        blocks.append(TerritoryBlock(names[start:stop], with_total, axes))
    return blocks


def font_urls() -> dict[str, str]:
    """The DSFR's Marianne, as file URLs for @font-face (the state's typeface, as on the pages)."""
    urls = {}
    for weight, name in (("regular", "Marianne-Regular"), ("bold", "Marianne-Bold")):
        path = finders.find(f"dsfr/dist/fonts/{name}.woff")
        urls[weight] = f"file://{path}" if path else ""
    return urls


def pdf_context(table: BilanTable) -> dict:
    by_year_wide = table.by_year_columns > PORTRAIT_COLUMNS
    territories_wide = len(table.sub_territories) + 1 > PORTRAIT_COLUMNS - 1
    return {
        "table": table,
        "charts": bilan_charts(table),
        "by_year_wide": by_year_wide,
        "territories_wide": territories_wide,
        "territory_blocks": territory_blocks(table, LANDSCAPE_COLUMNS if territories_wide else PORTRAIT_COLUMNS - 1),
        "fonts": font_urls(),
    }


def pdf_html(table: BilanTable) -> str:
    return render_to_string("reports/bilan_pdf.html", pdf_context(table))


def pdf_bytes(table: BilanTable) -> bytes:
    from weasyprint import HTML  # heavy import (Pango): only when a PDF is asked for

    # PDF/UA-1: tagged (headings, tables with their header cells, figures with their text), with its
    # language and title, so that a screen reader reads it in order.
    return HTML(string=pdf_html(table)).write_pdf(pdf_variant="pdf/ua-1")
