"""What the household page shows: members, the pathways the user sees with their action forms, the
timeline. Shared by the page itself and by the actions, which re-render it (or its htmx region)."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import render

from accounts.models import User
from audit.decorators import audit_shown
from audit.enums import Target
from pathways.enums import REOPENABLE_STAGES
from pathways.models import Household, Pathway
from pathways.perms import can_do_casework, can_see_names
from pathways.residence import current_residence
from territories.collation import french_sorted
from territories.models import Structure
from web.forms.base import error_items
from web.forms.pathway_actions import (
    ContactForm,
    MeasureCloseForm,
    MeasureOpenForm,
    SituationForm,
    TransitionForm,
    structure_choices,
)
from web.views.timeline import (
    FILTERS,
    build_timeline,
    timeline_filter,
    timeline_records,
    timeline_transitions,
)


def form_prefix(kind: str, pk: int) -> str:
    return f"{kind}{pk}"


@dataclass
class PathwayPanel:
    pathway: Pathway
    forms: dict = field(default_factory=dict)
    open_measures: list = field(default_factory=list)
    stale: str = ""
    residence: object = None


def household_pathways(user, household_pk) -> list[Pathway]:
    """Every pathway of the household, newest first, with its household, in one query: each marked
    `visible` when `user` sees it (Pathway.objects.visible_to) and `household_visible` when `user` may
    open the household (Household.objects.visible_to). The pathways the user does not see are read for
    their referent structures only, which say who reads the names (pathways.perms.can_see_names)."""
    return list(
        Pathway.objects.filter(household=household_pk)
        .select_related("household", "commune", "referent_structure", "caseworker")
        .annotate(
            visible=Exists(Pathway.objects.visible_to(user).filter(pk=OuterRef("pk"))),
            household_visible=Exists(Household.objects.visible_to(user).filter(pk=OuterRef("household"))),
        )
        .order_by("-opened_on", "-pk")
    )


def visible_household(user, pk) -> tuple[Household, list[Pathway]]:
    """The household `user` may open, with household_pathways; Http404 otherwise (or if it has none)."""
    pathways = household_pathways(user, pk)
    if not pathways or not pathways[0].household_visible:
        raise Http404("Aucun ménage ne correspond.")
    household = pathways[0].household
    for pathway in pathways:
        pathway.household = household
    return household, pathways


def household_context(request, household, *, pathways=None, bound=None, stale=None, notice="") -> dict:
    """`pathways`: the household's from household_pathways, if already read; `bound`: forms re-shown
    with the user's input, by prefix; `stale`: {pathway pk: message}."""
    user = request.user
    bound = bound or {}
    stale = stale or {}
    only = timeline_filter(request.GET.get("chronologie"))
    if pathways is None:
        pathways = household_pathways(user, household.pk)
    household.referent_structure_ids = {pathway.referent_structure_id for pathway in pathways}
    pathways = [pathway for pathway in pathways if pathway.visible]
    casework = can_do_casework(user)
    structures = _structures(user, household) if casework and pathways else []
    names_visible = can_see_names(user, household)

    # Read once for the current situations, the open measures and the timeline.
    transitions = list(timeline_transitions(pathways))
    records = timeline_records(pathways)
    open_measures: dict[int, list] = {}
    for measure in sorted(records["mesure"], key=lambda m: (m.started_on, m.pk)):
        if measure.ended_on is None:
            measure.close_form = None
            open_measures.setdefault(measure.pathway_id, []).append(measure)
    panels = []
    for pathway in pathways:
        panel = PathwayPanel(pathway, open_measures=open_measures.get(pathway.pk, []), stale=stale.get(pathway.pk, ""))
        panel.residence = current_residence(
            pathway,
            transitions=[t for t in transitions if t.pathway_id == pathway.pk],
            situations=[s for s in records["situation"] if s.pathway_id == pathway.pk],
        )
        if casework:
            panel.forms = _forms_for(
                pathway, user=user, structures=structures, bound=bound, measures=panel.open_measures
            )
        panels.append(panel)
    return {
        "title": f"Ménage {household.reference}",
        "household": household,
        "members": list(household.members.all()) if names_visible else [],
        "member_count": household.members.count() if not names_visible else None,
        "names_visible": names_visible,
        "can_edit": casework,
        "panels": panels,
        "timeline": build_timeline(
            pathways, show_notes=names_visible, only=only, transitions=transitions, records=records
        ),
        "timeline_filter": only,
        "timeline_filters": [(value, label) for value, (label, _kind) in FILTERS.items()],
        "errors": error_items(*bound.values()),
        "notice": notice,
    }


def _structures(user, household) -> list[tuple[int, str]]:
    """The structures offered in the forms (structure_choices). For a confidential household, when the
    user's own structures are not read yet (a coordinator's: Pathway.objects.visible_to read a
    caseworker's), they are read with them, for can_see_names: one query for both."""
    if not household.confidential or "structure_ids" in user.__dict__:
        return structure_choices()
    membership = User.structures.through.objects.filter(user=user.pk, structure=OuterRef("pk"))
    rows = list(Structure.objects.annotate(mine=Exists(membership)).values_list("pk", "name", "mine"))
    user.structure_ids = [pk for pk, _name, mine in rows if mine]  # the cached_property, in name order
    return french_sorted([(pk, name) for pk, name, _mine in rows], key=lambda choice: choice[1])


def _forms_for(pathway, *, user, structures, bound, measures) -> dict:
    def pick(kind, factory, pk=None):
        prefix = form_prefix(kind, pk or pathway.pk)
        return bound.get(prefix) or factory(prefix)

    forms = dict.fromkeys(("transition", "situation", "contact", "measure"))
    if not pathway.is_closed or pathway.stage in REOPENABLE_STAGES:
        transition = pick(
            "etape", lambda p: TransitionForm(prefix=p, pathway=pathway, user=user, structures=structures)
        )
        if transition.offered_stages:
            forms["transition"] = transition
    if not pathway.is_closed:
        forms["situation"] = pick("situation", lambda p: SituationForm(prefix=p, pathway=pathway))
        forms["contact"] = pick("contact", lambda p: ContactForm(prefix=p, pathway=pathway))
        forms["measure"] = pick("mesure", lambda p: MeasureOpenForm(prefix=p, pathway=pathway, structures=structures))
    for measure in measures:
        measure.close_form = pick("fin", lambda p: MeasureCloseForm(prefix=p, pathway=pathway), pk=measure.pk)
    return forms


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_household(request, household, **kwargs):
    """The whole page, or only its live region for an htmx request (htmx swaps 2xx answers only, so a
    refused form is answered 200 like any re-shown Django form)."""
    context = household_context(request, household, **kwargs)
    # Every answer that shows the household, the page or a re-shown action form, is a logged read.
    audit_shown(
        request,
        target=Target.HOUSEHOLD,
        target_id=household.pk,
        household_id=household.pk,
        object_ids=[panel.pathway.pk for panel in context["panels"]],
    )
    template = "web/casework/_household_live.html" if is_htmx(request) else "web/casework/household_detail.html"
    return render(request, template, context)
