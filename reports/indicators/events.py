"""The plan's events as querysets over the indicator read model (facts.models, indicators.md "Words used").

Each function returns a queryset filtered in SQL on columns the read model resolved at write time (the
commune's territory codes, the situation on the event's date, the lease kind, the cancellation); the
indicators only count, sum or list ids from it. Event rows name their record in `record_id` (a
transition's id for leases, move-ins and ruptures); stage spans name their pathway in `pathway_id`.
"""

from datetime import date

from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from facts.models import Event, EventKind, StageSpan
from pathways.enums import PRE_HOUSING_STAGES, HousingKind
from pathways.models import Contact, stall_threshold
from project.expressions import DaysBetween
from territories.territory import Territory


def effective_attributions(territory: Territory, start: date, end: date) -> QuerySet:
    """Social-housing leases dated in P, dwelling in T, not cancelled by a following `oriente`
    (whatever that transition's date: a later cancellation changes past figures on purpose)."""
    return Event.objects.of(EventKind.LEASE, territory, start, end).filter(
        lease_kind=HousingKind.PARC_SOCIAL, cancelled=False
    )


def move_ins(territory: Territory, start: date, end: date) -> QuerySet:
    """`entree` transitions dated in [start, end] whose dwelling (latest lease before them) is in T; their
    `lease_kind` is that lease's housing kind."""
    return Event.objects.of(EventKind.MOVE_IN, territory, start, end)


def ruptures(territory: Territory, start: date, end: date) -> QuerySet:
    """`rupture` transitions dated in P whose dwelling (the pathway's latest lease) is in T."""
    return Event.objects.of(EventKind.RUPTURE, territory, start, end)


def pathways_active_on(territory: Territory, day: date) -> QuerySet:
    """Stage spans in force on `day` of pathways of T whose stage is a pre-housing stage: one per pathway
    (the stage of its latest transition dated on or before `day`, same-day transitions in recorded order)."""
    return StageSpan.objects.held_on(territory, day).filter(stage__in=PRE_HOUSING_STAGES)


def pathways_stalled_on(territory: Territory, day: date) -> QuerySet:
    """Among `pathways_active_on(day)`, those whose days from their latest activity on or before `day`
    (transition or contact; later ones are ignored) to `day` exceed their stage's threshold."""
    contacts = Contact.objects.filter(pathway=OuterRef("pathway_id"), date__lte=day).order_by("-date")
    last_contact = Subquery(contacts.values("date")[:1])
    threshold = stall_threshold("stage", commune="commune", epci="epci", departement="departement", region="region")
    return (
        pathways_active_on(territory, day)
        .alias(stall_threshold=threshold)
        # SQLite's max() is null as soon as one argument is: a pathway without contact keeps its transition.
        .alias(last_activity=Greatest(F("valid_from"), Coalesce(last_contact, F("valid_from"))))
        .alias(idle_days=DaysBetween(Value(day), F("last_activity")))
        .filter(idle_days__gt=F("stall_threshold"))
    )
