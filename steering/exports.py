"""The monthly flows as a table to download (CSV and XLSX, the same rows): one line per month and
population (all pathways, then each category of each breakdown). Columns in docs/indicateurs.md,
« Pilotage mensuel »."""

import io

from openpyxl import Workbook

from facts.models import Entry, Exit
from project.spreadsheets import french_csv, neutralise, sheet_filter, sheet_layout
from steering.flows import DIMENSIONS, Flows

HEADER = [
    "mois",
    "ventilation",
    "categorie",
    "actifs_debut",
    *(f"entrees_{code}" for code in Entry.values),
    "entrees",
    *(f"sorties_{code}" for code in Exit.values),
    "sorties",
    "actifs_fin",
    "equilibre",
]


def rows(flows: Flows):
    populations = [("ensemble", "", flows.total)]
    for dimension, categories in flows.by.items():
        labels = DIMENSIONS[dimension][1]
        populations += [(dimension, labels.get(c, c), months) for c, months in categories.items()]
    for dimension, category, months in populations:
        for flow in months:
            yield [
                flow.month.key,
                dimension,
                category,
                flow.start,
                *(flow.inflow[code] for code in Entry.values),
                flow.inflow_total,
                *(flow.outflow[code] for code in Exit.values),
                flow.outflow_total,
                flow.end,
                "oui" if flow.balanced else "non",
            ]


def csv_bytes(flows: Flows) -> bytes:
    return french_csv(HEADER, rows(flows))


def xlsx_bytes(flows: Flows, *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Flux mensuels")
    sheet_layout(sheet, header_row=2, widths=[10, 16, 28] + [14] * (len(HEADER) - 3), frozen_columns=3)
    sheet.append([neutralise(title)])
    sheet.append(HEADER)
    count = 2
    for row in rows(flows):
        sheet.append([neutralise(value) for value in row])
        count += 1
    sheet_filter(sheet, header_row=2, columns=len(HEADER), last_row=count)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
