"""Axis 4: ruptures, staying housed, and pathways still waiting at the end of the period (indicators.md)."""

from datetime import date, timedelta

from django.db.models import Q, QuerySet

from reports.catalogue import register
from reports.indicators.breakdown import count, held_on_last_day, share
from reports.indicators.events import (
    move_ins,
    pathways_active_on,
    pathways_stalled_on,
    ruptures,
)
from territories.territory import Territory

YEAR = 365  # calendar days, not a calendar year (indicators.md)
LEASE_COMMUNE = "La commune du logement est celle du dernier bail signé du parcours."


@register(
    code="ruptures",
    axis=4,
    unit="ruptures",
    label="Ruptures de logement",
    definition="Clôtures « perte du logement » datées de la période, commune du logement dans le territoire. "
    f"{LEASE_COMMUNE}",
    kind="count",
    record_model="pathways.Transition",
    figure=count,
)
def ruptures_in_period(territory: Territory, start: date, end: date) -> QuerySet:
    return ruptures(territory, start, end)


@register(
    code="taux_maintien_12_mois",
    axis=4,
    unit="%",
    label="Taux de maintien dans le logement à 12 mois",
    definition="Cohorte : entrées dans les lieux avec commune du logement dans le territoire, datées de la date "
    "de début moins 365 jours à la date de fin moins 365 jours. Maintenues : aucune perte du logement rattachée "
    "à cette entrée (la dernière entrée du parcours avant la perte) datée au plus tard 365 jours après l'entrée ; "
    "un parcours clos autrement, par un décès ou un départ, compte comme maintenu. 100 × maintenues / cohorte. "
    "Arrondi au dixième ; vide si la cohorte est vide.",
    kind="percent",
    record_model="pathways.Transition",
    # `days_to_rupture`: days to the first rupture belonging to the move-in (null if none), in the read model.
    figure=share(Q(days_to_rupture__isnull=True) | Q(days_to_rupture__gt=YEAR), shift_days=YEAR),
)
def taux_maintien_12_mois(territory: Territory, start: date, end: date) -> QuerySet:
    """Its records are the cohort of move-ins, dated a year before the period."""
    return move_ins(territory, start - timedelta(days=YEAR), end - timedelta(days=YEAR))


@register(
    code="parcours_actifs_fin_periode",
    axis=4,
    unit="parcours",
    label="Parcours actifs en fin de période",
    definition="Parcours dont l'étape à la date de fin (celle du dernier changement d'étape daté au plus tard "
    "ce jour-là) est une étape avant le logement, de « Repérage » à « Bail signé » ; commune du parcours dans "
    "le territoire.",
    kind="count",
    record_model="pathways.Pathway",
    figure=held_on_last_day,
)
def parcours_actifs_fin_periode(territory: Territory, day: date) -> QuerySet:
    return pathways_active_on(territory, day)


@register(
    code="parcours_bloques_fin_periode",
    axis=4,
    unit="parcours",
    label="Parcours bloqués en fin de période",
    definition="Parmi les parcours actifs en fin de période, ceux bloqués à la date de fin : le nombre de jours "
    "entre leur dernière activité au plus tard à la date de fin (dernier changement d'étape ou dernier contact) "
    "et la date de fin dépasse le seuil de leur étape (le seuil DALO pour un parcours DALO ; le seuil en vigueur "
    "pour la commune du parcours).",
    kind="count",
    record_model="pathways.Pathway",
    figure=held_on_last_day,
)
def parcours_bloques_fin_periode(territory: Territory, day: date) -> QuerySet:
    return pathways_stalled_on(territory, day)
