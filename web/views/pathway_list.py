"""Mes parcours: the pathways the user sees, stalled ones first, then by stage in the order of the road."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.shortcuts import render
from django.utils import timezone

from audit.decorators import audit_shown, audited
from audit.enums import Target
from pathways.enums import CLOSED_STAGES, HOUSED_STAGES, PRE_HOUSING_STAGES, Stage
from pathways.models import Household, Member, Pathway, Reminder, Transition
from pathways.perms import can_do_casework, can_see_names
from project.expressions import DaysBetween

PAGE_SIZE = 25
STATES = {
    # The open stages named rather than "not closed": the queue index (commune, stage) then reads only
    # their entries.
    "en-cours": ("En cours", Q(stage__in=(*PRE_HOUSING_STAGES, *HOUSED_STAGES))),
    "clos": ("Clos", Q(stage__in=CLOSED_STAGES)),
    "tous": ("Tous", Q()),
}
STAGE_ORDER = Case(
    *[When(stage=stage, then=Value(rank)) for rank, stage in enumerate(Stage.values)],
    output_field=IntegerField(),
)


def pathway_keys(user, *, today, state: str, text: str):
    """The list, sorted by the database: stalled first, then in stage order, longest waiting first. Only
    what the count, the groups and the sort need (no join to the household, no subquery of a row):
    pathway_rows adds what a row shows to the page's pathways."""
    rows = (
        Pathway.objects.visible_to(user)
        .filter(STATES[state][1])
        .with_stall_threshold()
        .with_days_inactive(today)
        .annotate(
            is_stalled=Case(
                When(
                    Q(stage__in=PRE_HOUSING_STAGES) & Q(days_inactive__gt=F("stall_threshold")),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            stage_rank=STAGE_ORDER,
        )
        .order_by("-is_stalled", "stage_rank", "-days_inactive", "pk")
    )
    if text:
        rows = rows.filter(household__in=Household.objects.search(text, user=user))
    return rows


def pathway_rows(keys, *, today):
    """What a row shows, for the pathways of `keys` (a page of them), in the list's order."""
    return with_last_reminder(
        keys.select_related("household", "commune", "referent_structure", "caseworker").annotate(
            days_in_stage=DaysBetween(Value(today), F("stage_on"))
        )
    )


@login_required
@audited(Target.PATHWAY, id_kwarg=None)
def pathway_list(request):
    user = request.user
    if not can_do_casework(user):
        raise PermissionDenied
    today = timezone.localdate()
    state = request.GET.get("etat", "en-cours")
    if state not in STATES:
        state = "en-cours"
    text = request.GET.get("q", "").strip()
    keys = pathway_keys(user, today=today, state=state, text=text)
    sizes = segment_sizes(keys)
    totals = group_totals(sizes)
    paginator = Paginator(keys.values_list("pk", flat=True), PAGE_SIZE)
    # The aggregate already counted the whole list: the paginator does not count it again.
    paginator.count = sum(totals.values())
    page = paginator.get_page(request.GET.get("page"))
    # The page's primary keys cut the rows by a subquery: the skipped pathways are sorted, not read, and
    # only the stages the page falls in are sorted (page_keys).
    page_pks = page_keys(keys, sizes, start=page.start_index() - 1 if paginator.count else 0, size=PAGE_SIZE)
    pathways = list(pathway_rows(keys.filter(pk__in=page_pks), today=today))
    page.object_list = pathways
    # Two queries for the whole page: the members to show, and the referent structures of every
    # pathway of these households (a confidential household's names depend on all of them).
    households = {p.household_id: p.household for p in pathways}
    members = Member.objects.filter(household__in=households).order_by("household_id", "id")
    by_household: dict[int, list] = {}
    for member in members:
        by_household.setdefault(member.household_id, []).append(member)
    structures = Pathway.objects.filter(household__in=households).values_list("household_id", "referent_structure_id")
    for household in households.values():
        household.referent_structure_ids = set()
    for household_id, structure_id in structures:
        households[household_id].referent_structure_ids.add(structure_id)
    for pathway in pathways:
        household = pathway.household
        pathway.names_visible = can_see_names(user, household)
        pathway.shown_members = by_household.get(household.pk, []) if pathway.names_visible else []
        pathway.group = _group(pathway)
        pathway.group_total = totals[_group_key(pathway.is_stalled, pathway.stage)]
    # A name search is logged with what was searched: the words typed are themselves names.
    audit_shown(
        request,
        object_ids=[p.pk for p in pathways],
        detail=f"liste des parcours, recherche « {text} »" if text else "liste des parcours",
    )
    title = "Mes parcours" if user.is_caseworker else "Parcours du territoire"
    return render(
        request,
        "web/casework/pathway_list.html",
        {
            "title": title,
            "page_obj": page,
            "pathways": pathways,
            "q": text,
            "state": state,
            "states": [(key, label) for key, (label, _q) in STATES.items()],
            "today": today,
        },
    )


def with_last_reminder(rows):
    """`reminded_at`: the latest coordination reminder recorded after the pathway's last transition was,
    or None (a reminder answered by a change of stage is no longer news). Two subqueries of the page's
    query, no extra query; added after group_totals, whose GROUP BY does not need it."""
    last_transition = Transition.objects.filter(pathway=OuterRef(OuterRef("pk"))).order_by("-seq")
    reminders = Reminder.objects.filter(
        pathway=OuterRef("pk"), recorded_at__gt=Subquery(last_transition.values("recorded_at")[:1])
    ).order_by("-recorded_at")
    return rows.annotate(reminded_at=Subquery(reminders.values("recorded_at")[:1]))


def _group_key(is_stalled: bool, stage: str) -> str:
    return "bloques" if is_stalled else stage


def segment_sizes(rows) -> list[tuple[bool, str, int]]:
    """(stalled, stage, count) of every part of the whole list, in the list's order (stalled first, then
    by stage): one GROUP BY query, which also gives the paginator its count and the groups their
    totals."""
    counts = {
        (row["is_stalled"], row["stage"]): row["total"]
        for row in rows.order_by().values("is_stalled", "stage").annotate(total=Count("pk"))
    }
    return [
        (stalled, stage, counts[stalled, stage])
        for stalled in (True, False)
        for stage in Stage.values
        if counts.get((stalled, stage))
    ]


def group_totals(sizes) -> dict[str, int]:
    """The size of every group of the whole list, not of the page shown. Keys: "bloques" and the stages
    (not stalled)."""
    totals = dict.fromkeys(["bloques", *Stage.values], 0)
    for stalled, stage, count in sizes:
        totals[_group_key(stalled, stage)] += count
    return totals


def page_keys(keys, sizes, *, start: int, size: int):
    """The primary keys of the `size` rows of `keys` from position `start`, as a subquery that sorts only
    the stages these rows are in: the parts of the list before `start` in other stages are skipped by
    their count rather than sorted (at 1,000,000 pathways, a page of the housed sorts the 50,000 of its
    stage, not the 250,000 open pathways of the département)."""
    end, position, stages, skipped = start + size, 0, set(), 0
    for _stalled, stage, count in sizes:
        if position < end and position + count > start:
            stages.add(stage)
        position += count
    position = 0
    for _stalled, stage, count in sizes:
        if position + count <= start and stage not in stages:
            skipped += count
        position += count
    offset = start - skipped
    return keys.filter(stage__in=sorted(stages)).values_list("pk", flat=True)[offset : offset + size]


def _group(pathway) -> str:
    if pathway.is_stalled:
        return "Parcours bloqués"
    if pathway.stage in HOUSED_STAGES:
        return f"Logés : {pathway.get_stage_display()}"
    return pathway.get_stage_display()
