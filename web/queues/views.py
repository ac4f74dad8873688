"""The coordinators' pages: overview, queues, stalled pathways, orientation and transfers, exports."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.enums import Action
from audit.services import audit_record
from pathways.enums import CLOSED_STAGES, PRE_HOUSING_STAGES, SituationKind, Stage
from pathways.models import Assignment, Pathway, PathwayShare
from pathways.perms import can_coordinate
from pathways.services import pathway_assign, pathway_share, pathway_transition, pathway_unshare
from territories.models import Structure
from web.queues import exports
from web.queues.filters import QueueFilterSet
from web.queues.forms import (
    ORIENTATION_FROM,
    BulkAssignForm,
    OrientationForm,
    ShareForm,
    SingleAssignForm,
    assignment_structures,
)
from web.queues.rows import STALLED_Q, confidential_structures, queue_queryset, shown_name, with_row_fields

PAGE_SIZE = 50
SESSION_KEY = "queues:list:query"
STAGE_LABELS = dict(Stage.choices)
SITUATION_LABELS = dict(SituationKind.choices)
# Parameters of the list that are not filters: never stored, never passed to the exports.
NOT_FILTERS = ("page", "reinitialiser")


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
    confidential = [p.household_id for p in pathways if p.household.confidential]
    structures = confidential_structures(confidential) if confidential and not user.is_superuser else {}
    for pathway in pathways:
        pathway.shown_name = shown_name(pathway, user, structures)
        pathway.stage_label = STAGE_LABELS[pathway.stage]
        pathway.situation_label = SITUATION_LABELS.get(pathway.current_situation, "")
        pathway.household_url = household_url(pathway.household_id)
        pathway.may_orient = pathway.stage in ORIENTATION_FROM
    return pathways


def page_of(queryset, number):
    """One page of `queryset`, sorted and cut by the database on primary keys alone, then its rows read
    with their annotations: the subqueries of a row (name, situation) then run for 50 rows, not for
    every row an OFFSET skips (page 1,700 of 100,000 pathways)."""
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    ids = list(page.object_list)
    rows = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return page, [rows[pk] for pk in ids]


def query_pairs(request, *, without=NOT_FILTERS) -> list[tuple[str, str]]:
    return [(key, value) for key, values in request.GET.lists() if key not in without for value in values if value]


def filter_query(request) -> str:
    return urlencode(query_pairs(request))


@coordinator_required
def overview(request):
    today = timezone.localdate()
    pathways = Pathway.objects.visible_to(request.user).with_stall_threshold().with_days_inactive(today)
    # One aggregate query: a count per stage and the stalled ones.
    counts = pathways.aggregate(
        stalled=Count("pk", filter=STALLED_Q),
        **{f"stage_{stage}": Count("pk", filter=Q(stage=stage)) for stage in Stage.values},
    )
    list_url = reverse("queues:list")
    stages = [
        {
            "code": stage,
            "label": label,
            "count": counts[f"stage_{stage}"],
            "url": f"{list_url}?{urlencode({'etape': stage})}",
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
            "stalled": counts["stalled"],
            "territories": request.user.scope_territories,
        },
    )


def filtered_queue(request):
    today = timezone.localdate()
    filterset = QueueFilterSet(request.GET, queue_queryset(request.user, today=today), request=request, today=today)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, queryset


@coordinator_required
def queue(request):
    if "reinitialiser" in request.GET:
        request.session.pop(SESSION_KEY, None)
        return redirect("queues:list")
    query = filter_query(request)
    if not request.GET and request.session.get(SESSION_KEY):
        return redirect(f"{reverse('queues:list')}?{request.session[SESSION_KEY]}")
    if query:
        request.session[SESSION_KEY] = query
    filterset, queryset = filtered_queue(request)
    page, rows = page_of(queryset, request.GET.get("page"))
    stage = filterset.form.cleaned_data.get("etape") if filterset.is_valid() else ""
    bulk_form = BulkAssignForm(user=request.user, auto_id="lot_%s")
    return render(
        request,
        "web/queues/list.html",
        {
            **titles(f"File d'attente : {STAGE_LABELS[stage]}" if stage else "Files d'attente", filterset.form),
            "form": filterset.form,
            "page_obj": page,
            "rows": decorate(rows, request.user),
            "query": query,
            "sort": filterset.current_sort,
            "sort_links": sort_links(request, filterset.current_sort),
            "bulk_form": bulk_form,
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


@coordinator_required
def stalled(request):
    today = timezone.localdate()
    queryset = (
        with_row_fields(Pathway.objects.visible_to(request.user).stalled(on=today), today=today)
        .annotate(overdue=F("days_inactive") - F("stall_threshold"))
        .order_by("-overdue", "pk")
    )
    page, rows = page_of(queryset, request.GET.get("page"))
    return render(
        request,
        "web/queues/stalled.html",
        {"title": "Parcours bloqués", "page_obj": page, "rows": decorate(rows, request.user)},
    )


def _field_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


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
            except ValidationError as error:
                _field_errors(form, error)
            else:
                label = dict(form.fields["orientation"].choices)[form.cleaned_data["orientation"]]
                messages.success(request, f"Parcours {pathway.reference} orienté : {label}.")
                return redirect("queues:list")
    else:
        form = OrientationForm(initial={"version": pathway.version})
    return render(
        request,
        "web/queues/orient.html",
        {
            **titles(f"Décision d'orientation du parcours {pathway.reference}", form),
            "pathway": pathway,
            "stage_label": STAGE_LABELS[pathway.stage],
            "may_orient": pathway.stage in ORIENTATION_FROM,
            "form": form,
        },
    )


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
            except ValidationError as error:
                _field_errors(form, error)
            else:
                messages.success(request, f"Parcours {pathway.reference} transféré : {holder(pathway)}.")
                return redirect("queues:list")
    else:
        form = SingleAssignForm(
            user=request.user,
            initial={
                "version": pathway.version,
                "structure": pathway.referent_structure_id,
                "caseworker": str(pathway.caseworker_id or ""),
            },
        )
    history = Assignment.objects.filter(pathway=pathway).select_related("structure", "caseworker", "recorded_by")
    return render(
        request,
        "web/queues/assign.html",
        {
            **titles(f"Transfert du parcours {pathway.reference}", form),
            "pathway": pathway,
            "stage_label": STAGE_LABELS[pathway.stage],
            "form": form,
            "history": history.order_by("-recorded_at", "-id"),
            "shares": PathwayShare.objects.filter(pathway=pathway)
            .select_related("structure")
            .order_by("structure__name"),
            "share_form": ShareForm(structures=assignment_structures(request.user)),
        },
    )


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


class BulkRefused(Exception):
    def __init__(self, pathway, error):
        super().__init__(str(error))
        self.pathway, self.error = pathway, error


@coordinator_required
@require_POST
def bulk_assign(request):
    form = BulkAssignForm(request.POST, user=request.user, auto_id="lot_%s")
    if form.is_valid():
        selection = form.cleaned_data["parcours"]
        pathways = list(
            Pathway.objects.visible_to(request.user).filter(pk__in=selection).select_related("referent_structure")
        )
        if len(pathways) != len(selection):
            raise Http404("Un des parcours sélectionnés n'existe pas dans votre territoire.")
        pathways.sort(key=lambda p: p.pk)
        try:
            # All or nothing: a refusal on any pathway rolls back the transfers already made.
            with transaction.atomic():
                for pathway in pathways:
                    try:
                        pathway_assign(
                            pathway=pathway,
                            structure=form.cleaned_data["structure"],
                            caseworker=form.cleaned_data["caseworker"],
                            note=form.cleaned_data["note"],
                            by=request.user,
                            expected_version=selection[pathway.pk],
                        )
                    except ValidationError as error:
                        raise BulkRefused(pathway, error) from error
        except BulkRefused as refused:
            reason = " ".join(refused.error.messages)
            form.add_error(
                None,
                f"Aucun parcours n'a été transféré. Le parcours {refused.pathway.reference} est refusé : {reason}",
            )
        else:
            references = ", ".join(p.reference for p in pathways)
            target = form.cleaned_data["structure"].name
            if form.cleaned_data["caseworker"]:
                target += f", {form.cleaned_data['caseworker']}"
            messages.success(request, f"{len(pathways)} parcours transférés à {target} : {references}.")
            return redirect("queues:list")
    return render(
        request,
        "web/queues/bulk_assign.html",
        {**titles("Transfert d'une sélection de parcours", form), "form": form},
    )


def _export(request, *, fmt: str):
    filterset, queryset = filtered_queue(request)
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            "Les filtres de cette file sont invalides : corrigez-les sur la page de la file, puis exportez.",
            content_type="text/plain; charset=utf-8",
        )
    # An export reads many case files at once: it is logged like a household page read (roles.md).
    audit_record(
        user=request.user, action=Action.EXPORT, target="queue", detail=f"{fmt.upper()} {filter_query(request)}"
    )
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    if fmt == "xlsx":
        content = exports.to_xlsx(queryset, request.user)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = exports.to_csv(queryset, request.user)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="file-attente-{stamp}.{fmt}"'
    return response


@coordinator_required
def export_xlsx(request):
    return _export(request, fmt="xlsx")


@coordinator_required
def export_csv(request):
    return _export(request, fmt="csv")
