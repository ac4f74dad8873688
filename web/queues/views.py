"""The coordinators' pages: overview, queues, stalled pathways, orientation and transfers, exports."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audit.decorators import audit_nothing_shown, audit_shown, audited, no_names
from audit.enums import Action, Target
from pathways.enums import CLOSED_STAGES, HOUSED_STAGES, PRE_HOUSING_STAGES, Stage
from pathways.models import Assignment, Pathway, PathwayShare
from pathways.perms import can_coordinate, can_see_names
from pathways.services import (
    StaleVersionError,
    pathway_assign,
    pathway_remind,
    pathway_share,
    pathway_transition,
    pathway_unshare,
)
from territories.models import Structure
from web.pathway_state import seen_value, stale_pathway_message
from web.queues import exports
from web.queues.bulk import BulkCaseworkerForm, BulkOrientForm, BulkReminderForm, selection_value, what_changed
from web.queues.filters import QueueFilterSet, active_filters
from web.queues.forms import (
    ORIENTATION_FROM,
    BulkAssignForm,
    CaseworkerListForm,
    OrientationForm,
    ShareForm,
    SingleAssignForm,
    assignment_structures,
    label,
)
from web.queues.rows import (
    STALLED_Q,
    confidential_structures,
    queue_rows,
    row_residence,
    shown_name,
)

PAGE_SIZE = 50
SESSION_KEY = "queues:list:query"
HOUSED_SESSION_KEY = "queues:housed:query"
# The export of the housed households' list says so with this parameter (the waiting queue's has none).
HOUSED_PARAM = ("liste", "loges")
STAGE_LABELS = dict(Stage.choices)
# Parameters of the list that are not filters: never stored, never passed to the exports.
NOT_FILTERS = ("page", "reinitialiser", HOUSED_PARAM[0])


def coordinator_required(view):
    """Signed out: to the sign-in page; signed in without the coordination role: 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_coordinate(request.user):
            raise PermissionDenied("Cette page est réservée à la coordination.")
        return view(request, *args, **kwargs)

    return wrapper


def household_url(household_id: int) -> str:
    """The caseworkers' household page, when that area provides it."""
    try:
        return reverse("casework:household_detail", args=[household_id])
    except NoReverseMatch:
        return ""


def decorate(pathways, user) -> list:
    """Labels, the shown name and links for a page of rows; one query at most, for confidential names."""
    pathways = list(pathways)
    # Rows annotated by with_names_visible need no query; others, one for their confidential households.
    confidential = [p.household_id for p in pathways if p.household.confidential and not hasattr(p, "names_visible")]
    structures = confidential_structures(confidential) if confidential and not user.is_superuser else {}
    for pathway in pathways:
        pathway.shown_name = shown_name(pathway, user, structures)
        pathway.stage_label = STAGE_LABELS[pathway.stage]
        pathway.situation_label = row_residence(pathway)
        pathway.household_url = household_url(pathway.household_id)
        pathway.may_orient = pathway.stage in ORIENTATION_FROM
        pathway.selection_value = selection_value(pathway)
    return pathways


def page_of(keys, number, *, user, today):
    """One page of `keys`, the filtered and sorted pathways without what a row shows: the count and the
    page's primary keys are read on `keys` alone (no join to the household, no subquery of a row), then
    queue_rows adds what a row shows to the page's 50 pathways, in one query where the page is cut by a
    subquery on primary keys (page 1,700 of 100,000 pathways computes 50 rows, not the skipped ones)."""
    page = Paginator(keys.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    page.object_list = list(queue_rows(keys.filter(pk__in=page.object_list), user, today=today))
    return page, page.object_list


def query_pairs(request, *, without=NOT_FILTERS) -> list[tuple[str, str]]:
    return [(key, value) for key, values in request.GET.lists() if key not in without for value in values if value]


def filter_query(request) -> str:
    return urlencode(query_pairs(request))


@coordinator_required
@no_names(reason="counts per stage")
def overview(request):
    today = timezone.localdate()
    pathways = Pathway.objects.visible_to(request.user).with_stall_threshold().with_days_inactive(today)
    # One query grouped by stage: its count and its stalled pathways. Grouping costs one hash lookup a
    # row where a count per stage tested 17 conditions (at 1,000,000 pathways, a département of 400,000
    # in 104 ms instead of 193).
    rows = pathways.order_by().values("stage").annotate(n=Count("pk"), stalled=Count("pk", filter=STALLED_Q))
    counts = {f"stage_{stage}": 0 for stage in Stage.values} | {"stalled": 0}
    for row in rows:
        counts[f"stage_{row['stage']}"] = row["n"]
        counts["stalled"] += row["stalled"]
    list_url, housed_url = reverse("queues:list"), reverse("queues:housed")
    stages = [
        {
            "code": stage,
            "label": label,
            "count": counts[f"stage_{stage}"],
            # Housed households are followed in their own list, not in the waiting queue.
            "url": f"{housed_url if stage in HOUSED_STAGES else list_url}?{urlencode({'etape': stage})}",
        }
        for stage, label in Stage.choices
    ]
    return render(
        request,
        "web/queues/overview.html",
        {
            "title": "Vue d'ensemble de la coordination",
            "pre_housing": [s for s in stages if s["code"] in PRE_HOUSING_STAGES],
            "others": [s for s in stages if s["code"] not in PRE_HOUSING_STAGES],
            "open_total": sum(s["count"] for s in stages if s["code"] not in CLOSED_STAGES),
            "waiting_total": sum(s["count"] for s in stages if s["code"] in PRE_HOUSING_STAGES),
            "housed_total": sum(s["count"] for s in stages if s["code"] in HOUSED_STAGES),
            "stalled": counts["stalled"],
            "territories": request.user.scope_territories,
        },
    )


def queue_keys(request, *, housed: bool = False):
    """The filter set of a queue page and the pathways it keeps, sorted, without what a row shows."""
    today = timezone.localdate()
    pathways = Pathway.objects.visible_to(request.user).with_stall_threshold().with_days_inactive(today)
    filterset = QueueFilterSet(request.GET, pathways, request=request, today=today, housed=housed)
    return filterset, (filterset.qs if filterset.is_valid() else filterset.queryset.none())


def filtered_queue(request, *, housed: bool = False):
    """queue_keys, each row with what a queue row shows (the exports)."""
    filterset, keys = queue_keys(request, housed=housed)
    return filterset, queue_rows(keys, request.user, today=filterset.today)


@audited(Target.QUEUE, id_kwarg=None)
@coordinator_required
def queue(request):
    return list_page(request, housed=False)


@audited(Target.QUEUE, id_kwarg=None)
@coordinator_required
def housed(request):
    """The follow-up of housed households (entry into housing, sustainment): not a waiting queue."""
    return list_page(request, housed=True)


def list_page(request, *, housed: bool):
    """The waiting queue or the housed households' list: filters kept in the session (each list its
    own), shown as tags that remove one filter each, and a link that clears them all."""
    url_name, session_key = ("queues:housed", HOUSED_SESSION_KEY) if housed else ("queues:list", SESSION_KEY)
    list_url = reverse(url_name)
    if "reinitialiser" in request.GET:
        request.session.pop(session_key, None)
        return redirect(url_name)
    query = filter_query(request)
    if not request.GET and request.session.get(session_key):
        return redirect(f"{list_url}?{request.session[session_key]}")
    if query and request.session.get(session_key) != query:
        request.session[session_key] = query  # written only when it changes: a session save is 3 queries
    filterset, keys = queue_keys(request, housed=housed)
    commune = filterset.form.cleaned_data.get("commune") if filterset.is_valid() else None
    if commune is not None:
        # The field shows the commune it resolved rather than looking its code up again.
        filterset.form.data = filterset.form.data.copy()
        filterset.form.data["commune"] = commune
    page, rows = page_of(keys, request.GET.get("page"), user=request.user, today=filterset.today)
    stage = filterset.form.cleaned_data.get("etape") if filterset.is_valid() else ""
    rows = decorate(rows, request.user)
    name = "suivi des ménages logés" if housed else "file d'attente"
    audit_shown(request, object_ids=[row.pk for row in rows], detail=f"{name} {query}".strip())
    if housed:
        heading = f"Suivi des ménages logés — {STAGE_LABELS[stage]}" if stage else "Suivi des ménages logés"
    else:
        heading = f"File d'attente — {STAGE_LABELS[stage]}" if stage else "Files d'attente"
    return render(
        request,
        "web/queues/list.html",
        {
            **titles(heading, filterset.form),
            "housed": housed,
            "list_url": list_url,
            "form": filterset.form,
            "active_filters": active_filters(filterset, query_pairs(request), reset_url=f"{list_url}?reinitialiser=1"),
            "page_obj": page,
            "rows": rows,
            "query": query,
            "export_query": urlencode([HOUSED_PARAM, *query_pairs(request)]) if housed else query,
            "sort": filterset.current_sort,
            "sort_links": sort_links(request, filterset.current_sort),
            # The bulk actions lead to their own page, with the selection and the decision to take.
            "bulk_actions": not housed,
        },
    )


def sort_links(request, current: str) -> dict:
    """For the two sortable columns: the link that toggles the direction, and the aria-sort value."""
    links = {}
    for column in ("attente", "priorite"):
        params = query_pairs(request, without=(*NOT_FILTERS, "tri"))
        active = current.startswith(column)
        descending = current.endswith("desc")
        next_sort = f"{column}_asc" if active and descending else f"{column}_desc"
        links[column] = {
            "url": "?" + urlencode([*params, ("tri", next_sort)]),
            "aria": ("descending" if descending else "ascending") if active else "none",
        }
    return links


@audited(Target.QUEUE, id_kwarg=None)
@coordinator_required
def stalled(request):
    today = timezone.localdate()
    keys = (
        Pathway.objects.visible_to(request.user)
        .stalled(on=today)
        .annotate(overdue=F("days_inactive") - F("stall_threshold"))
        .order_by("-overdue", "pk")
    )
    page, rows = page_of(keys, request.GET.get("page"), user=request.user, today=today)
    rows = decorate(rows, request.user)
    audit_shown(request, object_ids=[row.pk for row in rows], detail="parcours bloqués")
    return render(
        request,
        "web/queues/stalled.html",
        {"title": "Parcours bloqués", "page_obj": page, "rows": rows},
    )


def _field_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@audited(Target.PATHWAY)
@coordinator_required
def orient(request, pk):
    pathway = get_object_or_404(Pathway.objects.visible_to(request.user).select_related("household"), pk=pk)
    if request.method == "POST":
        form = OrientationForm(request.POST)
        if form.is_valid():
            try:
                pathway_transition(
                    pathway=pathway,
                    to_stage=Stage.ORIENTE,
                    on=form.cleaned_data["date"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    orientation=form.cleaned_data["orientation"],
                    expected_version=form.cleaned_data["version"],
                )
            except StaleVersionError:
                form.add_error(None, stale_pathway_message(pathway.pk, form.cleaned_data["seen"], user=request.user))
            except ValidationError as error:
                _field_errors(form, error)
            else:
                label = dict(form.fields["orientation"].choices)[form.cleaned_data["orientation"]]
                messages.success(request, f"Parcours {pathway.reference} orienté : {label}.")
                return redirect("queues:list")
    else:
        form = OrientationForm(initial={"version": pathway.version, "seen": seen_value(pathway)})
    audit_shown(request, household_id=pathway.household_id, detail="décision d'orientation")
    return render(
        request,
        "web/queues/orient.html",
        {
            **titles(f"Décision d'orientation du parcours {pathway.reference}", form),
            "pathway": pathway,
            "stage_label": STAGE_LABELS[pathway.stage],
            "may_orient": pathway.stage in ORIENTATION_FROM,
            "form": form,
            **orientation_context(request.user, pathway),
        },
    )


RECENT_TRANSITIONS = 5


def orientation_context(user, pathway) -> dict:
    """What the decision is taken on: the household's composition, its current situation, the last
    steps of the pathway (reasons only where its names may be read) and the way to its file."""
    household = pathway.household
    situation = pathway.situations.order_by("-since", "-id").first()
    transitions = list(pathway.transitions.order_by("-seq")[: RECENT_TRANSITIONS + 1])
    return {
        "composition": household_counts(household),
        "situation": situation,
        "recent_transitions": transitions[:RECENT_TRANSITIONS],
        "older_transitions": len(transitions) > RECENT_TRANSITIONS,
        "reasons_visible": can_see_names(user, household),
        "household_url": household_url(household.pk),
    }


def household_counts(household) -> str:
    adults = f"{household.adults} adulte{'s' if household.adults > 1 else ''}"
    children = (
        f"{household.children} enfant{'s' if household.children > 1 else ''}" if household.children else "sans enfant"
    )
    return f"{household.get_composition_display()} : {adults}, {children}"


@audited(Target.PATHWAY)
@coordinator_required
def assign(request, pk):
    pathway = get_object_or_404(
        Pathway.objects.visible_to(request.user).select_related("household", "referent_structure", "caseworker"),
        pk=pk,
    )
    if request.method == "POST":
        form = SingleAssignForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                pathway_assign(
                    pathway=pathway,
                    structure=form.cleaned_data["structure"],
                    caseworker=form.cleaned_data["caseworker"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleVersionError:
                form.add_error(None, stale_pathway_message(pathway.pk, form.cleaned_data["seen"], user=request.user))
            except ValidationError as error:
                _field_errors(form, error)
            else:
                messages.success(request, f"Parcours {pathway.reference} transféré : {holder(pathway)}.")
                return redirect("queues:list")
    else:
        # Nothing chosen beforehand: the current holder as default made the form refuse itself as soon
        # as another structure was chosen.
        form = SingleAssignForm(user=request.user, initial={"version": pathway.version, "seen": seen_value(pathway)})
    form.follow_structure(reverse("queues:caseworker_choices"), CASEWORKER_GROUP)
    audit_shown(request, household_id=pathway.household_id, detail="transfert")
    history = Assignment.objects.filter(pathway=pathway).select_related("structure", "caseworker", "recorded_by")
    return render(
        request,
        "web/queues/assign.html",
        {
            **titles(f"Transfert du parcours {pathway.reference}", form),
            "pathway": pathway,
            "stage_label": STAGE_LABELS[pathway.stage],
            "form": form,
            "caseworker_group": CASEWORKER_GROUP,
            "history": dated_history(pathway, history),
            # A confidential household's transfer notes stay inside its referent structures.
            "notes_visible": can_see_names(request.user, pathway.household),
            "shares": PathwayShare.objects.filter(pathway=pathway)
            .select_related("structure")
            .order_by("structure__name"),
            "share_form": ShareForm(structures=assignment_structures(request.user)),
        },
    )


CASEWORKER_GROUP = "transfert-referent"


def dated_history(pathway, assignments) -> list:
    """Newest first, each dated as the household's timeline dates it (web/views/timeline.py): the first
    assignment, written with the pathway, on its opening date; a transfer on the day it was made."""
    rows = list(assignments.order_by("recorded_at", "id"))
    for index, row in enumerate(rows):
        row.on = pathway.opened_on if index == 0 else timezone.localdate(row.recorded_at)
    return rows[::-1]


@coordinator_required
@require_GET
@no_names(reason="the caseworkers of a structure, no case file")
def caseworker_choices(request):
    """The transfer form's caseworker list for the structure chosen (htmx): only its people."""
    structures = assignment_structures(request.user)
    pk = request.GET.get("structure", "")
    if pk.isascii() and pk.isdigit() and structures.filter(pk=pk).exists():
        structures = structures.filter(pk=pk)
    form = CaseworkerListForm(structures=structures, selected=request.GET.get("caseworker", ""))
    return render(
        request,
        "web/queues/_caseworker_field.html",
        {"field": form["caseworker"], "caseworker_group": CASEWORKER_GROUP},
    )


@audited(Target.PATHWAY)
@coordinator_required
@require_POST
def share(request, pk):
    """Share the pathway with a structure ("partager") or stop sharing it ("retirer"), from its transfer
    page, then back to it with the outcome."""
    pathway = get_object_or_404(Pathway.objects.visible_to(request.user).select_related("referent_structure"), pk=pk)
    removing = request.POST.get("action") == "retirer"
    structures = (
        Structure.objects.filter(shared_pathways__pathway=pathway) if removing else assignment_structures(request.user)
    )
    form = ShareForm(request.POST, structures=structures)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["structure"]))
        return redirect("queues:assign", pk=pathway.pk)
    structure = form.cleaned_data["structure"]
    try:
        if removing:
            pathway_unshare(pathway=pathway, structure=structure, by=request.user)
        else:
            pathway_share(pathway=pathway, structure=structure, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = f"n'est plus partagé avec {structure}" if removing else f"est partagé avec {structure}"
        messages.success(request, f"Le parcours {pathway.reference} {done}.")
    return redirect("queues:assign", pk=pathway.pk)


def titles(heading: str, form) -> dict:
    """The page title says where one is, and first that the form was refused (RGAA)."""
    return {"heading": heading, "title": f"Erreur : {heading}" if form.errors else heading}


def holder(pathway) -> str:
    structure = pathway.referent_structure.name
    return f"{structure}, {pathway.caseworker}" if pathway.caseworker else structure


def selected_pathways(request, versions: dict[int, int]) -> list:
    """The selection, scoped to what the coordinator sees (one outside it: 404), in a stable order."""
    pathways = list(
        Pathway.objects.visible_to(request.user)
        .filter(pk__in=versions)
        .select_related("referent_structure", "caseworker")
        .order_by("pk")
    )
    if len(pathways) != len(versions):
        raise Http404("Un des parcours sélectionnés n'existe pas dans votre territoire.")
    return pathways


def stale_reasons(request, pathways, versions, seen) -> list[str]:
    """For each pathway changed since the page was read: its reference and what changed."""
    return [
        f"{pathway.reference} : {what_changed(pathway, seen.get(pathway.pk), user=request.user)}."
        for pathway in pathways
        if pathway.version != versions[pathway.pk]
    ]


def selection_page(request, form, *, template: str, heading: str):
    # The form is shown back with the references posted, never a name.
    audit_nothing_shown(request)
    selection = [(value, label(value)) for value in request.POST.getlist("parcours")]
    return render(request, template, {**titles(heading, form), "form": form, "selection": selection})


@audited(Target.PATHWAY, id_kwarg=None)
@coordinator_required
@require_POST
def bulk_assign(request):
    heading = "Transfert d'une sélection de parcours"
    if "confirmer" not in request.POST:  # from the queue: the selection, and where to transfer it
        form = BulkAssignForm(user=request.user, auto_id="lot_%s")
        return selection_page(request, form, template="web/queues/bulk_assign.html", heading=heading)
    form = BulkAssignForm(request.POST, user=request.user, auto_id="lot_%s")
    if form.is_valid():
        selection = form.cleaned_data["parcours"]
        pathways = selected_pathways(request, selection)
        # All or nothing: every pathway changed since the page was read is reported, and none moves.
        stale = stale_reasons(request, pathways, selection, form.seen)
        if stale:
            form.add_error(None, "Aucun parcours n'a été transféré.")
            for reason in stale:
                form.add_error(None, reason)
        else:
            with transaction.atomic():
                for pathway in pathways:
                    pathway_assign(
                        pathway=pathway,
                        structure=form.cleaned_data["structure"],
                        caseworker=form.cleaned_data["caseworker"],
                        note=form.cleaned_data["note"],
                        by=request.user,
                        expected_version=selection[pathway.pk],
                    )
            references = ", ".join(p.reference for p in pathways)
            target = form.cleaned_data["structure"].name
            if form.cleaned_data["caseworker"]:
                target += f", {form.cleaned_data['caseworker']}"
            messages.success(request, f"{len(pathways)} parcours transférés à {target} : {references}.")
            return redirect("queues:list")
    return selection_page(request, form, template="web/queues/bulk_assign.html", heading=heading)


def plural(count: int) -> str:
    """The agreement of a participle with a count, as French has it (0 and 1 are singular)."""
    return "s" if count > 1 else ""


def each_pathway(request, form, act, *, done_message) -> None:
    """Apply `act(pathway, version)` to each selected pathway in its own transaction: one refusal
    does not undo the others, and every refusal is reported with its reason."""
    versions = form.cleaned_data["parcours"]
    done, refused = [], []
    for pathway in selected_pathways(request, versions):
        try:
            act(pathway, versions[pathway.pk])
        except StaleVersionError:
            fresh = Pathway.objects.select_related("referent_structure", "caseworker").get(pk=pathway.pk)
            refused.append(
                f"{pathway.reference} : {what_changed(fresh, form.seen.get(pathway.pk), user=request.user)}."
            )
        except ValidationError as error:
            refused.append(f"{pathway.reference} : {' '.join(error.messages)}")
        else:
            done.append(pathway.reference)
    if done:
        messages.success(request, f"{done_message(len(done))} : {', '.join(done)}.")
    if refused:
        messages.error(request, f"{len(refused)} parcours refusé{plural(len(refused))} : " + " ".join(refused))


@audited(Target.PATHWAY, id_kwarg=None)
@coordinator_required
@require_POST
def bulk_orient(request):
    """Orientation decision for a selection, through the stage service, pathway by pathway."""
    heading = "Décision d'orientation d'une sélection de parcours"
    if "confirmer" not in request.POST:  # from the queue: the selection, and the decision to take
        return selection_page(request, BulkOrientForm(), template="web/queues/bulk_orient.html", heading=heading)
    form = BulkOrientForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        target = dict(form.fields["orientation"].choices)[data["orientation"]]

        def orient_one(pathway, version):
            pathway_transition(
                pathway=pathway,
                to_stage=Stage.ORIENTE,
                on=data["date"],
                by=request.user,
                reason=data["reason"],
                orientation=data["orientation"],
                expected_version=version,
            )

        each_pathway(request, form, orient_one, done_message=lambda n: f"{n} parcours orienté{plural(n)} ({target})")
        return redirect("queues:list")
    return selection_page(request, form, template="web/queues/bulk_orient.html", heading=heading)


@audited(Target.PATHWAY, id_kwarg=None)
@coordinator_required
@require_POST
def bulk_caseworker(request):
    """A caseworker for a selection; each pathway keeps its referent structure."""
    heading = "Affectation d'une sélection de parcours à un référent ou une référente"
    if "confirmer" not in request.POST:
        # The caseworker chosen in the queue's transfer fields, if any, is proposed.
        form = BulkCaseworkerForm(user=request.user, initial={"caseworker": request.POST.get("caseworker", "")})
        return selection_page(request, form, template="web/queues/bulk_caseworker.html", heading=heading)
    form = BulkCaseworkerForm(request.POST, user=request.user)
    if form.is_valid():
        caseworker = form.cleaned_data["caseworker"]

        def assign_one(pathway, version):
            pathway_assign(
                pathway=pathway,
                structure=pathway.referent_structure,
                caseworker=caseworker,
                by=request.user,
                expected_version=version,
            )

        each_pathway(
            request, form, assign_one, done_message=lambda n: f"{n} parcours affecté{plural(n)} à {caseworker}"
        )
        return redirect("queues:list")
    return selection_page(request, form, template="web/queues/bulk_caseworker.html", heading=heading)


@audited(Target.PATHWAY, id_kwarg=None)
@coordinator_required
@require_POST
def bulk_remind(request):
    """A reminder to the referent structure of each pathway of a selection ("Relancer la structure"):
    recorded pathway by pathway, a changed one refused with what changed; the pathways stay as they were."""
    heading = "Relance des structures référentes d'une sélection de parcours"
    template = "web/queues/bulk_remind.html"
    if "confirmer" not in request.POST:
        return selection_page(request, BulkReminderForm(), template=template, heading=heading)
    form = BulkReminderForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]

        def remind_one(pathway, version):
            pathway_remind(pathway=pathway, by=request.user, note=note, expected_version=version)

        each_pathway(request, form, remind_one, done_message=lambda n: f"{n} parcours relancé{plural(n)}")
        return redirect("queues:list")
    return selection_page(request, form, template=template, heading=heading)


def _export(request, *, fmt: str):
    housed = request.GET.get(HOUSED_PARAM[0]) == HOUSED_PARAM[1]
    filterset, queryset = filtered_queue(request, housed=housed)
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            "Les filtres de cette file sont invalides : corrigez-les sur la page de la file, puis exportez.",
            content_type="text/plain; charset=utf-8",
        )
    # The file at once, or a background export for a large queue (web/queues/exports.py), audited there.
    detail = f"{fmt.upper()} {filter_query(request)}".strip()
    return exports.export_response(request, fmt=fmt, queryset=queryset, housed=housed, detail=detail)


@audited(Target.QUEUE, action=Action.EXPORT, id_kwarg=None)
@coordinator_required
def export_xlsx(request):
    return _export(request, fmt="xlsx")


@audited(Target.QUEUE, action=Action.EXPORT, id_kwarg=None)
@coordinator_required
def export_csv(request):
    return _export(request, fmt="csv")
