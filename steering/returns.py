"""Returns to homelessness after housing, and the time to housing (docs/indicateurs.md, « Pilotage
mensuel »), read from the read model's move-ins (facts.models.Event) like the bilan's figures.

The cohort is the move-ins of a period in a territory. A move-in **returns** within a horizon when, no
later than that many days after it, its pathway is closed by a rupture, the household opens another
pathway, or a street or shelter situation starting after the move-in is recorded on its pathway (HUD's
system performance measure 2 reads the same way). A horizon counts only the move-ins followed that long
(move-in date + horizon <= the day observed)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import OuterRef, Subquery

from facts.models import Event, EventKind
from pathways.enums import SituationGroup, situations_in_group
from pathways.models import Situation
from reports.indicators.figures import median, percent

# (months, days): the horizons of the measure, in calendar days.
HORIZONS = ((6, 183), (12, 365), (24, 730))
STREET_OR_SHELTER = situations_in_group(SituationGroup.SANS_ABRI, SituationGroup.HEBERGEMENT)


@dataclass(frozen=True)
class Horizon:
    months: int
    days: int
    followed: int  # move-ins of the cohort followed that long
    returned: int  # of which returned within the horizon

    @property
    def share(self) -> float | None:
        return percent(self.returned, self.followed)


@dataclass(frozen=True)
class Returns:
    move_ins: int
    horizons: list[Horizon]
    # Medians in days from the pathway's opening, and from the household's situation start to the move-in.
    median_from_opening: float | None
    median_from_situation: float | None


def _first(queryset, column: str):
    return Subquery(queryset.order_by(column).values(column)[:1])


def returns_after_housing(territory, start: date, end: date, *, today: date) -> Returns:
    move_ins = Event.objects.of(EventKind.MOVE_IN, territory, start, end)
    reopened = Event.objects.filter(
        kind=EventKind.OPENED, household_id=OuterRef("household_id"), date__gt=OuterRef("date")
    ).exclude(pathway_id=OuterRef("pathway_id"))
    back_on_street = Situation.objects.filter(
        pathway_id=OuterRef("pathway_id"), since__gt=OuterRef("date"), situation__in=STREET_OR_SHELTER
    )
    declared = Situation.objects.filter(pathway_id=OuterRef("pathway_id"))
    rows = move_ins.annotate(
        reopened_on=_first(reopened, "date"),
        street_on=_first(back_on_street, "since"),
        situation_since=_first(declared, "since"),
    ).values_list("date", "days_to_rupture", "reopened_on", "street_on", "days_since_opening", "situation_since")
    to_return, from_opening, from_situation = [], [], []
    for day, to_rupture, reopened_on, street_on, since_opening, situation_since in rows.iterator(chunk_size=5000):
        delays = [d for d in (to_rupture, _days(day, reopened_on), _days(day, street_on)) if d is not None]
        to_return.append((day, min(delays) if delays else None))
        from_opening.append(since_opening)
        opened_on = day - timedelta(days=since_opening)
        origin = min(opened_on, situation_since) if situation_since else opened_on
        from_situation.append((day - origin).days)
    horizons = []
    for months, days in HORIZONS:
        followed = [delay for day, delay in to_return if day + timedelta(days=days) <= today]
        returned = sum(1 for delay in followed if delay is not None and delay <= days)
        horizons.append(Horizon(months, days, len(followed), returned))
    return Returns(
        move_ins=len(to_return),
        horizons=horizons,
        median_from_opening=median(from_opening),
        median_from_situation=median(from_situation),
    )


def _days(start: date, end: date | None) -> int | None:
    return None if end is None else (end - start).days
