"""Axis 2: access to housing, read from leases and move-ins (indicators.md). Each function returns the
indicator's population; its `figure` counts, sums, shares or takes the median of it."""

from datetime import date

from django.db.models import Q, QuerySet

from pathways.enums import HousingKind, SituationGroup
from reports.catalogue import register
from reports.indicators.breakdown import count, median_of, share, total_of
from reports.indicators.events import effective_attributions, move_ins
from territories.territory import Territory

ATTRIBUTION = (
    "Attribution effective : bail signé en parc social, non annulé (un bail est annulé quand l'étape suivante "
    "du parcours est « Orienté », quelle qu'en soit la date) ; sa date est celle du bail, sa commune celle du "
    "logement."
)
MOVE_IN = (
    "La commune et le type du logement d'une entrée dans les lieux sont ceux du dernier bail signé du parcours "
    "avant elle."
)
# The asylum system (group `asile`) is deliberately not in either group, as in the national indicator.
HOMELESS_OR_SHELTERED = [SituationGroup.SANS_ABRI, SituationGroup.HEBERGEMENT]
HOUSING_FIRST_KINDS = [
    HousingKind.PARC_SOCIAL,
    HousingKind.IML_SOUS_LOCATION,
    HousingKind.IML_MANDAT_GESTION,
    HousingKind.PENSION_FAMILLE,
    HousingKind.RESIDENCE_ACCUEIL,
]


@register(
    code="attributions_sortants_hebergement",
    axis=2,
    unit="attributions",
    label="Attributions de logements sociaux à des ménages sortant d'hébergement",
    definition="Attributions effectives de logements sociaux datées de la période, commune du logement dans le "
    "territoire, dont la situation du ménage à cette date relève du groupe « hébergement » (le dispositif "
    f"d'asile en est exclu). {ATTRIBUTION}",
    kind="count",
    record_model="pathways.Transition",
    figure=count,
)
def attributions_sortants_hebergement(territory: Territory, start: date, end: date) -> QuerySet:
    return effective_attributions(territory, start, end).filter(situation_group=SituationGroup.HEBERGEMENT)


@register(
    code="attributions_sans_abri",
    axis=2,
    unit="attributions",
    label="Attributions de logements sociaux à des ménages sans-abri",
    definition="Attributions effectives de logements sociaux datées de la période, commune du logement dans le "
    f"territoire, dont la situation du ménage à cette date relève du groupe « sans-abri ». {ATTRIBUTION}",
    kind="count",
    record_model="pathways.Transition",
    figure=count,
)
def attributions_sans_abri(territory: Territory, start: date, end: date) -> QuerySet:
    return effective_attributions(territory, start, end).filter(situation_group=SituationGroup.SANS_ABRI)


@register(
    code="attributions_total",
    axis=2,
    unit="attributions",
    label="Attributions de logements sociaux",
    definition="Toutes les attributions effectives de logements sociaux datées de la période, commune du "
    f"logement dans le territoire. {ATTRIBUTION}",
    kind="count",
    record_model="pathways.Transition",
    figure=count,
)
def attributions_total(territory: Territory, start: date, end: date) -> QuerySet:
    return effective_attributions(territory, start, end)


@register(
    code="part_attributions_sans_domicile",
    axis=2,
    unit="%",
    label="Part des attributions de logements sociaux à des ménages sans domicile",
    definition="100 × (attributions aux ménages sortant d'hébergement + attributions aux ménages sans-abri) / "
    "total des attributions de logements sociaux. Arrondi au dixième ; vide s'il n'y a aucune attribution.",
    kind="percent",
    record_model="pathways.Transition",
    figure=share(Q(situation_group__in=HOMELESS_OR_SHELTERED)),
)
def part_attributions_sans_domicile(territory: Territory, start: date, end: date) -> QuerySet:
    """Its records are the population: every effective attribution of the denominator."""
    return effective_attributions(territory, start, end)


@register(
    code="entrees_logement",
    axis=2,
    unit="entrées dans les lieux",
    label="Entrées dans un logement",
    definition="Entrées dans les lieux datées de la période, commune du logement dans le territoire, quel que "
    f"soit le type de logement. {MOVE_IN}",
    kind="count",
    record_model="pathways.Transition",
    figure=count,
)
def entrees_logement(territory: Territory, start: date, end: date) -> QuerySet:
    return move_ins(territory, start, end)


@register(
    code="personnes_sans_domicile_logees",
    axis=2,
    unit="personnes",
    label="Personnes sans domicile logées",
    definition="Somme des adultes et des enfants du ménage sur les entrées dans les lieux datées de la période, "
    "commune du logement dans le territoire, dont la situation à la date d'entrée relève du groupe "
    "« sans-abri » ou « hébergement » et dont le type de logement est parc social, IML en sous-location, IML "
    f"en mandat de gestion, pension de famille ou résidence accueil. {MOVE_IN} La taille du ménage est sa "
    "composition actuelle.",
    kind="count",
    record_model="pathways.Transition",
    # `persons` is the household's current size, kept in the read model.
    figure=total_of("persons"),
)
def personnes_sans_domicile_logees(territory: Territory, start: date, end: date) -> QuerySet:
    return move_ins(territory, start, end).filter(
        situation_group__in=HOMELESS_OR_SHELTERED, lease_kind__in=HOUSING_FIRST_KINDS
    )


@register(
    code="delai_median_acces_logement",
    axis=2,
    unit="jours",
    label="Délai médian d'accès au logement",
    definition="Médiane, sur les entrées dans les lieux datées de la période avec commune du logement dans le "
    "territoire, du nombre de jours entre la date d'ouverture du parcours et l'entrée (pour un nombre pair "
    f"d'entrées, moyenne des deux valeurs centrales). {MOVE_IN} Arrondi au dixième ; vide sans entrée.",
    kind="median",
    record_model="pathways.Transition",
    figure=median_of("days_since_opening"),
)
def delai_median_acces_logement(territory: Territory, start: date, end: date) -> QuerySet:
    return move_ins(territory, start, end)
