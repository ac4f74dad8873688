"""The places pages: sites and their places, vacancies of the territory, matching a vacancy with the queue,
proposals and their answers, a place's history. Thin: scope, validate, call a service, render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.decorators import audit_shown, audited, no_names
from audit.enums import Target
from pathways.enums import Relationship
from pathways.models import Member, Pathway
from pathways.names import display_name
from pathways.perms import can_see_names
from places import services
from places.enums import LEASE_KIND, PlaceState, ProposalStatus
from places.forms import AnswerForm, DayForm, NeedsForm, PlaceForm, ProposeForm, UnavailableForm
from places.models import Place, PlacementNeeds, Proposal, proposal_answer_days
from places.perms import can_answer, can_manage_places, can_propose, can_read_place_summary
from places.queries import candidate_rows, overdue_flag, state_counts, vacancies
from territories.enums import SiteKind
from territories.models import Site
from web.forms.base import apply_service_errors, error_items
from web.queues.rows import confidential_structures

PAGE_SIZE = 50
CANDIDATES_SHOWN = 30
TARGET = services.AUDIT_TARGET


def casework_required(view):
    """Signed out: to the sign-in page; a role without casework (administrator, observer, superuser): 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_manage_places(request.user):
            raise PermissionDenied("Ces pages sont réservées aux structures et à la coordination.")
        return view(request, *args, **kwargs)

    return wrapper


def coordination_required(view):
    """Signed out: to the sign-in page; signed in without the coordination role: 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_propose(request.user):
            raise PermissionDenied("Seule la coordination propose un ménage sur une place.")
        return view(request, *args, **kwargs)

    return wrapper


def visible_sites(user):
    """The sites whose places `user` keeps or reads: its structures' (a caseworker), its territory's (a
    coordinator)."""
    if not can_manage_places(user):
        return Site.objects.none()
    if user.is_caseworker:
        return Site.objects.filter(structure__in=user.structure_ids)
    return Site.objects.filter(user.territory_q("commune"))


def _names_by_pathway(pathways, user) -> dict[int, str]:
    """The reference person's name of each pathway's household, "" where `user` may not read it (a
    pathway it does not see, as for the operating structure of a site proposed a household of another
    structure; confidential; anonymised): three queries at most, whatever the number of pathways."""
    visible = set(Pathway.objects.visible_to(user).filter(pk__in=[p.pk for p in pathways]).values_list("pk", flat=True))
    pathways = [p for p in pathways if p.pk in visible]
    confidential = [p.household_id for p in pathways if p.household.confidential]
    structures = confidential_structures(confidential) if confidential else {}
    reference = {}
    members = Member.objects.filter(household__in={p.household_id for p in pathways}).order_by(
        Case(When(relationship=Relationship.REFERENCE, then=Value(0)), default=Value(1)), "id"
    )
    for member in members.only("household_id", "last_name", "first_name"):
        reference.setdefault(member.household_id, member)
    names = {}
    for pathway in pathways:
        household = pathway.household
        if household.confidential:
            household.referent_structure_ids = structures.get(household.pk, set())
        member = reference.get(household.pk)
        readable = member is not None and not household.anonymised_on and can_see_names(user, household)
        names[pathway.pk] = display_name(member.last_name, member.first_name) if readable else ""
    return names


# --- Sites and places -------------------------------------------------------------------------------------


@casework_required
@no_names(reason="sites and their counts of places, no household")
def site_list(request):
    sites = (
        visible_sites(request.user)
        .select_related("structure", "commune")
        .annotate(
            vacant=Count("place_units", filter=Q(place_units__state=PlaceState.VACANT)),
            proposed=Count("place_units", filter=Q(place_units__state=PlaceState.PROPOSED)),
            occupied=Count("place_units", filter=Q(place_units__state=PlaceState.OCCUPIED)),
            unavailable=Count("place_units", filter=Q(place_units__state=PlaceState.UNAVAILABLE)),
        )
        .order_by("structure__name", "name", "pk")
    )
    page = Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "places/site_list.html", {"title": "Sites et places", "page_obj": page})


def _site_context(request, site, *, form=None):
    today = timezone.localdate()
    places = list(site.place_units.select_related("pathway"))
    for place in places:
        place.free_form = DayForm(prefix=f"liberer{place.pk}", initial={"version": place.version})
        place.vacancy_days = (today - place.vacant_since).days if place.vacant_since else None
    return {
        "title": f"Site : {site}",
        "site": site,
        "places": places,
        "counts": state_counts(site.place_units.all()),
        "form": form or PlaceForm(initial={"kind": site.kind}),
        "errors": error_items(form) if form is not None else [],
        "PlaceState": PlaceState,
    }


@casework_required
@no_names(reason="the places of a site and the pathway references holding them, no household name")
def site_detail(request, pk):
    site = get_object_or_404(visible_sites(request.user).select_related("structure", "commune"), pk=pk)
    if request.method == "POST":
        form = PlaceForm(request.POST)
        if form.is_valid():
            try:
                place = services.place_create(site=site, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, f"Place « {place.label} » ajoutée, vacante depuis le {place.vacant_since:%d/%m/%Y}."
                )
                return redirect("places:site_detail", pk=site.pk)
        return render(request, "places/site_detail.html", _site_context(request, site, form=form))
    return render(request, "places/site_detail.html", _site_context(request, site))


def _place_for_change(request, pk) -> Place:
    return get_object_or_404(Place.objects.visible_to(request.user).select_related("site", "pathway"), pk=pk)


def _back(request, place):
    target = request.POST.get("retour", "")
    if target == "place":
        return redirect("places:place_detail", pk=place.pk)
    return redirect(f"{reverse('places:site_detail', args=[place.site_id])}#place-{place.pk}")


@casework_required
@require_POST
@no_names(reason="changes a place's state; answers with a redirect, no case file shown")
def place_free(request, pk):
    """« Déclarer la place libérée »: one click from the site's page (today, or the date given)."""
    place = _place_for_change(request, pk)
    form = DayForm(request.POST, prefix=f"liberer{place.pk}")
    if not form.is_valid():
        for message in (m for ms in form.errors.values() for m in ms):
            messages.error(request, f"Place « {place.label} » : {message}")
        return _back(request, place)
    try:
        services.place_declare_vacant(
            place=place, on=form.cleaned_data["on"], by=request.user, expected_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"Place « {place.label} » : {message}")
    else:
        messages.success(request, f"Place « {place.label} » déclarée libérée le {form.cleaned_data['on']:%d/%m/%Y}.")
    return _back(request, place)


@casework_required
@no_names(reason="a form about one place, no household")
def place_unavailable(request, pk):
    place = _place_for_change(request, pk)
    form = UnavailableForm(request.POST or None, initial={"version": place.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.place_mark_unavailable(
                place=place,
                on=data["on"],
                reason=data["reason"],
                note=data["note"],
                by=request.user,
                expected_version=data["version"],
            )
        except ValidationError as error:
            apply_service_errors(form, error, {"date": "on"})
        else:
            messages.success(request, f"Place « {place.label} » déclarée indisponible.")
            return redirect(f"{reverse('places:site_detail', args=[place.site_id])}#place-{place.pk}")
    context = {"title": f"Déclarer la place « {place.label} » indisponible", "place": place, "form": form}
    context["errors"] = error_items(form)
    return render(request, "places/place_unavailable.html", context)


@casework_required
@audited(TARGET)
def place_detail(request, pk):
    """A place's history: its states, its proposals and occupancies, with who and when."""
    user = request.user
    place = get_object_or_404(Place.objects.visible_to(user).select_related("site__structure", "site__commune"), pk=pk)
    events = list(
        place.events.select_related("recorded_by", "pathway__household", "proposal").order_by(
            "-on", "-recorded_at", "-pk"
        )
    )
    proposals = list(
        overdue_flag(
            place.proposals.select_related("pathway__household", "proposed_by", "answered_by"),
            today=timezone.localdate(),
            days=proposal_answer_days(),
        ).order_by("-proposed_on", "-pk")
    )
    occupancies = list(
        place.occupancies.select_related("pathway__household", "recorded_by", "ended_by").order_by(
            "-reserved_on", "-pk"
        )
    )
    pathways = {p.pathway.pk: p.pathway for p in [*proposals, *occupancies]}
    names = _names_by_pathway(pathways.values(), user)
    visible = set(Pathway.objects.visible_to(user).filter(pk__in=pathways).values_list("pk", flat=True))
    for row in [*proposals, *occupancies]:
        row.shown_name = names.get(row.pathway_id, "")
        row.household_url = (
            reverse("casework:household_detail", args=[row.pathway.household_id]) if row.pathway_id in visible else ""
        )
    audit_shown(request, target_id=place.pk, object_ids=sorted(pathways))
    return render(
        request,
        "places/place_detail.html",
        {
            "title": f"Place « {place.label} »",
            "place": place,
            "events": events,
            "proposals": proposals,
            "occupancies": occupancies,
            "free_form": DayForm(prefix=f"liberer{place.pk}", initial={"version": place.version}),
            "can_propose": can_propose(user) and place.state == PlaceState.VACANT,
            "PlaceState": PlaceState,
        },
    )


# --- Vacancies and matching ------------------------------------------------------------------------------


@casework_required
@no_names(reason="vacant places and their age, no household")
def vacancy_list(request):
    user = request.user
    rows = vacancies(user, today=timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "places/vacancy_list.html",
        {"title": "Places vacantes", "page_obj": page, "can_propose": can_propose(user)},
    )


def _matching_context(request, place, *, form=None):
    user = request.user
    today = timezone.localdate()
    rows = candidate_rows(place, user=user, today=today, limit=CANDIDATES_SHOWN)
    confidential = [row.household_id for row in rows if row.household.confidential]
    structures = confidential_structures(confidential) if confidential else {}
    for row in rows:
        household = row.household
        if household.confidential:
            household.referent_structure_ids = structures.get(household.pk, set())
        row.shown_name = (
            display_name(row.reference_last_name, row.reference_first_name) if can_see_names(user, household) else ""
        )
        row.form = ProposeForm(
            auto_id=False,
            initial={"pathway": row.pk, "pathway_version": row.version, "version": place.version, "on": today},
        )
        try:
            row.needs = row.placement_needs
        except PlacementNeeds.DoesNotExist:
            row.needs = None
    audit_shown(request, target_id=place.pk, object_ids=[row.pk for row in rows])
    return {
        "title": f"Ménages pour la place « {place.label} »",
        "place": place,
        "rows": rows,
        "shown": CANDIDATES_SHOWN,
        "vacancy_days": (today - place.vacant_since).days if place.vacant_since else None,
        "errors": error_items(form) if form is not None else [],
    }


def _place_for_matching(request, pk) -> Place:
    return get_object_or_404(
        Place.objects.visible_to(request.user).select_related("site__structure", "site__commune"), pk=pk
    )


@coordination_required
@audited(TARGET)
def matching(request, pk):
    """For one vacancy, the households of the queue that fit it, each with « Proposer »."""
    place = _place_for_matching(request, pk)
    return render(request, "places/matching.html", _matching_context(request, place))


@coordination_required
@require_POST
@audited(TARGET)
def propose(request, pk):
    place = _place_for_matching(request, pk)
    form = ProposeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        pathway = Pathway.objects.visible_to(request.user).filter(pk=data["pathway"]).first()
        if pathway is None:
            form.add_error(None, "Ce parcours n'est pas sur votre territoire, ou n'existe plus.")
        else:
            try:
                proposal = services.proposal_create(
                    place=place,
                    pathway=pathway,
                    on=data["on"],
                    by=request.user,
                    expected_version=data["pathway_version"],
                    expected_place_version=data["version"],
                )
            except ValidationError as error:
                apply_service_errors(form, error, {"date": "on"})
                if not form.errors:
                    form.add_error(None, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    f"{pathway.household.reference} proposé sur la place « {place.label} » ({proposal.reference}) : "
                    "le parcours est à l'étape « Proposition de logement ».",
                )
                return redirect("places:proposal_answer", pk=proposal.pk)
    place.refresh_from_db()
    context = _matching_context(request, place, form=form)
    context["errors"] = [(None, m) for ms in form.errors.values() for m in ms]
    return render(request, "places/matching.html", context)


# --- Proposals --------------------------------------------------------------------------------------------


@casework_required
@audited(TARGET, id_kwarg=None)
def proposal_list(request):
    """The proposals awaiting an answer on the places the user sees, the oldest first, flagged beyond
    PROPOSAL_ANSWER_DAYS; `?toutes=1` adds the answered ones."""
    user = request.user
    every = request.GET.get("toutes") == "1"
    proposals = Proposal.objects.filter(place__in=Place.objects.visible_to(user))
    if not every:
        proposals = proposals.pending()
    days = proposal_answer_days()
    rows = overdue_flag(
        proposals.select_related("place__site__commune", "pathway__household", "proposed_by"),
        today=timezone.localdate(),
        days=days,
    ).order_by("-overdue", "proposed_on", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _names_by_pathway([row.pathway for row in page.object_list], user)
    for row in page.object_list:
        row.shown_name = names.get(row.pathway_id, "")
    audit_shown(request, object_ids=[row.pathway_id for row in page.object_list])
    return render(
        request,
        "places/proposal_list.html",
        {"title": "Propositions", "page_obj": page, "every": every, "days": days},
    )


@casework_required
@audited(TARGET)
def proposal_answer(request, pk):
    """A proposal and its answer form: accepted, or declined by the structure or the household with a
    coded reason."""
    user = request.user
    proposal = get_object_or_404(
        Proposal.objects.visible_to(user).select_related(
            "place__site__structure", "place__site__commune", "pathway__household", "proposed_by", "answered_by"
        ),
        pk=pk,
    )
    if not can_answer(user):
        raise PermissionDenied
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and proposal.is_pending and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_answer(
                proposal=proposal,
                status=data["status"],
                reason=data["reason"],
                note=data["note"],
                on=data["on"],
                by=user,
            )
        except ValidationError as error:
            apply_service_errors(
                form,
                error,
                {
                    "date": "on",
                    "reason": "structure_reason"
                    if data["status"] == ProposalStatus.DECLINED_BY_STRUCTURE
                    else "household_reason",
                },
            )
        else:
            if data["status"] == ProposalStatus.ACCEPTED:
                messages.success(
                    request,
                    f"Proposition acceptée : la place « {proposal.place.label} » est attribuée à "
                    f"{proposal.pathway.household.reference}. Enregistrez ensuite le bail et l'entrée sur sa fiche.",
                )
            else:
                messages.success(
                    request,
                    f"Refus enregistré : {proposal.pathway.household.reference} revient à l'étape « Orienté » "
                    f"avec son ancienneté, la place « {proposal.place.label} » est de nouveau vacante.",
                )
            return redirect("places:proposal_answer", pk=proposal.pk)
    pathway = proposal.pathway
    visible = Pathway.objects.visible_to(user).filter(pk=pathway.pk).exists()
    today = timezone.localdate()
    audit_shown(request, target_id=proposal.place_id, household_id=pathway.household_id, object_ids=[pathway.pk])
    return render(
        request,
        "places/proposal_answer.html",
        {
            "title": f"Proposition {proposal.reference}",
            "proposal": proposal,
            "place": proposal.place,
            "shown_name": _names_by_pathway([pathway], user).get(pathway.pk, ""),
            "household_url": reverse("casework:household_detail", args=[pathway.household_id]) if visible else "",
            "form": form,
            "errors": error_items(form),
            "overdue": proposal.is_overdue(today),
            "days_without_answer": proposal.days_without_answer(today),
            "answer_days": proposal_answer_days(),
            "lease_kind": LEASE_KIND.get(proposal.place.kind, ""),
        },
    )


@login_required
@audited(Target.PATHWAY)
def needs(request, pk):
    """What a household needs of a place (mobility, pets, commune wished), read by matching."""
    user = request.user
    pathway = get_object_or_404(Pathway.objects.visible_to(user).select_related("household"), pk=pk)
    if not can_manage_places(user):
        raise PermissionDenied
    current = PlacementNeeds.objects.filter(pathway=pathway).select_related("wished_commune").first()
    initial = {}
    if current:
        initial = {
            "reduced_mobility": current.reduced_mobility,
            "pets": current.pets,
            "wished_commune": current.wished_commune_id or "",
        }
    form = NeedsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.placement_needs_record(pathway=pathway, by=user, **form.cleaned_data)
        messages.success(request, f"Besoins pour une place enregistrés pour {pathway.reference}.")
        return redirect(reverse("casework:household_detail", args=[pathway.household_id]) + f"#parcours-{pathway.pk}")
    audit_shown(request, household_id=pathway.household_id)
    return render(
        request,
        "places/needs.html",
        {
            "title": f"Besoins pour une place — {pathway.reference}",
            "pathway": pathway,
            "form": form,
            "errors": error_items(form),
        },
    )


# --- Aggregates -------------------------------------------------------------------------------------------


@login_required
@no_names(reason="counts of places by state and kind")
def summary(request):
    """Counts of places by kind and state in the user's scope: the administrators' view (no household)."""
    user = request.user
    if not can_read_place_summary(user):
        raise PermissionDenied
    if user.is_administrator:
        places = Place.objects.filter(user.territory_q("site__commune"))
    else:
        places = Place.objects.visible_to(user)
    rows = {}
    for kind, state, n in (
        places.order_by().values_list("kind", "state").annotate(n=Count("pk")).values_list("kind", "state", "n")
    ):
        rows.setdefault(kind, dict.fromkeys(PlaceState.values, 0))[state] = n
    labels = dict(SiteKind.choices)
    table = [
        {
            "kind": labels.get(kind, kind),
            "counts": [counts[s] for s in PlaceState.values],
            "total": sum(counts.values()),
        }
        for kind, counts in sorted(rows.items())
    ]
    return render(
        request,
        "places/summary.html",
        {"title": "Places : synthèse", "table": table, "states": PlaceState.choices},
    )
