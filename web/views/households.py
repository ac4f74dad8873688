"""Create a household with its first pathway, show a household, edit it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from audit.decorators import audit_nothing_shown, audit_shown, audited
from audit.enums import Target
from pathways.models import Household
from pathways.perms import can_do_casework, can_see_names
from pathways.services import (
    MEMBER_FIELDS,
    StaleHouseholdError,
    household_create,
    household_update,
    pathway_open,
    stale_household_message,
)
from web.forms.base import apply_service_errors, without_validation
from web.forms.households import (
    OPEN_FIELD_MAP,
    HouseholdEditForm,
    NewHouseholdForm,
    check_composition,
    find_duplicates,
    household_error_items,
    member_formset,
)
from web.views.household_page import render_household, visible_household

HOUSEHOLD_FIELDS = ("composition", "adults", "children", "confidential")


@login_required
@audited(Target.HOUSEHOLD, id_kwarg=None)
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
    if not _validate_together(form, formset):
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
    if duplicates:
        # The duplicate check shows other households' names: a read of each of them.
        ids = [duplicate.household.pk for duplicate in duplicates]
        audit_shown(request, object_ids=ids, detail="doublons possibles à la création d'un ménage")
    else:
        # The form shows back only what the user typed: no file is read.
        audit_nothing_shown(request)
    return render(
        request,
        "web/casework/household_new.html",
        {
            "title": "Nouveau ménage",
            "form": form,
            "formset": formset,
            "duplicates": duplicates,
            "errors": household_error_items(form, formset),
        },
    )


def _validate_together(form, formset) -> bool:
    """The household form, its opening fields and its members judged in one go, then against each
    other: every error is reported on the first submit."""
    form_valid = form.is_valid()
    formset_valid = formset.is_valid()
    check_composition(form, formset, on=timezone.localdate())
    return form_valid and formset_valid and not form.errors and not formset.non_form_errors()


@login_required
@audited(Target.HOUSEHOLD)
def household_detail(request, pk):
    # The household and its pathways in one query (issue 10: the page within 10 queries).
    household, pathways = visible_household(request.user, pk)
    return render_household(request, household, pathways=pathways)


@login_required
@audited(Target.HOUSEHOLD)
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
    if request.method != "POST":
        return _render_edit(request, household, *_current_forms(household))
    member_ids = frozenset(household.members.values_list("pk", flat=True))
    add_row = "ajouter_personne" in request.POST
    form = HouseholdEditForm(request.POST)
    formset = member_formset(request.POST, allowed_ids=member_ids, add_row=add_row)
    if add_row:
        return _render_edit(request, household, without_validation(form), without_validation(formset))
    form_valid = form.is_valid()
    formset_valid = formset.is_valid()
    check_composition(form, formset, on=timezone.localdate(), others=household.members.all())
    form_valid = form_valid and not form.errors
    formset_valid = formset_valid and not formset.non_form_errors()
    posted_version = None if "version" in form.errors else form.cleaned_data["version"]
    if posted_version is not None and posted_version != household.version:
        # Judged before the members: a stale form may name a member removed since, which is no error
        # of the user's but the sign that the household changed.
        return _refuse_stale(request, household, posted_version)
    if not (form_valid and formset_valid):
        # The members were read after the household: if they changed in between, the errors may come
        # from that change (a member gone), and the version read again says so.
        household.refresh_from_db()
        if posted_version is not None and posted_version != household.version:
            return _refuse_stale(request, household, posted_version)
        return _render_edit(request, household, form, formset)
    try:
        household_update(
            household=household,
            members=formset.members(),
            removed=formset.removed_ids(),
            expected_version=form.cleaned_data["version"],
            by=user,
            **{f: form.cleaned_data[f] for f in HOUSEHOLD_FIELDS},
        )
    except StaleHouseholdError as error:
        # Changed between the check above and the row lock: the same refusal, on the fresh record.
        household.refresh_from_db()
        return _render_edit(request, household, *_current_forms(household), refusal=error.messages[0])
    except ValidationError as error:
        household.refresh_from_db()
        apply_service_errors(form, error)
        return _render_edit(request, household, form, formset)
    messages.success(request, "Ménage mis à jour.")
    return redirect("casework:household_detail", pk=household.pk)


def _refuse_stale(request, household, posted_version: int):
    refusal = stale_household_message(household, expected_version=posted_version)
    return _render_edit(request, household, *_current_forms(household), refusal=refusal)


def _current_forms(household):
    """The edit form and its members as the household is now, with its current version."""
    form = HouseholdEditForm(
        initial={"version": household.version, **{f: getattr(household, f) for f in HOUSEHOLD_FIELDS}}
    )
    initial = list(household.members.values("id", *MEMBER_FIELDS))
    formset = member_formset(initial=initial, allowed_ids=frozenset(row["id"] for row in initial))
    return form, formset


def _render_edit(request, household, form, formset, *, refusal: str = ""):
    audit_shown(request, household_id=household.pk, detail="page de modification")
    return render(
        request,
        "web/casework/household_edit.html",
        {
            "title": f"Modifier le ménage {household.reference}",
            "household": household,
            "form": form,
            "formset": formset,
            "errors": ([("", refusal)] if refusal else []) + household_error_items(form, formset),
        },
    )
