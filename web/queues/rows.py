"""The rows of the coordinators' queues: one queryset, annotated once, shared by pages and exports."""

from datetime import date

from django.db.models import BooleanField, Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When

from accounts.models import User
from pathways.enums import PRE_HOUSING_STAGES, Relationship, Stage
from pathways.models import Member, Pathway, Transition
from pathways.names import display_name
from pathways.perms import can_see_names
from pathways.residence import residence_label
from project.expressions import DaysBetween

# A stalled pathway (domain.md): pre-housing, and inactive for longer than its stage's threshold. The
# stage is tested first, so that the database skips the threshold's CASE on housed and closed rows.
STALLED_Q = Q(stage__in=PRE_HOUSING_STAGES) & Q(days_inactive__gt=F("stall_threshold"))


def with_row_fields(pathways, *, today: date):
    """What a queue row shows, computed by the database so that a page of rows costs one query: the
    days in the current stage (`days_waiting`), the entry into housing, the reference person's name and
    whether it is stalled (the current situation is a column of the pathway). `pathways` must carry `stall_threshold` and `days_inactive`."""
    reference_first = Member.objects.filter(household=OuterRef("household")).order_by(
        Case(When(relationship=Relationship.REFERENCE, then=Value(0)), default=Value(1)), "id"
    )
    # The entry into housing, for the current residence (pathways/residence.py): the latest one.
    entry = Transition.objects.filter(pathway=OuterRef("pk"), stage=Stage.ENTREE).order_by("-seq")
    return pathways.select_related("household", "referent_structure", "caseworker", "commune").annotate(
        days_waiting=DaysBetween(Value(today), F("stage_on")),
        entry_on=Subquery(entry.values("date")[:1]),
        entry_dwelling_kind=Subquery(entry.values("dwelling_kind")[:1]),
        # Both parts, not one concatenation: display_name puts them together as every page does.
        reference_last_name=Subquery(reference_first.values("last_name")[:1]),
        reference_first_name=Subquery(reference_first.values("first_name")[:1]),
        is_stalled=Case(When(STALLED_Q, then=Value(1)), default=Value(0), output_field=IntegerField()),
    )


def queue_rows(pathways, user, *, today: date):
    """What a queue row shows to `user`: with_row_fields and with_names_visible. web.queues.views.page_of
    adds it to the 50 pathways of a page only."""
    return with_names_visible(with_row_fields(pathways, today=today), user)


def with_names_visible(pathways, user):
    """`names_visible` on each row: whether `user` may read its household's names (can_see_names),
    decided by the database in the rows' own query rather than by one more query for the confidential
    households' structures and another for the user's. A confidential household shows them inside one
    of its pathways' referent structures only; a superuser belongs to none."""
    own_structures = User.structures.through.objects.filter(user_id=user.pk).values("structure_id")
    inside = Pathway.objects.filter(household=OuterRef("household"), referent_structure__in=own_structures)
    return pathways.annotate(
        names_visible=Case(
            When(household__confidential=False, then=Value(True)),
            default=Exists(inside),
            output_field=BooleanField(),
        )
    )


def row_residence(pathway) -> str:
    """Where the household of a queue row lives now, as the household page says it (pathways/residence.py):
    once housed, its dwelling rather than the situation it came from."""
    label = residence_label(
        stage=pathway.stage,
        situation=pathway.current_situation,
        situation_since=pathway.current_situation_since,
        entry_on=pathway.entry_on,
        dwelling_kind=pathway.entry_dwelling_kind,
    )
    return "" if label == "Inconnue" else label  # the list shows an empty cell as « Inconnue »


def may_see_any_name(user) -> bool:
    """Roles that see people at all (roles.md): administrators and observers see aggregates only."""
    return user.is_authenticated and (user.is_superuser or user.is_coordinator or user.is_caseworker)


def confidential_structures(household_ids) -> dict[int, set[int]]:
    """Referent structures of every pathway of the confidential households among `household_ids` (ids
    or a `values("household_id")` queryset), by household: what `can_see_names` needs, in one query."""
    structures: dict[int, set[int]] = {}
    rows = Pathway.objects.filter(household__in=household_ids, household__confidential=True).values_list(
        "household_id", "referent_structure_id"
    )
    for household_id, structure_id in rows:
        structures.setdefault(household_id, set()).add(structure_id)
    return structures


def shown_name(pathway, user, structures: dict[int, set[int]]) -> str:
    """The reference person's name, or "" when the household's names are hidden from `user`."""
    if not may_see_any_name(user):
        return ""
    household = pathway.household
    if household.confidential and hasattr(pathway, "names_visible"):
        if not pathway.names_visible:
            return ""
    elif household.confidential:
        household.referent_structure_ids = structures.get(household.pk, set())
        if not can_see_names(user, household):
            return ""
    return display_name(pathway.reference_last_name, pathway.reference_first_name)
