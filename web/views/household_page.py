"""What the household page shows: members, the pathways the user sees with their action forms, the
timeline. Shared by the page itself and by the actions, which re-render it (or its htmx region)."""

from dataclasses import dataclass, field

from django.shortcuts import render

from audit.decorators import audit_shown
from audit.enums import Target
from pathways.enums import REOPENABLE_STAGES
from pathways.models import Measure, Pathway
from pathways.perms import can_do_casework, can_see_names
from pathways.residence import current_residence
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
    timeline_situations,
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


def household_context(request, household, *, bound=None, stale=None, notice="") -> dict:
    """`bound`: forms re-shown with the user's input, by prefix; `stale`: {pathway pk: message}."""
    user = request.user
    bound = bound or {}
    stale = stale or {}
    only = timeline_filter(request.GET.get("chronologie"))
    pathways = list(
        Pathway.objects.visible_to(user)
        .filter(household=household)
        .select_related("commune", "referent_structure", "caseworker")
        .order_by("-opened_on", "-pk")
    )
    household.referent_structure_ids = set(household.pathways.values_list("referent_structure_id", flat=True))
    names_visible = can_see_names(user, household)
    casework = can_do_casework(user)
    structures = structure_choices() if casework and pathways else []
    open_measures: dict[int, list] = {}
    for measure in Measure.objects.filter(pathway__in=pathways, ended_on__isnull=True).order_by("started_on", "pk"):
        open_measures.setdefault(measure.pathway_id, []).append(measure)

    # Read once for both the current situations and the timeline.
    transitions = list(timeline_transitions(pathways))
    situations = list(timeline_situations(pathways))
    panels = []
    for measure in (m for ms in open_measures.values() for m in ms):
        measure.close_form = None
    for pathway in pathways:
        panel = PathwayPanel(pathway, open_measures=open_measures.get(pathway.pk, []), stale=stale.get(pathway.pk, ""))
        panel.residence = current_residence(
            pathway,
            transitions=[t for t in transitions if t.pathway_id == pathway.pk],
            situations=[s for s in situations if s.pathway_id == pathway.pk],
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
            pathways, show_notes=names_visible, only=only, transitions=transitions, situations=situations
        ),
        "timeline_filter": only,
        "timeline_filters": [(value, label) for value, (label, _kind) in FILTERS.items()],
        "errors": error_items(*bound.values()),
        "notice": notice,
    }


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
