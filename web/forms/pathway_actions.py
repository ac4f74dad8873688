"""The small forms of the actions on a pathway. Field names follow the keys of the services'
ValidationError (`stage`, `date`, `housing_kind`...) so that a refusal lands next to its field.

Each form carries the pathway `version` it was built on: the services refuse a stale one."""

from django import forms
from django.utils import timezone

from pathways.enums import ContactKind, HousingKind, MeasureKind, OrientationTarget, SituationKind, Stage
from pathways.perms import can_record_stage
from pathways.stages import allowed_next_stages, impossible_move
from territories.collation import french_sorted
from territories.forms import CommuneField
from territories.models import Structure
from web.forms.base import DsfrForm
from web.forms.households import DATE_WIDGET
from web.forms.widgets import FastSelect
from web.pathway_state import seen_field, seen_value

BLANK = [("", "Choisir")]


class StructureChoiceField(forms.TypedChoiceField):
    """A structure among precomputed (pk, name) choices, so that several forms on one page share one query."""

    widget = FastSelect  # every structure of the instance: thousands of options

    def __init__(self, *, choices, **kwargs):
        super().__init__(choices=BLANK + list(choices), coerce=int, empty_value=None, **kwargs)

    def offer(self, structures: list[tuple[int, str]]) -> None:
        """Offer these (pk, name) as they are: already the shape ChoiceField's setter normalizes choices to,
        which walks every one of thousands of structures again for each form of the page."""
        self._choices = self.widget.choices = [*BLANK, *structures]

    def clean(self, value):
        pk = super().clean(value)
        return Structure.objects.get(pk=pk) if pk is not None else None


def structure_choices() -> list[tuple[int, str]]:
    return french_sorted(Structure.objects.values_list("pk", "name"), key=lambda choice: choice[1])


class PathwayForm(DsfrForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    # What the form showed, so that a refusal on a stale version says what changed (web.pathway_state).
    seen = seen_field()

    def __init__(self, *args, pathway, **kwargs):
        self.pathway = pathway
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {"version": pathway.version, "seen": seen_value(pathway), **kwargs["initial"]}
        super().__init__(*args, **kwargs)


class TransitionForm(PathwayForm):
    stage = forms.ChoiceField(label="Nouvelle étape", choices=Stage.choices)
    date = forms.DateField(label="Date de l'étape", widget=DATE_WIDGET)
    housing_kind = forms.ChoiceField(
        label="Type de logement",
        choices=BLANK + HousingKind.choices,
        required=False,
        help_text="Pour un bail signé.",
    )
    housing_commune = CommuneField(
        label="Commune du logement", required=False, help_text="Pour un bail signé : nom ou code INSEE."
    )
    landlord = StructureChoiceField(
        label="Bailleur", choices=(), required=False, help_text="Pour un bail signé, s'il est connu."
    )
    orientation = forms.ChoiceField(
        label="Orientation décidée",
        choices=BLANK + OrientationTarget.choices,
        required=False,
        help_text="Pour une orientation.",
    )
    reason = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire quand le ménage refuse le logement attribué.",
    )

    def __init__(self, *args, user, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["landlord"].offer(structures)
        offered = [s for s in allowed_next_stages(self.pathway.stage) if can_record_stage(user, s)]
        # Any stage validates, so that the domain explains a refused move; only the allowed ones are offered.
        self.fields["stage"].widget.choices = BLANK + [(s, Stage(s).label) for s in offered]
        self.offered_stages = offered

    def clean(self):
        data = super().clean()
        stage = data.get("stage")
        allowed = allowed_next_stages(self.pathway.stage)
        if stage and stage not in allowed:
            # Checked here rather than by the service, so that the stages offered instead are only
            # those this person may record (a caseworker is not told to choose "Orienté").
            withheld = len(self.offered_stages) < len(allowed)
            self.add_error("stage", impossible_move(self.pathway.stage, stage, self.offered_stages, withheld=withheld))
        if data.get("stage") == Stage.ORIENTE and not data.get("orientation"):
            self.add_error("orientation", "Indiquez l'orientation décidée.")
        if data.get("orientation") and data.get("stage") != Stage.ORIENTE:
            self.add_error("orientation", "L'orientation ne s'indique que pour l'étape « Orienté ».")
        if data.get("landlord") and data.get("stage") != Stage.BAIL_SIGNE:
            self.add_error("landlord", "Le bailleur ne s'indique que pour un bail signé.")
        return data


class SituationForm(PathwayForm):
    situation = forms.ChoiceField(label="Nouvelle situation résidentielle", choices=BLANK + SituationKind.choices)
    since = forms.DateField(label="Depuis le", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].initial = timezone.localdate()


class ContactForm(PathwayForm):
    kind = forms.ChoiceField(label="Type de contact", choices=BLANK + ContactKind.choices)
    date = forms.DateField(label="Date du contact", widget=DATE_WIDGET)
    note = forms.CharField(
        label="Note factuelle",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Des faits utiles au parcours, sans jugement ni donnée de santé.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class MeasureOpenForm(PathwayForm):
    kind = forms.ChoiceField(label="Mesure d'accompagnement", choices=BLANK + MeasureKind.choices)
    provider = StructureChoiceField(label="Opérateur", choices=(), required=False)
    started_on = forms.DateField(label="Début de la mesure", widget=DATE_WIDGET)

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()
        self.fields["provider"].offer(structures)


class MeasureCloseForm(PathwayForm):
    ended_on = forms.DateField(label="Fin de la mesure", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()
