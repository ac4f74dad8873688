"""The plan's events as querysets over the append-only transition log (indicators.md, "Words used").

Each function returns a queryset filtered in SQL; the indicators only count, sum or list ids from it.
"""

from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from pathways.enums import PRE_HOUSING_STAGES, HousingKind, Stage
from pathways.models import Contact, Pathway, Situation, Transition
from project.expressions import DaysBetween
from territories.territory import Territory


def situation_on(date_field: str) -> Subquery:
    """The pathway's situation at the date held by `date_field` of the outer row (None if unknown)."""
    latest = Situation.objects.filter(pathway=OuterRef("pathway"), since__lte=OuterRef(date_field))
    return Subquery(latest.order_by("-since").values("situation")[:1])


def effective_attributions(territory: Territory, start: date, end: date) -> QuerySet:
    """Social-housing leases dated in P, dwelling in T, not cancelled by a following `oriente`
    (whatever that transition's date: a later cancellation changes past figures on purpose)."""
    return (
        Transition.objects.filter(
            stage=Stage.BAIL_SIGNE, housing_kind=HousingKind.PARC_SOCIAL, date__range=(start, end)
        )
        .filter(territory.commune_q("housing_commune"))
        .exclude(next_stage=Stage.ORIENTE)
    )


def move_ins(territory: Territory, start: date, end: date) -> QuerySet:
    """`entree` transitions dated in [start, end] whose dwelling (latest lease before them) is in T,
    annotated with `lease_kind`, the housing kind of that lease."""
    return (
        Transition.objects.filter(stage=Stage.ENTREE, date__range=(start, end))
        .filter(territory.commune_q("dwelling_commune"))
        .annotate(lease_kind=F("dwelling_kind"))
    )


def ruptures(territory: Territory, start: date, end: date) -> QuerySet:
    """`rupture` transitions dated in P whose dwelling (the pathway's latest lease) is in T."""
    return Transition.objects.filter(stage=Stage.RUPTURE, date__range=(start, end)).filter(
        territory.commune_q("dwelling_commune")
    )


def ruptures_of_move_in_within(days: int) -> Exists:
    """For an outer move-in: a rupture of its pathway that belongs to it (no other move-in between
    them) dated at most `days` after it."""
    later_move_in = Transition.objects.filter(
        pathway=OuterRef("pathway"), stage=Stage.ENTREE, seq__gt=OuterRef(OuterRef("seq")), seq__lt=OuterRef("seq")
    )
    return Exists(
        Transition.objects.filter(pathway=OuterRef("pathway"), stage=Stage.RUPTURE, seq__gt=OuterRef("seq"))
        .alias(after=DaysBetween(F("date"), OuterRef("date")))
        .filter(after__lte=days)
        .filter(~Exists(later_move_in))
    )


def pathways_active_on(territory: Territory, day: date) -> QuerySet:
    """Pathways of T whose stage on `day` (that of their latest transition dated on or before it, same-day
    transitions in recorded order) is a pre-housing stage, annotated with `stage_at_day` and `stage_date`.

    That transition is the one with date <= day < next_date (a same-day successor has next_date = date,
    so only the last of the day qualifies): one join, no correlated subquery."""
    return (
        Pathway.objects.filter(territory.commune_q("commune"))
        .filter(
            Q(transitions__next_date__isnull=True) | Q(transitions__next_date__gt=day),
            transitions__date__lte=day,
            transitions__stage__in=PRE_HOUSING_STAGES,
        )
        # Annotations after filter() reuse its join: they name the transition in force on `day`.
        .annotate(stage_at_day=F("transitions__stage"), stage_date=F("transitions__date"))
    )


def pathways_stalled_on(territory: Territory, day: date) -> QuerySet:
    """Among `pathways_active_on(day)`, those whose days from their latest activity on or before `day`
    (transition or contact; later ones are ignored) to `day` exceed their stage's threshold."""
    contacts = Contact.objects.filter(pathway=OuterRef("pk"), date__lte=day).order_by("-date")
    last_contact = Subquery(contacts.values("date")[:1])
    return (
        pathways_active_on(territory, day)
        .with_stall_threshold(stage_field="stage_at_day")
        # SQLite's max() is null as soon as one argument is: a pathway without contact keeps its transition.
        .alias(last_activity=Greatest(F("stage_date"), Coalesce(last_contact, F("stage_date"))))
        .alias(idle_days=DaysBetween(Value(day), F("last_activity")))
        .filter(idle_days__gt=F("stall_threshold"))
    )
