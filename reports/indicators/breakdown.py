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

    def _parts(self, rows: QuerySet, keys: dict) -> tuple[dict, dict]:
        """The rows grouped by the `keys` expressions: {key tuple: part} (a part is the aggregates of its
        rows, or with `median_of` their values) and {key tuple: sorted record ids}."""
        grouped = rows.annotate(**keys).order_by()
        names = list(keys)
        parts: dict = defaultdict(list)
        if self.median_of:
            for *key, value in grouped.values_list(*names, self.median_of):
                parts[tuple(key)].append(value)
        else:
            for row in grouped.values(*names).annotate(**self.aggregates):
                parts[tuple(row.pop(name) for name in names)] = row
        ids: dict = defaultdict(list)
        for *key, record_id in grouped.order_by(self.ids).values_list(*names, self.ids):
            ids[tuple(key)].append(record_id)
        return parts, ids

    def _result(self, parts: list, ids: list[list[int]]) -> IndicatorResult:
        """The figure and the records of the union of disjoint parts."""
        if self.median_of:
            figure = median([value for part in parts for value in part])
        else:
            figure = self.value(functools.reduce(_add, parts, _nothing(self.aggregates)))
        merged = ids[0] if len(ids) == 1 else sorted(record_id for part in ids for record_id in part)
        return IndicatorResult(figure, merged)

    def _collect(self, parts: dict, ids: dict, position: int) -> dict:
        """{value of the key at `position`: (its parts, its ids)} over the key tuples."""
        collected = defaultdict(lambda: ([], []))
        for key, part in parts.items():
            collected[key[position]][0].append(part)
        for key, part_ids in ids.items():
            collected[key[position]][1].append(part_ids)
        return collected

    def breakdown(self, cells: list[Cell]) -> dict[Cell, IndicatorResult]:
        total, years, children = _split(cells)
        rows = self.population(total.territory, total.start, total.end)
        keys = {"cell_year": self._year()}
        column = None
        if children:
            group, column = _group_of(children)
            if _covered_by_children(total.territory):
                # Every row has one of the sub-territories: one read gives years and sub-territories.
                keys["cell_child"] = F(column)
        parts, ids = self._parts(rows, keys)
        results = {total: self._result(list(parts.values()), list(ids.values()) or [[]])}
        by_year = self._collect(parts, ids, 0)
        for cell in years:
            year_parts, year_ids = by_year.get(cell.year, ([], []))
            results[cell] = self._result(year_parts, year_ids or [[]])
        if children:
            if "cell_child" in keys:
                by_child = self._collect(parts, ids, 1)
            else:
                child_parts, child_ids = self._parts(
                    self.population(group, total.start, total.end), {"cell_child": F(column)}
                )
                by_child = self._collect(child_parts, child_ids, 0)
            for cell in children:
                child_parts, child_ids = by_child.get(cell.territory.code, ([], []))
                results[cell] = self._result(child_parts, child_ids or [[]])
        return results


class HeldOnLastDay:
    """A count of pathways in a state on the cell's last day: `population(territory, day)` returns one row
    per such pathway (`territory` may be a TerritoryGroup), so that a run counts the ids it reads. A run
    reads each distinct last day once on the territory (the whole period ends on its last year's last day)
    and the period's last day once grouped by sub-territory; when the sub-territories cover the territory
    exactly (the départements of a région), that last read gives the territory's last day too."""

    def __init__(self, population: Callable[..., QuerySet], *, ids: str = "pathway_id"):
        self.population, self.ids = population, ids
        functools.update_wrapper(self, population)

    def __call__(self, territory: Territory, start: date, end: date) -> IndicatorResult:
        rows = self.population(territory, end)
        return IndicatorResult(rows.count(), rows.order_by(self.ids).values_list(self.ids, flat=True))

    def breakdown(self, cells: list[Cell]) -> dict[Cell, IndicatorResult]:
        total, years, children = _split(cells)
        by_day: dict[date, list[int]] = {}
        results = {}
        if children:
            group, column = _group_of(children)
            ids_by_child, every = _ids_by(self.population(group, total.end), F(column), self.ids)
            for cell in children:
                ids = ids_by_child.get(cell.territory.code, [])
                results[cell] = IndicatorResult(len(ids), ids)
            if _covered_by_children(total.territory):
                by_day[total.end] = sorted(every)
        for cell in [total, *years]:
            if cell.end not in by_day:
                rows = self.population(cell.territory, cell.end)
                by_day[cell.end] = list(rows.order_by(self.ids).values_list(self.ids, flat=True))
            results[cell] = IndicatorResult(len(by_day[cell.end]), by_day[cell.end])
        return results


def _covered_by_children(territory: Territory) -> bool:
    """Is every row of the territory in one of its sub-territories? A région's rows all have one of its
    départements; France's may have no région (no commune), a département's EPCI reach beyond it."""
    return territory.kind == "region"


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
