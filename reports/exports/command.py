"""File formats of the `bilan` command (`--format xlsx|pdf --output FILE`): the same files as the
downloads of a run, with exact figures (the command, like administrators, shows no secrecy)."""

from reports.exports.pdf import pdf_bytes
from reports.exports.tables import build_table
from reports.exports.xlsx import xlsx_bytes


def computed_table(bilan):
    from reports.services import bilan_compute

    figures = bilan_compute(territory=bilan.territory, start=bilan.start, end=bilan.end)
    return build_table(
        figures,
        territory_code=bilan.territory.key,
        territory_name=bilan.territory.name,
        start=bilan.start,
        end=bilan.end,
        secrecy=False,
    )


def as_xlsx(bilan) -> bytes:
    return xlsx_bytes(computed_table(bilan))


def as_pdf(bilan) -> bytes:
    return pdf_bytes(computed_table(bilan))


FILE_FORMATS = {"xlsx": as_xlsx, "pdf": as_pdf}
