"""Exports of a filtered queue to XLSX (typed cells) and CSV (for French spreadsheets)."""

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from pathways.enums import SituationKind, Stage
from project.spreadsheets import french_csv, neutralise
from web.queues.rows import confidential_structures, may_see_any_name, shown_name

STAGE_LABELS = dict(Stage.choices)
SITUATION_LABELS = dict(SituationKind.choices)
DATE_FORMAT = "DD/MM/YYYY"
CHUNK = 2000


def columns(user) -> list[str]:
    heads = ["Parcours", "Ménage"]
    if may_see_any_name(user):
        heads.append("Nom de la personne de référence")
    heads += [
        "Étape",
        "Depuis le",
        "Jours d'attente",
        "Bloqué",
        "DALO",
        "Structure référente",
        "Référent ou référente",
        "Code commune",
        "Commune",
        "Situation actuelle",
    ]
    return heads


def rows(queryset, user):
    """One list of typed values per pathway. `queryset` is the filtered queue; the confidential
    households' structures are read in one query, the rows in one query streamed by chunks."""
    structures = confidential_structures(queryset.values("household_id"))
    with_names = may_see_any_name(user)
    for pathway in queryset.iterator(chunk_size=CHUNK):
        row = [pathway.reference, pathway.household.reference]
        if with_names:
            row.append(shown_name(pathway, user, structures))
        row += [
            STAGE_LABELS[pathway.stage],
            pathway.stage_on,
            pathway.days_waiting,
            "Oui" if pathway.is_stalled else "Non",
            "Oui" if pathway.dalo else "Non",
            pathway.referent_structure.name,
            str(pathway.caseworker) if pathway.caseworker else "",
            pathway.commune.code,
            pathway.commune.name,
            SITUATION_LABELS.get(pathway.current_situation, ""),
        ]
        yield [neutralise(value) for value in row]


def date_cell(sheet, value: date) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def to_xlsx(queryset, user) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("File d'attente")
    header = []
    for title in columns(user):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for values in rows(queryset, user):
        sheet.append([date_cell(sheet, value) if isinstance(value, date) else value for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(queryset, user) -> bytes:
    return french_csv(
        columns(user),
        (
            [f"{value:%d/%m/%Y}" if isinstance(value, date) else value for value in values]
            for values in rows(queryset, user)
        ),
    )
