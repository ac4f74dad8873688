from django import forms
from django.utils import timezone

from places.enums import (
    HOUSEHOLD_REASONS,
    STRUCTURE_REASONS,
    DeclineReason,
    ProposalStatus,
    UnavailableReason,
)
from territories.enums import SiteKind
from web.forms.base import DsfrForm

REASON_LABELS = dict(DeclineReason.choices)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today():
    return timezone.localdate()


class PlaceForm(DsfrForm):
    label = forms.CharField(label="Désignation", max_length=100, help_text="Par exemple « T2, 3e étage, porte B ».")
    kind = forms.ChoiceField(label="Type de place", choices=SiteKind.choices)
    persons_min = forms.IntegerField(label="Personnes (minimum)", min_value=1, max_value=20, initial=1)
    persons_max = forms.IntegerField(label="Personnes (maximum)", min_value=1, max_value=20, initial=1)
    bedrooms = forms.IntegerField(label="Chambres", min_value=0, max_value=10, initial=1, help_text="0 pour un studio.")
    reduced_mobility = forms.BooleanField(label="Accessible aux personnes à mobilité réduite", required=False)
    pets_allowed = forms.BooleanField(label="Animaux acceptés", required=False)
    vacant_from = forms.DateField(label="Vacante depuis le", widget=DATE_WIDGET, initial=_today)


class DayForm(DsfrForm):
    """One date, and the version of the place the page showed."""

    on = forms.DateField(label="Date", widget=DATE_WIDGET, initial=_today)
    version = forms.IntegerField(widget=forms.HiddenInput)


class UnavailableForm(DayForm):
    reason = forms.ChoiceField(label="Motif", choices=[("", "Choisir un motif"), *UnavailableReason.choices])
    note = forms.CharField(label="Précision", max_length=300, required=False)


class ProposeForm(DsfrForm):
    pathway = forms.IntegerField(widget=forms.HiddenInput)
    pathway_version = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(label="Date de la proposition", widget=DATE_WIDGET, initial=_today)


def _reason_choices(codes):
    return [("", "Choisir un motif"), *[(code, REASON_LABELS[code]) for code in codes]]


class AnswerForm(DsfrForm):
    status = forms.ChoiceField(
        label="Réponse",
        widget=forms.RadioSelect,
        choices=[
            (ProposalStatus.ACCEPTED, "Acceptée"),
            (ProposalStatus.DECLINED_BY_STRUCTURE, "Refusée par la structure"),
            (ProposalStatus.DECLINED_BY_HOUSEHOLD, "Refusée par le ménage"),
        ],
    )
    structure_reason = forms.ChoiceField(
        label="Motif du refus par la structure",
        choices=_reason_choices(STRUCTURE_REASONS),
        required=False,
        help_text="Obligatoire si la proposition est refusée par la structure.",
    )
    household_reason = forms.ChoiceField(
        label="Motif du refus par le ménage",
        choices=_reason_choices(HOUSEHOLD_REASONS),
        required=False,
        help_text="Obligatoire si la proposition est refusée par le ménage.",
    )
    note = forms.CharField(
        label="Précisions",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Obligatoire pour « Autre motif ». Restez factuel.",
    )
    on = forms.DateField(label="Date de la réponse", widget=DATE_WIDGET, initial=_today)

    def clean(self):
        data = super().clean()
        status = data.get("status")
        data["reason"] = ""
        if status == ProposalStatus.DECLINED_BY_STRUCTURE:
            data["reason"] = data.get("structure_reason", "")
            if not data["reason"]:
                self.add_error("structure_reason", "Choisissez le motif du refus par la structure.")
        elif status == ProposalStatus.DECLINED_BY_HOUSEHOLD:
            data["reason"] = data.get("household_reason", "")
            if not data["reason"]:
                self.add_error("household_reason", "Choisissez le motif du refus par le ménage.")
        return data


class NeedsForm(DsfrForm):
    reduced_mobility = forms.BooleanField(label="A besoin d'un logement accessible (mobilité réduite)", required=False)
    pets = forms.BooleanField(label="Vit avec un animal", required=False)
    wished_commune = forms.CharField(
        label="Commune souhaitée", required=False, max_length=5, help_text="Code INSEE, par exemple 13055."
    )

    def clean_wished_commune(self):
        from territories.models import Commune

        code = self.cleaned_data["wished_commune"].strip()
        if not code:
            return None
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            raise forms.ValidationError("Commune inconnue : saisissez son code INSEE (5 caractères).")
        return commune
