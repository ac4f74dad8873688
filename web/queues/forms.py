"""The coordinators' decisions: orientation, transfer of one pathway, transfer of a selection."""

from django import forms
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from pathways.enums import TRANSITIONS, OrientationTarget, Stage
from territories.models import Structure
from territories.perms import target_structures
from web.pathway_state import seen_field

# The stages whose table allows the orientation decision (domain.md).
ORIENTATION_FROM = tuple(stage for stage in Stage.values if Stage.ORIENTE in TRANSITIONS[stage])


class OrientationDecisionForm(forms.Form):
    """The decision itself, for one pathway (OrientationForm) or a selection (bulk.BulkOrientForm)."""

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
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire après une attribution refusée par le ménage.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class OrientationForm(OrientationDecisionForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    seen = seen_field()


def assignment_structures(user):
    """Structures a coordinator may hand pathways to (transfer, bulk transfer, share): those working in
    its territory, never one elsewhere in France, even if it already holds one of its pathways."""
    return target_structures(user)


class CaseworkerChoiceField(forms.ChoiceField):
    """Caseworkers grouped by structure, each person once (under all her structures, "A, B", when she
    works in several of `structures`), read in one query; cleans to a User."""

    def __init__(self, *, structures, **kwargs):
        super().__init__(**kwargs)
        memberships = (
            User.structures.through.objects.filter(
                structure__in=structures, user__role=Role.CASEWORKER, user__is_active=True
            )
            .select_related("user", "structure")
            .order_by("user__last_name", "user__first_name", "user_id", "structure__name")
        )
        self.users: dict[str, User] = {}
        held: dict[str, list[str]] = {}
        for membership in memberships:
            key = str(membership.user.pk)
            self.users[key] = membership.user
            held.setdefault(key, []).append(membership.structure.name)
        groups: dict[str, list[tuple[str, str]]] = {}
        for key, names in held.items():
            groups.setdefault(", ".join(names), []).append((key, str(self.users[key])))
        self.choices = [("", "Aucun référent désigné"), *sorted(groups.items())]

    def clean(self, value):
        value = super().clean(value)
        return self.users.get(value) if value else None


def caseworker_field(structures) -> CaseworkerChoiceField:
    return CaseworkerChoiceField(
        structures=structures,
        label="Nouveau référent ou nouvelle référente",
        required=False,
        help_text="Une personne de la structure choisie ; sans référent désigné, la structure répartira.",
    )


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
        self.fields["caseworker"] = caseworker_field(structures)
        self.order_fields(["structure", "caseworker", "note"])

    def follow_structure(self, url: str, target: str) -> None:
        """With htmx, choosing a structure reloads the caseworker list from `url` (only that structure's
        people) into the element `target`; without JavaScript the full grouped list stays."""
        self.fields["structure"].widget.attrs.update(
            {
                "hx-get": url,
                "hx-trigger": "change",
                "hx-target": f"#{target}",
                "hx-swap": "outerHTML",
                "hx-include": f"#{self['caseworker'].id_for_label}",
            }
        )

    def clean(self):
        cleaned = super().clean()
        structure, caseworker = cleaned.get("structure"), cleaned.get("caseworker")
        if structure and caseworker and structure.pk not in caseworker.structure_ids:
            self.add_error(
                "caseworker",
                f"{caseworker} ne travaille pas à {structure.name} : choisissez une personne de cette "
                "structure, ou aucun référent désigné.",
            )
        return cleaned


class CaseworkerListForm(forms.Form):
    """The caseworker list alone, of the structures given, for the transfer form's htmx reload; the
    person already chosen stays chosen when she is in the list."""

    def __init__(self, *, structures, selected: str = ""):
        super().__init__(initial={"caseworker": selected})
        self.fields["caseworker"] = caseworker_field(structures)


class SingleAssignForm(AssignForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    seen = seen_field()


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
    return f"P-{int(pk):06d}" if pk.isascii() and pk.isdigit() else value


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
        from web.queues.bulk import parse_selection  # the bulk actions' module imports this one

        selection, self.seen = parse_selection(self.cleaned_data["parcours"])
        return selection
