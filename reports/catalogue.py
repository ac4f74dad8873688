"""The indicator catalogue: one registered function per indicator of indicators.md.

Each function takes (territory, start, end) and returns an IndicatorResult: the figure and the ids of the
records behind it. The bilan command, the bilan pages and the exports all read this catalogue.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from territories.territory import Territory

AXES = {
    1: "Produire et mobiliser plus de logements abordables et adaptés",
    2: "Promouvoir et accélérer l'accès au logement",
    3: "Mieux accompagner les personnes sans domicile",
    4: "Prévenir les ruptures et recentrer l'hébergement sur une réponse immédiate et inconditionnelle",
    5: "Mobiliser les acteurs et les territoires",
}


class IndicatorResult:
    """The figure, and the ids of the records behind it (of `Indicator.record_model`, "app_label.Model").

    `record_ids` may be given as a query of the ids: it runs only when they are read (a bilan run stores
    them, the `bilan` command prints only the figures)."""

    __slots__ = ("value", "_record_ids")

    def __init__(self, value: int | float | None, record_ids: Iterable[int] | None = None):
        self.value = value
        self._record_ids = record_ids

    @property
    def record_ids(self) -> list[int]:
        if not isinstance(self._record_ids, list):
            self._record_ids = list(self._record_ids or ())
        return self._record_ids

    def __eq__(self, other) -> bool:
        if not isinstance(other, IndicatorResult):
            return NotImplemented
        return self.value == other.value and self.record_ids == other.record_ids

    __hash__ = None

    def __repr__(self) -> str:
        return f"IndicatorResult({self.value!r})"


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


def register(*, figure: Callable | None = None, **meta) -> Callable:
    """Decorator: `@register(code=..., axis=..., unit=..., label=..., definition=..., kind=..., record_model=...)`
    on a function (territory, start, end) -> IndicatorResult; with `figure=` (one of
    reports.indicators.breakdown's), on the function returning the indicator's population, that `figure`
    turns into the computation (and a run groups it)."""

    def wrap(function):
        indicator = Indicator(compute=figure(function) if figure else function, **meta)
        if indicator.code in CATALOGUE:
            raise ValueError(f"Indicator {indicator.code} registered twice")
        CATALOGUE[indicator.code] = indicator
        return function

    return wrap
