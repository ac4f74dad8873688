"""Axis 5: territories holding the accelerated implementation label (indicators.md)."""

from datetime import date

from django.db.models import Exists, OuterRef, Q

from reports.catalogue import IndicatorResult, register
from territories.enums import LabelKind
from territories.models import Commune, Label
from territories.territory import Territory


@register(
    code="territoires_acceleres",
    axis=5,
    unit="territoires",
    label="Territoires de mise en œuvre accélérée",
    definition="Territoires distincts (commune, EPCI ou département) titulaires du label « territoire de mise en "
    "œuvre accélérée du Logement d'abord » pendant au moins un jour de la période (label commencé au plus tard "
    "à la date de fin, et non terminé ou terminé au plus tôt à la date de début) ayant au moins une de leurs "
    "communes dans le territoire. Un EPCI ou un département labellisé compte pour tout territoire qui contient "
    "une de ses communes.",
    kind="count",
    record_model="territories.Label",
    secret=False,
)
def territoires_acceleres(territory: Territory, start: date, end: date) -> IndicatorResult:
    communes = Commune.objects.filter(territory.commune_q())
    labels = (
        Label.objects.filter(kind=LabelKind.MISE_EN_OEUVRE_ACCELEREE, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .filter(
            Q(commune__in=communes.values("code"))
            | Q(Exists(communes.filter(epci=OuterRef("epci"))))
            | Q(Exists(communes.filter(departement=OuterRef("departement"))))
        )
    )
    # A territory labelled twice over the period (renewed label) counts once.
    territories = labels.order_by().values_list("commune", "epci", "departement").distinct().count()
    return IndicatorResult(territories, list(labels.order_by("pk").values_list("pk", flat=True)))
