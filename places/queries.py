"""The reads of the places pages: vacancies with their age, and for one vacancy the households of the
queue that fit it, each one query whatever the number of rows (bounded by the page)."""

from datetime import date, timedelta

from django.db.models import BooleanField, Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from pathways.enums import Relationship, Stage
from pathways.models import Member, Pathway
from places.enums import PlaceState, ProposalStatus
from places.models import Place, PlacementNeeds, Proposal
from project.expressions import DaysBetween
from territories.models import Commune

# Proposals that give a household back its wait (places/services.py waiting_since_of).
_RETURNED = (ProposalStatus.DECLINED_BY_STRUCTURE, ProposalStatus.DECLINED_BY_HOUSEHOLD, ProposalStatus.WITHDRAWN)


def vacancies(user, *, today: date):
    """The vacant places `user` sees, the oldest vacancy first, with `vacancy_days`."""
    return (
        Place.objects.visible_to(user)
        .vacant()
        .select_related("site__structure", "site__commune")
        .annotate(vacancy_days=DaysBetween(Value(today), F("vacant_since")))
        .order_by("vacant_since", "pk")
    )


def with_waiting_since(pathways):
    """Annotate `waiting_since`: since when the household waits for a place, its wait kept through a
    declined or withdrawn proposal (the one answered on the day it came back to `oriente`)."""
    kept = Proposal.objects.filter(
        pathway=OuterRef("pk"), answered_on=OuterRef("stage_on"), status__in=_RETURNED
    ).order_by("-pk")
    return pathways.annotate(waiting_since=Coalesce(Subquery(kept.values("waiting_since")[:1]), F("stage_on")))


def _visible(user):
    """Pathway.objects.visible_to(user), the same rows; for a coordinator, by the codes of its communes:
    an IN list the planner estimates from the column's statistics (pathways crowd in a few big towns),
    where a join on the communes of a département made it expect 40 rows instead of 4,000 and sort them
    all instead of walking the (stage, stage_on) index."""
    if user.is_authenticated and user.is_active and not user.is_superuser and user.is_coordinator:
        territories = user.scope_territories
        if territories and all(territory.kind != "france" for territory in territories):
            codes = list(Commune.objects.filter(user.territory_q()).values_list("code", flat=True))
            return Pathway.objects.filter(commune_id__in=codes)
    return Pathway.objects.visible_to(user)


def _fitting(place: Place, *, visible):
    """The oriented pathways among `visible` whose household fits `place` (size, mobility, pets)."""
    size = F("household__adults") + F("household__children")
    pathways = (
        visible.filter(stage=Stage.ORIENTE)
        .alias(size=size)
        .filter(size__gte=place.persons_min, size__lte=place.persons_max)
    )
    if not place.reduced_mobility:
        pathways = pathways.filter(Q(placement_needs__isnull=True) | Q(placement_needs__reduced_mobility=False))
    if not place.pets_allowed:
        pathways = pathways.filter(Q(placement_needs__isnull=True) | Q(placement_needs__pets=False))
    return pathways


# The matching order (candidates), as a Python key on rows that carry its annotations.
def _rank(row):
    return (row.declined_here, -row.commune_match, not row.dalo, row.waiting_since, row.pk)


def candidates(place: Place, *, user, today: date, visible=None):
    """The households of the queue (`oriente`) that `user` sees and that fit `place`: their size within
    its persons, no need it does not meet (mobility, pets). Ordered: not having declined this place
    before, the commune wished first, DALO first, then the longest wait (kept through a decline). Every
    row annotated: for a count, a test, or the rows candidate_rows picked."""
    reference_first = Member.objects.filter(household=OuterRef("household")).order_by(
        Case(When(relationship=Relationship.REFERENCE, then=Value(0)), default=Value(1)), "id"
    )
    declined_here = Proposal.objects.filter(pathway=OuterRef("pk"), place=place, status__in=_RETURNED)
    return (
        with_waiting_since(_fitting(place, visible=visible if visible is not None else _visible(user)))
        .select_related("household", "commune", "referent_structure", "placement_needs__wished_commune")
        .annotate(
            household_size=F("household__adults") + F("household__children"),
            declined_here=Exists(declined_here),
            commune_match=Case(
                When(placement_needs__wished_commune=place.site.commune_id, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            reference_last_name=Subquery(reference_first.values("last_name")[:1]),
            reference_first_name=Subquery(reference_first.values("first_name")[:1]),
        )
        .annotate(days_waiting=DaysBetween(Value(today), F("waiting_since")))
        .order_by("declined_here", "-commune_match", "-dalo", "waiting_since", "pk")
    )


def _first_fitting(place: Place, *, visible, dalo: bool, skip: set, limit: int) -> list[int]:
    """The first `limit` fitting pathways in (stage date, id) order, walked in batches: a batch of the
    oriented pathways of the scope (one table, an index walk the planner estimates well), then which of
    them fit (their household's size and needs), until `limit` are found; each batch twice the last."""
    ordered = (
        visible.filter(stage=Stage.ORIENTE, dalo=dalo)
        .exclude(pk__in=skip)
        .order_by("stage_on", "pk")
        .values_list("pk", flat=True)
    )
    size = max(3 * limit, 100)
    found: list[int] = []
    offset = 0
    while len(found) < limit:
        batch = list(ordered[offset : offset + size])
        if not batch:
            break
        fits = set(_fitting(place, visible=visible).filter(pk__in=batch).values_list("pk", flat=True))
        found += [pk for pk in batch if pk in fits]
        offset += size
        # Few fit (a family place among single people): larger batches, fewer queries.
        size *= 2
    return found[:limit]


def candidate_rows(place: Place, *, user, today: date, limit: int) -> list:
    """The first `limit` rows of candidates(), without ranking every oriented household of the territory
    (tens of thousands at 1,000,000 pathways). Only households that took part in the places app (a need
    recorded, a proposal declined or withdrawn) can rank otherwise than by (DALO, stage date): those few
    are read whole; the others are walked in the order of the (stage, stage_on) index, DALO and not
    DALO, `limit` of each (_first_fitting). The union, at most 2 x limit rows plus the few, is annotated
    and ranked."""
    visible = _visible(user)
    involved = {
        *PlacementNeeds.objects.filter(wished_commune__isnull=False).values_list("pathway_id", flat=True),
        *Proposal.objects.filter(status__in=_RETURNED).values_list("pathway_id", flat=True),
    }
    special = set(_fitting(place, visible=visible).filter(pk__in=involved).values_list("pk", flat=True))
    ids = set(special)
    for dalo in (True, False):
        ids.update(_first_fitting(place, visible=visible, dalo=dalo, skip=special, limit=limit))
    rows = candidates(place, user=user, today=today, visible=visible).filter(pk__in=ids).order_by()
    return sorted(rows, key=_rank)[:limit]


def state_counts(places) -> dict[str, int]:
    """{state: number of places} in one GROUP BY."""
    counts = dict.fromkeys(PlaceState.values, 0)
    counts.update(places.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return counts


def overdue_flag(proposals, *, today: date, days: int):
    return proposals.annotate(
        days_without_answer=DaysBetween(Value(today), F("proposed_on")),
        overdue=Case(
            When(status=ProposalStatus.PENDING, proposed_on__lt=today - timedelta(days=days), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
