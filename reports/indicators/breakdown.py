"""A bilan run's cells, and the indicators that compute all of them in a few grouped queries.

A run (reports.services.bilan_compute) holds one figure per indicator and per cell: the whole period, each
calendar year of it (clipped to it), each sub-territory over the whole period. An indicator registered
with a `figure=` of this module (`count`, `total_of`, `share`, `median_of`, `held_on_last_day`) is one
population of read-model rows and one set of SQL aggregates over it: the `bilan` command aggregates the
population of its one cell; a run reads it grouped by year on the territory and grouped by sub-territory
on the sub-territories, a handful of queries for all the cells instead of one computation per cell. The
other indicators (cheap ones, or one whose figure does not add up over parts: distinct households) are
computed cell by cell. tests/reports/test_breakdown.py checks every cell of a run against its own
computation.
"""

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter

from django.db.models import Count, DateField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from facts.models import TERRITORY_COLUMNS
from reports.catalogue import IndicatorResult
from reports.enums import FigureScope
from reports.indicators.figures import median, median_in_database, percent
from territories.territory import Territory, TerritoryGroup


def years_of(start: date, end: date) -> list[tuple[int, date, date]]:
    """Each calendar year of [start, end], clipped to it."""
    return [
        (year, max(start, date(year, 1, 1)), min(end, date(year, 12, 31))) for year in range(start.year, end.year + 1)
    ]


@dataclass(frozen=True)
class Cell:
    scope: str  # FigureScope
    year: int | None
    territory: Territory
    start: date
    end: date


def run_cells(territory: Territory, start: date, end: date) -> list[Cell]:
    """The whole period first, then each year, then each sub-territory (the order of a run's figures)."""
    cells = [Cell(FigureScope.TOTAL, None, territory, start, end)]
    cells += [Cell(FigureScope.YEAR, year, territory, first, last) for year, first, last in years_of(start, end)]
    cells += [Cell(FigureScope.SUB_TERRITORY, None, child, start, end) for child in territory.children()]
    return cells


def compute_cells(indicator, cells: list[Cell]) -> dict[Cell, IndicatorResult]:
    """The indicator's result for each cell: grouped when its figure can, cell by cell otherwise."""
    grouped = getattr(indicator.compute, "breakdown", None)
    if grouped is not None:
        return grouped(cells)
    return {cell: indicator.compute(cell.territory, cell.start, cell.end) for cell in cells}


def _split(cells: list[Cell]) -> tuple[Cell, list[Cell], list[Cell]]:
    total = cells[0]
    assert total.scope == FigureScope.TOTAL, "run_cells() puts the whole period first"
    years = [cell for cell in cells if cell.scope == FigureScope.YEAR]
    children = [cell for cell in cells if cell.scope == FigureScope.SUB_TERRITORY]
    return total, years, children


def _group_of(children: list[Cell]) -> tuple[TerritoryGroup, str]:
    kinds = {cell.territory.kind for cell in children}
    assert len(kinds) == 1, "the sub-territories of a territory are of one kind"
    kind = kinds.pop()
    return TerritoryGroup(kind, tuple(cell.territory.code for cell in children)), TERRITORY_COLUMNS[kind]


def _ids_by(rows: QuerySet, key, column: str) -> tuple[dict, list[int]]:
    """The record ids of `rows` by the value of `key` (an expression), and all of them; sorted."""
    by_key, every = defaultdict(list), []
    for group, record_id in rows.annotate(group_key=key).order_by(column).values_list("group_key", column):
        by_key[group].append(record_id)
        every.append(record_id)
    return by_key, every


def _nothing(aggregates: dict) -> dict:
    """The aggregates over no row, as SQL gives them: 0 for a count, null for a sum."""
    return {name: 0 if isinstance(aggregate, Count) else None for name, aggregate in aggregates.items()}


def _add(left: dict, right: dict) -> dict:
    return {name: right[name] if left[name] is None else left[name] + (right[name] or 0) for name in left}


class OverPeriod:
    """A figure over the read-model rows dated in the cell's period: `population(territory, start, end)`
    returns them (`territory` may be a TerritoryGroup), `aggregates` are SQL aggregates over them that add up
    over disjoint parts (counts, sums), `value` makes the figure from them; or, with `median`, the figure is
    the median of that column. `shift_days`: the population of [start, end] is dated shift_days earlier
    (a cohort), so a row's year cell is the year of its date plus shift_days."""

    def __init__(
        self,
        population: Callable[..., QuerySet],
        *,
        aggregates: dict | None = None,
        value: Callable[[dict], int | float | None] | None = None,
        median_of: str | None = None,
        shift_days: int = 0,
        ids: str = "record_id",
    ):
        self.population = population
        self.aggregates, self.value, self.median_of = aggregates, value, median_of
        self.shift_days, self.ids = shift_days, ids
        functools.update_wrapper(self, population)

    def __call__(self, territory: Territory, start: date, end: date) -> IndicatorResult:
        rows = self.population(territory, start, end)
        if self.median_of:
            figure = median_in_database(rows, self.median_of)
        else:
            figure = self.value(rows.aggregate(**self.aggregates))
        return IndicatorResult(figure, rows.order_by(self.ids).values_list(self.ids, flat=True))

    def _year(self):
        if not self.shift_days:
            return F("year")
        shifted = ExpressionWrapper(F("date") + timedelta(days=self.shift_days), output_field=DateField())
        return ExtractYear(shifted)

    def _figures(self, rows: QuerySet, key) -> tuple[dict, int | float | None]:
        """The figure of each group of `rows` by `key`, and of all of them."""
        if self.median_of:
            values = defaultdict(list)
            for group, value in rows.annotate(group_key=key).values_list("group_key", self.median_of):
                values[group].append(value)
            every = [value for group_values in values.values() for value in group_values]
            return {group: median(group_values) for group, group_values in values.items()}, median(every)
        grouped = rows.annotate(group_key=key).order_by().values("group_key").annotate(**self.aggregates)
        parts = {row.pop("group_key"): row for row in grouped}
        whole = functools.reduce(_add, parts.values(), _nothing(self.aggregates))
        return {group: self.value(part) for group, part in parts.items()}, self.value(whole)

    def _empty(self):
        """The figure of a cell without rows."""
        return median([]) if self.median_of else self.value(_nothing(self.aggregates))

    def breakdown(self, cells: list[Cell]) -> dict[Cell, IndicatorResult]:
        total, years, children = _split(cells)
        rows = self.population(total.territory, total.start, total.end)
        by_year, whole = self._figures(rows, self._year())
        ids_by_year, every = _ids_by(rows, self._year(), self.ids)
        results = {total: IndicatorResult(whole, every)}
        empty = self._empty()
        for cell in years:
            results[cell] = IndicatorResult(by_year.get(cell.year, empty), ids_by_year.get(cell.year, []))
        if children:
            group, column = _group_of(children)
            rows = self.population(group, total.start, total.end)
            by_child, _ = self._figures(rows, F(column))
            ids_by_child, _ = _ids_by(rows, F(column), self.ids)
            for cell in children:
                code = cell.territory.code
                results[cell] = IndicatorResult(by_child.get(code, empty), ids_by_child.get(code, []))
        return results


class HeldOnLastDay:
    """A count of pathways in a state on the cell's last day: `population(territory, day)` returns one row
    per such pathway (`territory` may be a TerritoryGroup). A run reads each distinct last day once on the
    territory (the whole period ends on its last year's last day) and once grouped by sub-territory."""

    def __init__(self, population: Callable[..., QuerySet], *, ids: str = "pathway_id"):
        self.population, self.ids = population, ids
        functools.update_wrapper(self, population)

    def __call__(self, territory: Territory, start: date, end: date) -> IndicatorResult:
        rows = self.population(territory, end)
        return IndicatorResult(rows.count(), rows.order_by(self.ids).values_list(self.ids, flat=True))

    def breakdown(self, cells: list[Cell]) -> dict[Cell, IndicatorResult]:
        total, years, children = _split(cells)
        by_day: dict[date, IndicatorResult] = {}
        results = {}
        for cell in [total, *years]:
            if cell.end not in by_day:
                result = self(cell.territory, cell.start, cell.end)
                by_day[cell.end] = IndicatorResult(result.value, result.record_ids)
            results[cell] = by_day[cell.end]
        if children:
            group, column = _group_of(children)
            rows = self.population(group, total.end)
            counts = dict(rows.order_by().values_list(column).annotate(count=Count("pk")))
            ids_by_child, _ = _ids_by(rows, F(column), self.ids)
            for cell in children:
                code = cell.territory.code
                results[cell] = IndicatorResult(counts.get(code, 0), ids_by_child.get(code, []))
        return results


# The `figure=` of reports.catalogue.register: each turns the decorated population function into the
# indicator's computation.


def count(population) -> OverPeriod:
    return OverPeriod(population, aggregates={"count": Count("pk")}, value=itemgetter("count"))


def total_of(field: str) -> Callable[..., OverPeriod]:
    def figure(population):
        return OverPeriod(population, aggregates={"total": Sum(field)}, value=lambda parts: parts["total"] or 0)

    return figure


def share(condition: Q, *, shift_days: int = 0) -> Callable[..., OverPeriod]:
    """100 × rows meeting `condition` / rows, rounded (reports.indicators.figures.percent)."""

    def figure(population):
        return OverPeriod(
            population,
            aggregates={"hits": Count("pk", filter=condition), "rows": Count("pk")},
            value=lambda parts: percent(parts["hits"], parts["rows"]),
            shift_days=shift_days,
        )

    return figure


def median_of(field: str) -> Callable[..., OverPeriod]:
    def figure(population):
        return OverPeriod(population, median_of=field)

    return figure


def held_on_last_day(population) -> HeldOnLastDay:
    return HeldOnLastDay(population)
