"""The bilan as CSV, one line per figure (whole period, each year, each sub-territory): easy to filter
and to load elsewhere. Hidden figures carry their text (« < 5 », « secret »)."""

import csv
import io

from reports.exports.tables import BilanTable, Cell

HEADER = ["code", "axe", "indicateur", "unite", "vue", "annee", "territoire_code", "territoire", "valeur"]


def plain(cell: Cell) -> str:
    if cell.number is not None:
        return str(cell.number)
    return cell.text if cell.hidden else ""


def csv_text(table: BilanTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in table.rows:
        indicator = row.indicator
        first = [indicator.code, indicator.axis, indicator.label, indicator.unit]
        writer.writerow([*first, "periode", "", table.territory_code, table.territory_name, plain(row.total)])
        for year, cell in zip(table.years, row.years, strict=True):
            writer.writerow([*first, "annee", year, table.territory_code, table.territory_name, plain(cell)])
        for (key, name), cell in zip(table.sub_territories, row.territories, strict=True):
            writer.writerow([*first, "sous_territoire", "", key, name, plain(cell)])
    return buffer.getvalue()
