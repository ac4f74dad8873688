"""CSV files for people who open them in a French spreadsheet."""

import csv
import io
from collections.abc import Iterable

# A spreadsheet runs a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@")


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    # A lone sign (the "-" of an empty column) is no formula and stays readable.
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def french_csv(header: list[str], rows: Iterable[Iterable]) -> bytes:
    """`;`-separated UTF-8 with a byte-order mark (what a French spreadsheet opens without asking),
    every text cell neutralised."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8")
