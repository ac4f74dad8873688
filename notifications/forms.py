from django import forms

from notifications.enums import EMAIL_SUBJECTS, Kind

KIND_LABELS = dict(Kind.choices)


class PreferencesForm(forms.Form):
    """Two boxes per kind the person may receive: an email each time, and the weekly digest."""

    def __init__(self, *args, preferences: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = list(preferences)
        for kind, row in preferences.items():
            self.fields[f"{kind}_email"] = forms.BooleanField(
                label="Un courriel à chaque fois", required=False, initial=row.email
            )
            self.fields[f"{kind}_digest"] = forms.BooleanField(
                label="Dans le récapitulatif hebdomadaire", required=False, initial=row.digest
            )

    def rows(self):
        """For the template: one fieldset per kind."""
        return [
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "hint": f"Quand {EMAIL_SUBJECTS[kind]}.",
                "email": self[f"{kind}_email"],
                "digest": self[f"{kind}_digest"],
            }
            for kind in self.kinds
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {kind: (self.cleaned_data[f"{kind}_email"], self.cleaned_data[f"{kind}_digest"]) for kind in self.kinds}
