"""Monthly inflow and outflow of the active pathways of a territory (docs/indicateurs.md, « Pilotage
mensuel »), from the read model's active periods (facts.models.ActiveSpan) in three grouped queries:

- the stocks: pathways active at the end of the day before each month and at the end of its last day;
- the inflow: periods starting in each month, by entry;
- the outflow: periods ending in each month (their valid_to, the first day no longer active), by exit.

Each count is grouped by household composition and situation group, so that the totals and both
breakdowns come from the same rows. The balance check (start + inflow − outflow = end) compares the
stocks with the flows, counted by different queries."""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from facts.models import ActiveSpan, Entry, Exit, in_territory
from pathways.enums import Composition, SituationGroup

UNKNOWN = ""  # a situation group not known on the period's first day
DIMENSIONS = {
    "composition": ("Composition du ménage", dict(Composition.choices)),
    "situation_group": ("Situation à l'entrée", {**dict(SituationGroup.choices), UNKNOWN: "Situation inconnue"}),
}


@dataclass(frozen=True)
class Month:
    first: date

    @property
    def last(self) -> date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"


def months_between(first: date, last: date) -> list[Month]:
    """The months from the one of `first` to the one of `last`, oldest first."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(Month(day))
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def last_complete_months(today: date, count: int = 24) -> list[Month]:
    """The `count` months before the current one."""
    end = today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(count - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return months_between(start, end)


@dataclass
class Flow:
    """One month of one population (all pathways, or one category of a breakdown)."""

    month: Month
    start: int = 0
    inflow: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Entry.values, 0))
    outflow: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Exit.values, 0))
    end: int = 0

    @property
    def inflow_total(self) -> int:
        return sum(self.inflow.values())

    @property
    def outflow_total(self) -> int:
        return sum(self.outflow.values())

    @property
    def balanced(self) -> bool:
        return self.start + self.inflow_total - self.outflow_total == self.end


@dataclass
class Flows:
    months: list[Month]
    total: list[Flow]
    # {dimension: {category: [Flow per month]}}, categories with at least one pathway only
    by: dict[str, dict[str, list[Flow]]]

    @property
    def balanced(self) -> bool:
        flows = self.total + [f for categories in self.by.values() for rows in categories.values() for f in rows]
        return all(flow.balanced for flow in flows)


def monthly_flows(territory, months: list[Month]) -> Flows:
    """The flows of the pathways of `territory` (a Territory) over consecutive `months`."""
    first, last = months[0].first, months[-1].last
    spans = ActiveSpan.objects.filter(in_territory(territory)).filter(valid_from__lte=last, valid_to__gte=first)
    keys = ("composition", "situation_group")
    # Stock at the end of day D: valid_from <= D < valid_to. Boundaries: the day before each month, and
    # the last day of the last month (the end of a month is the start of the next).
    days = [m.first - timedelta(days=1) for m in months] + [last]
    stocks = list(
        spans.order_by()
        .values(*keys)
        .annotate(
            **{f"s{k}": Count("pk", filter=Q(valid_from__lte=day, valid_to__gt=day)) for k, day in enumerate(days)}
        )
    )
    inflow = list(
        spans.filter(valid_from__gte=first)
        .order_by()
        .annotate(month=TruncMonth("valid_from"))
        .values("month", "entry", *keys)
        .annotate(n=Count("pk"))
    )
    outflow = list(
        spans.filter(valid_to__lte=last)
        .order_by()
        .annotate(month=TruncMonth("valid_to"))
        .values("month", "exit", *keys)
        .annotate(n=Count("pk"))
    )
    index = {m.first: k for k, m in enumerate(months)}

    def blank():
        return [Flow(m) for m in months]

    total = blank()
    by = {dimension: defaultdict(blank) for dimension in keys}

    def targets(row):
        return [total, by["composition"][row["composition"]], by["situation_group"][row["situation_group"]]]

    for row in stocks:
        for rows in targets(row):
            for k, flow in enumerate(rows):
                flow.start += row[f"s{k}"]
                flow.end += row[f"s{k + 1}"]
    for rows_of, kind, column in ((inflow, "inflow", "entry"), (outflow, "outflow", "exit")):
        for row in rows_of:
            k = index[_day(row["month"])]
            for rows in targets(row):
                getattr(rows[k], kind)[row[column]] += row["n"]
    return Flows(months=months, total=total, by={d: _ordered(d, c) for d, c in by.items()})


def _day(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _ordered(dimension: str, categories: dict) -> dict[str, list[Flow]]:
    order = list(DIMENSIONS[dimension][1])
    return {c: categories[c] for c in sorted(categories, key=lambda c: order.index(c) if c in order else len(order))}
