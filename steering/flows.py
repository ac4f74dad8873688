"""Monthly inflow and outflow of the active pathways of a territory (docs/indicateurs.md, « Pilotage
mensuel »), from the read model's active periods (facts.models.ActiveSpan) in one grouped query: the
periods that meet the window, counted by the month of their start and of their end (valid_to, the first
day no longer active), entry, exit, household composition and situation group. From each group:

- the stocks: active at the end of month k when it starts by k and ends after it;
- the inflow of the month it starts in, by entry; the outflow of the month it ends in, by exit.

The totals and both breakdowns add up the same groups. The balance check (start + inflow − outflow =
end) holds for every month when the stocks and the flows are counted right: a test of this code, shown
on the page, not a property of the data."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Value
from django.db.models.functions import Greatest, Least

from facts.models import ActiveSpan, Entry, Exit, in_territory
from pathways.enums import Composition, SituationGroup
from project.expressions import MonthStart
from project.months import Month

UNKNOWN = ""  # a situation group not known on the period's first day
DIMENSIONS = {
    "composition": ("Composition du ménage", dict(Composition.choices)),
    "situation_group": ("Situation à l'entrée", {**dict(SituationGroup.choices), UNKNOWN: "Situation inconnue"}),
}


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
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    # One pass over the periods that meet the window, grouped by the month of their start and of their
    # end, both clipped to the window (a start before it falls in the month of `before`, an end after it
    # in the month of `after`), with their entry, exit and categories.
    rows = (
        ActiveSpan.objects.filter(in_territory(territory))
        .filter(valid_from__lte=last, valid_to__gte=first)
        .order_by()
        .annotate(
            from_month=MonthStart(Greatest("valid_from", Value(before))),
            to_month=MonthStart(Least("valid_to", Value(after))),
        )
        .values("from_month", "to_month", "entry", "exit", "composition", "situation_group")
        .annotate(n=Count("pk"))
    )
    index = {m.first: k for k, m in enumerate(months)}
    count = len(months)

    def blank():
        return [Flow(m) for m in months]

    total = blank()
    by = {dimension: defaultdict(blank) for dimension in ("composition", "situation_group")}
    # Stocks by differences: a group active at the end of months start .. end - 1 adds n at its first
    # such month and takes it away after the last; prefix sums give each month's count.
    deltas = defaultdict(lambda: [0] * (count + 1))
    for row in rows:
        start = index.get(row["from_month"], -1)  # the month it starts in, or -1 before the window
        end = index.get(row["to_month"], count)  # the month its valid_to falls in, or count after
        n = row["n"]
        for key in ("total", ("composition", row["composition"]), ("situation_group", row["situation_group"])):
            flows = total if key == "total" else by[key[0]][key[1]]
            if start >= 0:
                flows[start].inflow[row["entry"]] += n
            if end < count:
                flows[end].outflow[row["exit"]] += n
            delta = deltas[key]
            delta[max(start, 0)] += n
            delta[min(end, count)] -= n
            if start < 0:
                flows[0].start += n  # active on the day before the window (valid_to >= first: the filter)
    for key, delta in deltas.items():
        flows = total if key == "total" else by[key[0]][key[1]]
        active = 0
        for k in range(count):
            active += delta[k]
            flows[k].end = active
            if k + 1 < count:
                flows[k + 1].start = active
    return Flows(months=months, total=total, by={d: _ordered(d, c) for d, c in by.items()})


def _ordered(dimension: str, categories: dict) -> dict[str, list[Flow]]:
    order = list(DIMENSIONS[dimension][1])
    return {c: categories[c] for c in sorted(categories, key=lambda c: order.index(c) if c in order else len(order))}
