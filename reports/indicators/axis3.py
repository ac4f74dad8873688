"""Axis 3: support, read from pathways and support measures (indicators.md)."""

from datetime import date

from django.db.models import Q

from pathways.models import Measure, Pathway
from reports.catalogue import IndicatorResult, register
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
)
def parcours_ouverts(territory: Territory, start: date, end: date) -> IndicatorResult:
    pathways = Pathway.objects.filter(opened_on__range=(start, end)).filter(territory.commune_q("commune"))
    ids = list(pathways.order_by("pk").values_list("pk", flat=True))
    return IndicatorResult(len(ids), ids)


@register(
    code="mesures_accompagnement_ouvertes",
    axis=3,
    unit="mesures",
    label="Mesures d'accompagnement ouvertes",
    definition="Mesures d'accompagnement commencées pendant la période dont la commune du parcours est dans le "
    "territoire.",
    kind="count",
    record_model="pathways.Measure",
)
def mesures_accompagnement_ouvertes(territory: Territory, start: date, end: date) -> IndicatorResult:
    measures = Measure.objects.filter(started_on__range=(start, end)).filter(territory.commune_q("pathway__commune"))
    ids = list(measures.order_by("pk").values_list("pk", flat=True))
    return IndicatorResult(len(ids), ids)


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
    active = (
        Measure.objects.filter(started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .filter(territory.commune_q("pathway__commune"))
    )
    households = active.order_by("pathway__household_id").values_list("pathway__household_id", flat=True)
    ids = list(households.distinct())
    return IndicatorResult(len(ids), ids)
