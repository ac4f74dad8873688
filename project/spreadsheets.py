"""CSV files for people who open them in a French spreadsheet."""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl.utils import get_column_letter

# A spreadsheet runs a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@")


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    # A lone sign (the "-" of an empty column) is no formula and stays readable.
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def french_decimal(value):
    """12.5 -> "12,5": a French spreadsheet reads a decimal point as text. Whole numbers stay as they are."""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        return str(value).replace(".", ",")
    return value


def french_csv(header: list[str], rows: Iterable[Iterable]) -> bytes:
    """`;`-separated UTF-8 with a byte-order mark (what a French spreadsheet opens without asking),
    decimal commas, every text cell neutralised."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([french_decimal(neutralise(value)) for value in row])
    return buffer.getvalue().encode("utf-8")


def sheet_layout(sheet, *, header_row: int, widths: list[float], frozen_columns: int = 0) -> None:
    """Each column its width, and the header row (with the first `frozen_columns` columns) kept in view
    while scrolling. A write-only sheet takes this before its first row."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_row + 1}"


def sheet_filter(sheet, *, header_row: int, columns: int, last_row: int) -> None:
    """A filter on every column of the header, over the rows down to `last_row`. A write-only sheet
    writes it when saved, so it may be set after its rows."""
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"
