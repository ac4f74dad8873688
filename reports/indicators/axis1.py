"""Axis 1: housing supply, in places of sites (indicators.md)."""

from datetime import date

from django.db.models import Q, QuerySet, Sum

from reports.catalogue import IndicatorResult, register
from territories.enums import IML_SITE_KINDS, PENSION_FAMILLE_SITE_KINDS
from territories.models import Site
from territories.territory import Territory

IML_KINDS = "« IML en sous-location » ou « IML en mandat de gestion »"
PENSION_KINDS = "« pension de famille » ou « résidence accueil »"


def _places(sites: QuerySet) -> IndicatorResult:
    total = sites.aggregate(total=Sum("places"))["total"] or 0
    return IndicatorResult(total, list(sites.order_by("pk").values_list("pk", flat=True)))


def _opened_in(kinds, territory: Territory, start: date, end: date) -> IndicatorResult:
    return _places(
        Site.objects.filter(kind__in=kinds, opened_on__range=(start, end)).filter(territory.commune_q("commune"))
    )


def _open_on(kinds, territory: Territory, day: date) -> IndicatorResult:
    # A site is open up to the day before its closing date: one closed on `day` no longer counts.
    return _places(
        Site.objects.filter(kind__in=kinds, opened_on__lte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .filter(territory.commune_q("commune"))
    )


@register(
    code="places_iml_creees",
    axis=1,
    unit="places",
    label="Places d'intermédiation locative créées",
    definition=f"Somme des places des sites de type {IML_KINDS} ouverts pendant la période, "
    "dans une commune du territoire.",
    kind="places",
    record_model="territories.Site",
    secret=False,
)
def places_iml_creees(territory: Territory, start: date, end: date) -> IndicatorResult:
    return _opened_in(IML_SITE_KINDS, territory, start, end)


@register(
    code="places_pensions_famille_creees",
    axis=1,
    unit="places",
    label="Places de pensions de famille créées",
    definition=f"Somme des places des sites de type {PENSION_KINDS} ouverts pendant la période, "
    "dans une commune du territoire.",
    kind="places",
    record_model="territories.Site",
    secret=False,
)
def places_pensions_famille_creees(territory: Territory, start: date, end: date) -> IndicatorResult:
    return _opened_in(PENSION_FAMILLE_SITE_KINDS, territory, start, end)


@register(
    code="places_iml_ouvertes",
    axis=1,
    unit="places",
    label="Places d'intermédiation locative ouvertes en fin de période",
    definition=f"Somme des places des sites de type {IML_KINDS} ouverts à la date de fin : ouverts au plus "
    "tard à la date de fin, et non fermés ou fermés après la date de fin ; commune dans le territoire.",
    kind="places",
    record_model="territories.Site",
    secret=False,
)
def places_iml_ouvertes(territory: Territory, start: date, end: date) -> IndicatorResult:
    return _open_on(IML_SITE_KINDS, territory, end)


@register(
    code="places_pensions_famille_ouvertes",
    axis=1,
    unit="places",
    label="Places de pensions de famille ouvertes en fin de période",
    definition=f"Somme des places des sites de type {PENSION_KINDS} ouverts à la date de fin : ouverts au "
    "plus tard à la date de fin, et non fermés ou fermés après la date de fin ; commune dans le territoire.",
    kind="places",
    record_model="territories.Site",
    secret=False,
)
def places_pensions_famille_ouvertes(territory: Territory, start: date, end: date) -> IndicatorResult:
    return _open_on(PENSION_FAMILLE_SITE_KINDS, territory, end)
