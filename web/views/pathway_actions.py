"""The actions on a pathway: each validates its small form, calls one service and re-renders the
household page (its live region for htmx). A refusal comes back next to its field; a form built on an
older version of the pathway is refused by the service and nothing is overwritten."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.decorators import audited
from audit.enums import Target
from pathways import services
from pathways.enums import Stage
from pathways.models import Measure, Pathway
from pathways.perms import can_do_casework, can_record_stage
from pathways.stages import STAGE_LABELS
from web.forms.base import apply_service_errors
from web.forms.pathway_actions import (
    ContactForm,
    MeasureCloseForm,
    MeasureOpenForm,
    SituationForm,
    TransitionForm,
    structure_choices,
)
from web.pathway_state import stale_pathway_message
from web.views.household_page import form_prefix, is_htmx, render_household


def _pathway_for_casework(request, pk) -> Pathway:
    pathway = get_object_or_404(Pathway.objects.visible_to(request.user).select_related("household"), pk=pk)
    if not can_do_casework(request.user):
        raise PermissionDenied
    return pathway


def _run(request, pathway, form, perform, *, success: str, field_map=None):
    """Validate `form`, call `perform(cleaned_data)`; answer with the page, its live region or a redirect."""
    household = pathway.household
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except services.StaleVersionError:
            pathway.refresh_from_db()
            message = stale_pathway_message(pathway.pk, form.cleaned_data["seen"], user=request.user)
            return render_household(request, household, stale={pathway.pk: message})
        except ValidationError as error:
            apply_service_errors(form, error, field_map)
        else:
            if is_htmx(request):
                return render_household(request, household, notice=success)
            messages.success(request, success)
            return redirect(f"{reverse('casework:household_detail', args=[household.pk])}#parcours-{pathway.pk}")
    return render_household(request, household, bound={form.prefix: form})


@login_required
@require_POST
@audited(Target.PATHWAY)
def record_stage(request, pk):
    pathway = _pathway_for_casework(request, pk)
    user = request.user
    prefix = form_prefix("etape", pathway.pk)
    wanted = request.POST.get(f"{prefix}-stage", "")
    if wanted in Stage.values and not can_record_stage(user, wanted):
        raise PermissionDenied("Seule la coordination peut décider d'une orientation.")
    form = TransitionForm(request.POST, prefix=prefix, pathway=pathway, user=user, structures=structure_choices())

    def perform(data):
        services.pathway_transition(
            pathway=pathway,
            to_stage=data["stage"],
            on=data["date"],
            by=user,
            housing_kind=data["housing_kind"],
            housing_commune=data["housing_commune"],
            landlord=data["landlord"],
            orientation=data["orientation"],
            reason=data["reason"],
            expected_version=data["version"],
        )

    label = STAGE_LABELS.get(wanted, wanted)
    return _run(request, pathway, form, perform, success=f"Étape « {label} » enregistrée pour {pathway.reference}.")


@login_required
@require_POST
@audited(Target.PATHWAY)
def record_situation(request, pk):
    pathway = _pathway_for_casework(request, pk)
    form = SituationForm(request.POST, prefix=form_prefix("situation", pathway.pk), pathway=pathway)

    def perform(data):
        services.situation_record(
            pathway=pathway,
            situation=data["situation"],
            since=data["since"],
            by=request.user,
            expected_version=data["version"],
        )

    return _run(request, pathway, form, perform, success=f"Situation enregistrée pour {pathway.reference}.")


@login_required
@require_POST
@audited(Target.PATHWAY)
def record_contact(request, pk):
    pathway = _pathway_for_casework(request, pk)
    form = ContactForm(request.POST, prefix=form_prefix("contact", pathway.pk), pathway=pathway)

    def perform(data):
        services.contact_record(
            pathway=pathway,
            on=data["date"],
            kind=data["kind"],
            note=data["note"],
            by=request.user,
            expected_version=data["version"],
        )

    return _run(request, pathway, form, perform, success=f"Contact enregistré pour {pathway.reference}.")


@login_required
@require_POST
@audited(Target.PATHWAY)
def open_measure(request, pk):
    pathway = _pathway_for_casework(request, pk)
    form = MeasureOpenForm(
        request.POST, prefix=form_prefix("mesure", pathway.pk), pathway=pathway, structures=structure_choices()
    )

    def perform(data):
        services.measure_open(
            pathway=pathway,
            kind=data["kind"],
            provider=data["provider"],
            started_on=data["started_on"],
            by=request.user,
            expected_version=data["version"],
        )

    return _run(request, pathway, form, perform, success=f"Mesure ouverte pour {pathway.reference}.")


@login_required
@require_POST
# The URL names a measure, not a pathway: a refusal is logged with its address alone.
@audited(Target.PATHWAY, id_kwarg=None)
def close_measure(request, pk):
    visible = Pathway.objects.visible_to(request.user)
    measure = get_object_or_404(Measure.objects.filter(pathway__in=visible).select_related("pathway__household"), pk=pk)
    pathway = measure.pathway
    if not can_do_casework(request.user):
        raise PermissionDenied
    form = MeasureCloseForm(request.POST, prefix=form_prefix("fin", measure.pk), pathway=pathway)

    def perform(data):
        services.measure_close(
            measure=measure, ended_on=data["ended_on"], by=request.user, expected_version=data["version"]
        )

    return _run(request, pathway, form, perform, success=f"Mesure « {measure.get_kind_display()} » close.")
