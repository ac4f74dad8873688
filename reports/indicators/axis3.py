"""Axis 3: support, read from pathways and support measures (indicators.md)."""

from datetime import date

from django.db.models import Q, QuerySet

from facts.models import Event, EventKind, in_territory
from reports.catalogue import IndicatorResult, register
from reports.indicators.breakdown import count
from territories.territory import Territory


@register(
    code="parcours_ouverts",
    axis=3,
    unit="parcours",
    label="Parcours ouverts",
    definition="Parcours ouverts pendant la période (date d'ouverture du parcours, inchangée par une "
    "réouverture), commune du parcours dans le territoire.",
    kind="count",
    record_model="pathways.Pathway",
    figure=count,
)
def parcours_ouverts(territory: Territory, start: date, end: date) -> QuerySet:
    return Event.objects.of(EventKind.OPENED, territory, start, end)


@register(
    code="mesures_accompagnement_ouvertes",
    axis=3,
    unit="mesures",
    label="Mesures d'accompagnement ouvertes",
    definition="Mesures d'accompagnement commencées pendant la période dont la commune du parcours est dans le "
    "territoire.",
    kind="count",
    record_model="pathways.Measure",
    figure=count,
)
def mesures_accompagnement_ouvertes(territory: Territory, start: date, end: date) -> QuerySet:
    return Event.objects.of(EventKind.MEASURE, territory, start, end)


@register(
    code="menages_accompagnes",
    axis=3,
    unit="ménages",
    label="Ménages accompagnés",
    definition="Ménages distincts ayant au moins une mesure d'accompagnement active pendant la période "
    "(commencée au plus tard à la date de fin, et non terminée ou terminée au plus tôt à la date de début), "
    "commune du parcours dans le territoire.",
    kind="count",
    record_model="pathways.Household",
)
def menages_accompagnes(territory: Territory, start: date, end: date) -> IndicatorResult:
    """Distinct households do not add up over years or sub-territories: a run computes it cell by cell."""
    active = Event.objects.filter(in_territory(territory), kind=EventKind.MEASURE, date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    households = active.order_by("household_id").values_list("household_id", flat=True).distinct()
    return IndicatorResult(households.count(), households)
