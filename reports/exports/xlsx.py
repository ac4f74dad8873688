"""The bilan as an Excel workbook: one sheet by year, one by sub-territory, one of definitions.
Figures are numeric cells; a figure hidden by statistical secrecy is its text (« < 5 », « secret »)."""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.exports.tables import BilanTable, Cell

BOLD = Font(bold=True)
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
        note += " · secret statistique appliqué (« < 5 » : entre 1 et 4 ; « secret » : moins de 5 cas)"
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
    sheet.column_dimensions["B"].width = 34
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 16
    for column in range(5, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.freeze_panes = "E6"


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
    for letter, width in zip("ABCDE", (34, 6, 50, 16, 110), strict=True):
        definitions.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
