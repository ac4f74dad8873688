"""The bilan as a PDF (WeasyPrint): title, territory, period, the axes' tables, the charts, the
definitions as an annex and the generation date, from the template templates/reports/bilan_pdf.html."""

from django.template.loader import render_to_string

from reports.charts import bilan_charts
from reports.exports.tables import BilanTable


def pdf_bytes(table: BilanTable) -> bytes:
    from weasyprint import HTML  # heavy import (Pango): only when a PDF is asked for

    html = render_to_string("reports/bilan_pdf.html", {"table": table, "charts": bilan_charts(table)})
    return HTML(string=html).write_pdf()
