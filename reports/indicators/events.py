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


def commune_in(field: str, territory: Territory) -> Q:
    """Q: the commune code held by `field` (an annotation, not a relation) is in the territory."""
    if territory.kind == "france":
        return Q()
    if territory.kind == "commune":
        return Q(**{field: territory.code})
    return Q(**{f"{field}__in": territory.communes().values("code")})


def situation_on(date_field: str) -> Subquery:
    """The pathway's situation at the date held by `date_field` of the outer row (None if unknown)."""
    latest = Situation.objects.filter(pathway=OuterRef("pathway"), since__lte=OuterRef(date_field))
    return Subquery(latest.order_by("-since").values("situation")[:1])


def latest_lease(field: str) -> Subquery:
    """`field` of the pathway's latest `bail_signe` recorded before the outer transition."""
    leases = Transition.objects.filter(pathway=OuterRef("pathway"), stage=Stage.BAIL_SIGNE, seq__lt=OuterRef("seq"))
    return Subquery(leases.order_by("-seq").values(field)[:1])


def effective_attributions(territory: Territory, start: date, end: date) -> QuerySet:
    """Social-housing leases dated in P, dwelling in T, not cancelled by a following `oriente`
    (whatever that transition's date: a later cancellation changes past figures on purpose)."""
    following = Transition.objects.filter(pathway=OuterRef("pathway"), seq__gt=OuterRef("seq")).order_by("seq")
    return (
        Transition.objects.filter(
            stage=Stage.BAIL_SIGNE, housing_kind=HousingKind.PARC_SOCIAL, date__range=(start, end)
        )
        .filter(territory.commune_q("housing_commune"))
        .alias(next_stage=Subquery(following.values("stage")[:1]))
        .filter(Q(next_stage__isnull=True) | ~Q(next_stage=Stage.ORIENTE))
    )


def move_ins(territory: Territory, start: date, end: date) -> QuerySet:
    """`entree` transitions dated in [start, end] whose dwelling (latest lease before them) is in T,
    annotated with `housing_kind` of that lease."""
    return (
        Transition.objects.filter(stage=Stage.ENTREE, date__range=(start, end))
        .alias(dwelling_commune=latest_lease("housing_commune_id"))
        .filter(commune_in("dwelling_commune", territory))
        .annotate(lease_kind=latest_lease("housing_kind"))
    )


def ruptures(territory: Territory, start: date, end: date) -> QuerySet:
    """`rupture` transitions dated in P whose dwelling (the pathway's latest lease) is in T."""
    return (
        Transition.objects.filter(stage=Stage.RUPTURE, date__range=(start, end))
        .alias(dwelling_commune=latest_lease("housing_commune_id"))
        .filter(commune_in("dwelling_commune", territory))
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

    The pathway is joined to that one transition rather than reading it in a correlated subquery: the
    stage is then a plain column, which the stall thresholds compare many times per row."""
    later = Transition.objects.filter(pathway=OuterRef("pk"), date__lte=day).filter(
        Q(date__gt=OuterRef("stage_date")) | Q(date=OuterRef("stage_date"), seq__gt=OuterRef("stage_seq"))
    )
    return (
        Pathway.objects.filter(territory.commune_q("commune"))
        .filter(transitions__date__lte=day, transitions__stage__in=PRE_HOUSING_STAGES)
        # Annotations after filter() reuse its join: they name the joined transition. The subquery must
        # go through them, as an OuterRef("transitions__...") would join the transitions a second time.
        .annotate(
            stage_at_day=F("transitions__stage"), stage_date=F("transitions__date"), stage_seq=F("transitions__seq")
        )
        .filter(~Exists(later))
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
