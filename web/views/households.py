"""Create a household with its first pathway, show a household, edit it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from audit.enums import Action
from audit.services import audit_record
from pathways.models import Household
from pathways.perms import can_do_casework, can_see_names
from pathways.services import household_create, household_update, pathway_open
from web.forms.base import apply_service_errors, error_items, without_validation
from web.forms.households import HouseholdForm, NewHouseholdForm, find_duplicates, member_formset
from web.views.household_page import render_household

HOUSEHOLD_FIELDS = ("composition", "adults", "children", "confidential")
# pathway_open's error keys -> fields of the new-household form.
OPEN_FIELD_MAP = {"date": "opened_on", "since": "situation_since"}


@login_required
def household_new(request):
    user = request.user
    if not can_do_casework(user):
        raise PermissionDenied
    if request.method != "POST":
        form = NewHouseholdForm(user=user)
        return _render_new(request, form, member_formset())

    add_row = "ajouter_personne" in request.POST
    form = NewHouseholdForm(request.POST, user=user)
    formset = member_formset(request.POST, add_row=add_row)
    if add_row:
        return _render_new(request, without_validation(form), without_validation(formset))
    if not (form.is_valid() and formset.is_valid()):
        return _render_new(request, form, formset)
    members = formset.members()
    if "confirmer_creation" not in request.POST:
        duplicates = find_duplicates(user=user, members=members)
        if duplicates:
            return _render_new(request, form, formset, duplicates=duplicates)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            household = household_create(
                composition=data["composition"],
                adults=data["adults"],
                children=data["children"],
                confidential=data["confidential"],
                members=members,
                by=user,
            )
            pathway_open(
                household=household,
                structure=data["structure"],
                commune=data["commune"],
                opened_on=data["opened_on"],
                stage=data["stage"],
                dalo=data["dalo"],
                caseworker=user if user.is_caseworker else None,
                situation=data["situation"],
                situation_since=data["situation_since"],
                by=user,
            )
    except ValidationError as error:
        apply_service_errors(form, error, OPEN_FIELD_MAP)
        return _render_new(request, form, formset)
    messages.success(request, f"Ménage {household.reference} créé, parcours ouvert.")
    return redirect("casework:household_detail", pk=household.pk)


def _render_new(request, form, formset, *, duplicates=()):
    return render(
        request,
        "web/casework/household_new.html",
        {
            "title": "Nouveau ménage",
            "form": form,
            "formset": formset,
            "duplicates": duplicates,
            "errors": error_items(form, formset),
        },
    )


@login_required
def household_detail(request, pk):
    household = get_object_or_404(Household.objects.visible_to(request.user), pk=pk)
    if request.method == "GET":
        audit_record(user=request.user, action=Action.READ, target="household", target_id=pk, household_id=pk)
    return render_household(request, household)


@login_required
def household_edit(request, pk):
    user = request.user
    household = get_object_or_404(Household.objects.visible_to(user), pk=pk)
    if not can_do_casework(user) or not can_see_names(user, household):
        raise PermissionDenied
    if household.anonymised_on is not None:
        # Names typed into an anonymised file would undo its anonymisation (roles.md).
        raise PermissionDenied(
            f"Ce dossier a été anonymisé le {household.anonymised_on:%d/%m/%Y} : ses personnes ne peuvent plus "
            "être modifiées. Pour un ménage qui revient, créez un nouveau dossier."
        )
    member_ids = frozenset(household.members.values_list("pk", flat=True))
    if request.method != "POST":
        form = HouseholdForm(initial={f: getattr(household, f) for f in HOUSEHOLD_FIELDS})
        initial = list(household.members.values("id", "last_name", "first_name", "birth_date", "relationship"))
        formset = member_formset(initial=initial, allowed_ids=member_ids)
        return _render_edit(request, household, form, formset)
    add_row = "ajouter_personne" in request.POST
    form = HouseholdForm(request.POST)
    formset = member_formset(request.POST, allowed_ids=member_ids, add_row=add_row)
    if add_row:
        return _render_edit(request, household, without_validation(form), without_validation(formset))
    if not (form.is_valid() and formset.is_valid()):
        return _render_edit(request, household, form, formset)
    try:
        household_update(
            household=household,
            members=formset.members(),
            by=user,
            **{f: form.cleaned_data[f] for f in HOUSEHOLD_FIELDS},
        )
    except ValidationError as error:
        household.refresh_from_db()
        apply_service_errors(form, error)
        return _render_edit(request, household, form, formset)
    messages.success(request, "Ménage mis à jour.")
    return redirect("casework:household_detail", pk=household.pk)


def _render_edit(request, household, form, formset):
    return render(
        request,
        "web/casework/household_edit.html",
        {
            "title": f"Modifier le ménage {household.reference}",
            "household": household,
            "form": form,
            "formset": formset,
            "errors": error_items(form, formset),
        },
    )
