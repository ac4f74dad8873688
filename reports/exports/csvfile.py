"""The bilan as CSV for a French spreadsheet (the web download), one line per figure (whole period, each
year, each sub-territory): easy to filter and to load elsewhere. Hidden figures carry their text
(« < 5 », « secret »). The `bilan --format csv` command keeps its own plain CSV, for scripts."""

from project.spreadsheets import french_csv
from reports.exports.tables import BilanTable, Cell

HEADER = ["code", "axe", "indicateur", "unite", "vue", "annee", "territoire_code", "territoire", "valeur"]


def plain(cell: Cell):
    """A number as a number (french_csv writes its decimal comma), a hidden figure as its text."""
    if cell.number is not None:
        return cell.number
    return cell.text if cell.hidden else ""


def lines(table: BilanTable):
    for row in table.rows:
        indicator = row.indicator
        first = [indicator.code, indicator.axis, indicator.label, indicator.unit]
        yield [*first, "periode", "", table.territory_code, table.territory_name, plain(row.total)]
        for year, cell in zip(table.years, row.years, strict=True):
            yield [*first, "annee", year, table.territory_code, table.territory_name, plain(cell)]
        for (key, name), cell in zip(table.sub_territories, row.territories, strict=True):
            yield [*first, "sous_territoire", "", key, name, plain(cell)]
    # « Annexe : offre et propositions » (places.figures), when the territory has places: no axis.
    if table.annex is not None:
        for row in table.annex.rows:
            yield [
                row.code,
                "",
                row.label,
                row.unit,
                "annexe",
                "",
                table.territory_code,
                table.territory_name,
                plain(row.cell),
            ]


def csv_bytes(table: BilanTable) -> bytes:
    """`;`-separated UTF-8 with a byte-order mark and decimal commas, like the queue exports."""
    return french_csv(HEADER, lines(table))
