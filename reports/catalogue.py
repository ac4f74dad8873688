"""The indicator catalogue: one registered function per indicator of indicators.md.

Each function takes (territory, start, end) and returns an IndicatorResult: the figure and the ids of the
records behind it. The bilan command, the bilan pages and the exports all read this catalogue.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from territories.territory import Territory

AXES = {
    1: "Produire et mobiliser plus de logements abordables et adaptés",
    2: "Promouvoir et accélérer l'accès au logement",
    3: "Mieux accompagner les personnes sans domicile",
    4: "Prévenir les ruptures et recentrer l'hébergement sur une réponse immédiate et inconditionnelle",
    5: "Mobiliser les acteurs et les territoires",
}


@dataclass(frozen=True)
class IndicatorResult:
    value: int | float | None
    # Ids of the records behind the figure, of `Indicator.record_model` ("app_label.Model").
    record_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Indicator:
    code: str
    axis: int
    unit: str  # French unit shown to people: "places", "attributions", "%", "jours", ...
    label: str  # French label
    definition: str  # French definition, as shown on the bilan page and in the exports' annex
    kind: str  # "count", "places", "percent" or "median": drives formatting and statistical secrecy
    record_model: str  # "app_label.Model" of record_ids
    compute: Callable[[Territory, date, date], IndicatorResult]
    # Counts of households, persons, pathways or measures are secret between 1 and 4 when published;
    # counts of places and territories never are (indicators.md, Publication).
    secret: bool = True
    version: int = 1


CATALOGUE: dict[str, Indicator] = {}


def register(**meta) -> Callable:
    """Decorator: `@register(code=..., axis=..., unit=..., label=..., definition=..., kind=..., record_model=...)`."""

    def wrap(function):
        indicator = Indicator(compute=function, **meta)
        if indicator.code in CATALOGUE:
            raise ValueError(f"Indicator {indicator.code} registered twice")
        CATALOGUE[indicator.code] = indicator
        return function

    return wrap
