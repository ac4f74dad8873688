"""Bulk actions on a selection of the queue: orientation decision and assignment to a caseworker, one
pathway at a time (each refusal reported), and what changed on a pathway since the page was read.

A checkbox of the queue carries "pk:version:stage:structure:caseworker": the version detects a change
since the page was read, the rest says which change, in words, instead of a vague "modified"."""

from django import forms

from web.pathway_state import changes_since, parse_seen, seen_value, who_changed
from web.queues.forms import CaseworkerChoiceField, OrientationDecisionForm, assignment_structures, label


def selection_value(pathway) -> str:
    """The value of a row's checkbox: the state of the pathway as the coordinator sees it."""
    return f"{pathway.pk}:{pathway.version}:{seen_value(pathway)}"


def parse_selection(values) -> tuple[dict[int, int], dict[int, dict]]:
    """{pk: version} and {pk: what the page showed} from the checkboxes; ValidationError if illegible.
    A plain "pk:version" (an older page) is read too, without what it showed."""
    versions: dict[int, int] = {}
    seen: dict[int, dict] = {}
    for value in values:
        pk, _, rest = value.partition(":")
        version, _, state = rest.partition(":")
        shown = parse_seen(state) if state else None
        if not (pk.isascii() and pk.isdigit() and version.isascii() and version.isdigit()) or (state and not shown):
            raise forms.ValidationError("Sélection de parcours illisible : rechargez la file puis recommencez.")
        versions[int(pk)] = int(version)
        if shown:
            seen[int(pk)] = shown
    return versions, seen


def what_changed(pathway, seen: dict | None, *, user) -> str:
    """In words, how `pathway` (read again) differs from what the page showed, and who changed it (the
    same words as a stale single form: web/pathway_state.py)."""
    changes = changes_since(pathway, seen) or ["une saisie a été enregistrée (situation, contact, mesure ou autre)"]
    return f"modifié entre-temps {who_changed(pathway, user)} : {' ; '.join(changes)}"


class SelectionForm(forms.Form):
    parcours = forms.MultipleChoiceField(
        label="Parcours sélectionnés",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un parcours."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parcours"].choices = [(value, label(value)) for value in self.data.getlist("parcours")]
        self.seen: dict[int, dict] = {}

    def clean_parcours(self):
        versions, self.seen = parse_selection(self.cleaned_data["parcours"])
        return versions


class BulkOrientForm(SelectionForm, OrientationDecisionForm):
    """The orientation decision for every pathway of a selection."""


class BulkCaseworkerForm(SelectionForm):
    """The caseworker who takes over each pathway of the selection; each keeps its referent structure."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"] = CaseworkerChoiceField(
            structures=assignment_structures(user),
            label="Référent ou référente désignée",
            required=True,
            help_text="Chaque parcours garde sa structure référente : la personne doit en faire partie.",
            error_messages={"required": "Choisissez le référent ou la référente."},
        )


class BulkReminderForm(SelectionForm):
    """A reminder to the referent structure of each pathway of the selection, with an optional message."""

    note = forms.CharField(
        label="Message à la structure référente",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Court et factuel, sans nom : il apparaît dans la chronologie du ménage. Pour un ménage "
            "confidentiel, seules ses structures référentes le lisent."
        ),
    )
