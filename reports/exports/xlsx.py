"""The bilan as an Excel workbook: one sheet by year, one by sub-territory, one of definitions.
Figures are numeric cells; a figure hidden by statistical secrecy is its text (« < 5 », « secret »)."""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from project.spreadsheets import sheet_filter, sheet_layout
from reports.exports.tables import BilanTable, Cell

BOLD = Font(bold=True)
HEADER_ROW = 5  # below the title, the period and the note of heading()
TITLE = Font(bold=True, size=14)


def cell_value(cell: Cell):
    if cell.number is not None:
        return cell.number
    return cell.text if cell.hidden else None


def heading(sheet, table: BilanTable, subtitle: str) -> None:
    sheet.append([f"Bilan du plan Logement d'abord — {table.territory_name}"])
    sheet["A1"].font = TITLE
    sheet.append([f"Période {table.period_text} · {subtitle}"])
    generated = timezone.localtime(table.generated_at)
    note = f"Généré le {generated:%d/%m/%Y à %H:%M}"
    if table.secrecy:
        note += " · secret statistique appliqué (« < 5 » : entre 1 et 4 ; « secret » : moins de 5 cas, ou masqué pour protéger un « < 5 »)"
    sheet.append([note])
    sheet.append([])


def figures_sheet(sheet, table: BilanTable, columns: list[str], cells_of, *, extra=None) -> None:
    header = ["Axe", "Code", "Indicateur", "Unité", *columns, "Total"] + (extra or [])
    sheet.append(header)
    for column in range(1, len(header) + 1):
        sheet.cell(row=sheet.max_row, column=column).font = BOLD
    for row in table.rows:
        values = [row.indicator.axis, row.indicator.code, row.indicator.label, row.indicator.unit]
        values += [cell_value(cell) for cell in cells_of(row)] + [cell_value(row.total)]
        if extra:
            values += [float(row.target) if row.target is not None else None, row.progress]
        sheet.append(values)
        for column in range(5, len(values) + 1):
            target = sheet.cell(row=sheet.max_row, column=column)
            if isinstance(target.value, float):
                target.number_format = "0.0"
            elif isinstance(target.value, int):
                target.number_format = "#,##0"
    # The header (row 5) and the indicator's columns stay in view; every column can be filtered.
    sheet_layout(
        sheet,
        header_row=HEADER_ROW,
        widths=[6, 34, 60, 16] + [max(12, min(len(title) + 4, 28)) for title in header[4:]],
        frozen_columns=4,
    )
    sheet_filter(sheet, header_row=HEADER_ROW, columns=len(header), last_row=sheet.max_row)


def annex_sheet(sheet, table: BilanTable) -> None:
    """« Annexe : offre et propositions » (places.figures): not among the plan's indicators."""
    heading(sheet, table, table.annex.title)
    sheet.append(["Code", "Chiffre", "Unité", "Valeur"])
    for column in range(1, 5):
        sheet.cell(row=sheet.max_row, column=column).font = BOLD
    for row in table.annex.rows:
        sheet.append([row.code, f"  {row.label}" if row.detail else row.label, row.unit, cell_value(row.cell)])
        value = sheet.cell(row=sheet.max_row, column=4)
        value.number_format = "0.0" if isinstance(value.value, float) else "#,##0"
    sheet_layout(sheet, header_row=HEADER_ROW, widths=[34, 70, 14, 12])


def xlsx_bytes(table: BilanTable) -> bytes:
    workbook = Workbook()
    by_year = workbook.active
    by_year.title = "Par année"
    heading(by_year, table, "par année")
    figures_sheet(
        by_year,
        table,
        [str(year) for year in table.years],
        lambda row: row.years,
        extra=["Cible", "Progression (%)"] if table.has_targets else None,
    )
    by_territory = workbook.create_sheet("Par sous-territoire")
    heading(by_territory, table, "par sous-territoire")
    figures_sheet(by_territory, table, [name for _, name in table.sub_territories], lambda row: row.territories)
    definitions = workbook.create_sheet("Définitions")
    definitions.append(["Code", "Axe", "Indicateur", "Unité", "Définition"])
    for column in range(1, 6):
        definitions.cell(row=1, column=column).font = BOLD
    for row in table.rows:
        indicator = row.indicator
        definitions.append([indicator.code, indicator.axis, indicator.label, indicator.unit, indicator.definition])
        definitions.cell(row=definitions.max_row, column=5).alignment = Alignment(wrap_text=True, vertical="top")
    sheet_layout(definitions, header_row=1, widths=[34, 6, 50, 16, 110])
    sheet_filter(definitions, header_row=1, columns=5, last_row=definitions.max_row)
    if table.annex is not None:
        annex_sheet(workbook.create_sheet("Annexe offre"), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
