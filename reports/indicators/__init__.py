"""The plan's indicators: importing this package fills the catalogue (reports.catalogue.CATALOGUE)."""

from datetime import date

from reports.catalogue import CATALOGUE, IndicatorResult
from reports.indicators import axis1, axis2, axis3, axis4, axis5  # noqa: F401  (registration)
from territories.territory import Territory


def compute_bilan(territory: Territory, start: date, end: date) -> dict[str, IndicatorResult]:
    """Every indicator of the catalogue for T and P = [start, end], in catalogue order."""
    return {code: indicator.compute(territory, start, end) for code, indicator in CATALOGUE.items()}
