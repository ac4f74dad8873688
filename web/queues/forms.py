"""The coordinators' decisions: orientation, transfer of one pathway, transfer of a selection."""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from pathways.enums import TRANSITIONS, OrientationTarget, Stage
from pathways.models import Pathway
from territories.models import Structure

# The stages whose table allows the orientation decision (domain.md).
ORIENTATION_FROM = tuple(stage for stage in Stage.values if Stage.ORIENTE in TRANSITIONS[stage])


class OrientationForm(forms.Form):
    orientation = forms.ChoiceField(
        label="Orientation décidée",
        choices=[("", "Choisissez une orientation"), *OrientationTarget.choices],
        error_messages={"required": "Choisissez l'orientation décidée."},
    )
    date = forms.DateField(
        label="Date de la décision",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "La date est obligatoire.", "invalid": "Saisissez une date valide."},
    )
    reason = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire après une attribution refusée par le ménage.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


def assignment_structures(user):
    """Structures a coordinator may hand pathways to: those of its territory and those already holding
    one of the pathways it sees."""
    if user.is_superuser:
        return Structure.objects.order_by("name")
    holding = Pathway.objects.visible_to(user).filter(referent_structure=OuterRef("pk"))
    return Structure.objects.filter(user.territory_q("commune") | Q(Exists(holding))).order_by("name")


class CaseworkerChoiceField(forms.ChoiceField):
    """Caseworkers grouped by structure, read in one query; cleans to a User."""

    def __init__(self, *, structures, **kwargs):
        super().__init__(**kwargs)
        memberships = (
            User.structures.through.objects.filter(
                structure__in=structures, user__role=Role.CASEWORKER, user__is_active=True
            )
            .select_related("user", "structure")
            .order_by("structure__name", "user__last_name", "user__first_name")
        )
        groups: dict[str, list[tuple[str, str]]] = {}
        self.users: dict[str, User] = {}
        for membership in memberships:
            groups.setdefault(membership.structure.name, []).append((str(membership.user.pk), str(membership.user)))
            self.users[str(membership.user.pk)] = membership.user
        self.choices = [("", "Aucun référent désigné"), *groups.items()]

    def clean(self, value):
        value = super().clean(value)
        return self.users.get(value) if value else None


class AssignForm(forms.Form):
    structure = forms.ModelChoiceField(
        label="Nouvelle structure référente",
        queryset=Structure.objects.none(),
        empty_label="Choisissez une structure",
        error_messages={
            "required": "Choisissez la structure qui reprend le parcours.",
            "invalid_choice": "Cette structure ne peut pas recevoir de parcours de votre territoire.",
        },
    )
    note = forms.CharField(label="Motif du transfert", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        structures = assignment_structures(user)
        self.fields["structure"].queryset = structures
        self.fields["caseworker"] = CaseworkerChoiceField(
            structures=structures,
            label="Nouveau référent ou nouvelle référente",
            required=False,
            help_text="La personne doit appartenir à la structure choisie.",
        )
        self.order_fields(["structure", "caseworker", "note"])

    def clean(self):
        cleaned = super().clean()
        structure, caseworker = cleaned.get("structure"), cleaned.get("caseworker")
        if structure and caseworker and structure.pk not in caseworker.structure_ids:
            self.add_error("caseworker", "Ce référent n'appartient pas à la structure choisie.")
        return cleaned


class SingleAssignForm(AssignForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ShareForm(forms.Form):
    """Share a pathway with a structure, or stop sharing it: `structures` are those allowed."""

    prefix = "partage"
    structure = forms.ModelChoiceField(
        label="Partager avec la structure",
        queryset=Structure.objects.none(),
        empty_label="Choisissez une structure",
        help_text="Ses référents et référentes verront le parcours ; la structure référente ne change pas.",
        error_messages={
            "required": "Choisissez la structure avec qui partager le parcours.",
            "invalid_choice": "Cette structure ne peut pas recevoir de parcours de votre territoire.",
        },
    )

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures


def label(value: str) -> str:
    pk = value.partition(":")[0]
    return f"P-{int(pk):06d}" if pk.isdigit() else value


class BulkAssignForm(AssignForm):
    """The selection travels as "pk:version" values, so that every pathway carries the state the
    coordinator saw."""

    parcours = forms.MultipleChoiceField(
        label="Parcours sélectionnés",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un parcours à transférer."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parcours"].choices = [(value, label(value)) for value in self.data.getlist("parcours")]

    def clean_parcours(self):
        selection: dict[int, int] = {}
        for value in self.cleaned_data["parcours"]:
            pk, _, version = value.partition(":")
            if not (pk.isdigit() and version.isdigit()):
                raise forms.ValidationError("Sélection de parcours illisible : rechargez la file puis recommencez.")
            selection[int(pk)] = int(version)
        return selection
