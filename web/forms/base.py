"""DSFR rendering and accessible errors for every form of the web app, and the bridge from a service's
ValidationError (French messages keyed by the domain's field names) to the form's fields."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone

# Widget type -> DSFR class of the control.
_CONTROL_CLASSES = {
    "select": "fr-select",
    "checkbox": "",
    "hidden": "",
}


# No date of a case file is before 1900 (births included) or years ahead: 0001-01-01 or 9999-12-31 is a
# slip of the keyboard, and would break date arithmetic downstream (stalled delays, bilan years).
EARLIEST_DATE = datetime.date(1900, 1, 1)
YEARS_AHEAD = 10
# Beyond PostgreSQL's integer range a number fails the query instead of the form.
INTEGER_LIMIT = 2**31 - 1


def plausible_date(value: datetime.date) -> None:
    latest = datetime.date(timezone.localdate().year + YEARS_AHEAD, 12, 31)
    if not EARLIEST_DATE <= value <= latest:
        raise ValidationError(
            f"Saisissez une date entre le {EARLIEST_DATE:%d/%m/%Y} et le {latest:%d/%m/%Y}.", code="implausible_date"
        )


def bounded_integer(value: int) -> None:
    if not -INTEGER_LIMIT <= value <= INTEGER_LIMIT:
        raise ValidationError("Ce nombre est bien trop grand.", code="integer_out_of_range")


class DsfrFormMixin:
    """Adds the DSFR classes, ties hints and errors to their control (aria-describedby, aria-invalid)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            widget_type = widget.__class__.__name__.lower().removesuffix("input")
            if isinstance(widget, forms.Select):
                widget_type = "select"
            elif isinstance(widget, forms.CheckboxInput):
                widget_type = "checkbox"
            elif widget.is_hidden:
                widget_type = "hidden"
            css = _CONTROL_CLASSES.get(widget_type, "fr-input")
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = self._hint_id(name)
            if isinstance(field, forms.DateField):
                field.validators.append(plausible_date)
            elif isinstance(field, forms.IntegerField):
                field.validators.append(bounded_integer)

    def _hint_id(self, name: str) -> str:
        return f"{self[name].auto_id}-hint"

    def _error_id(self, name: str) -> str:
        return f"{self[name].auto_id}-desc-error"

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                ids = [self._error_id(name)] + ([self._hint_id(name)] if self.fields[name].help_text else [])
                attrs["aria-describedby"] = " ".join(ids)
                attrs["aria-invalid"] = "true"


class DsfrForm(DsfrFormMixin, forms.Form):
    pass


class DsfrFormSet(forms.BaseFormSet):
    """Django's message for a forged or truncated formset names its hidden "ManagementForm" and asks for a
    bug report; a user reads what happened and what to do instead."""

    default_error_messages = {
        "missing_management_form": (
            "Le formulaire envoyé est incomplet (champs cachés manquants ou modifiés). Rechargez la page et "
            "saisissez-le de nouveau."
        ),
    }

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.management_form.is_valid():
            # Django lets the formset's clean() replace this reason with another ("at least one person"):
            # the forged form is the only thing to say.
            error = ValidationError(self.error_messages["missing_management_form"], code="missing_management_form")
            self._non_form_errors = self.error_class([error], error_class="nonform", renderer=self.renderer)


def apply_service_errors(form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Put each message of a service's ValidationError next to its field: a domain key is mapped with
    `field_map` (e.g. {"date": "on"}), kept when it is a field of the form, else shown above the form."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, messages in error.message_dict.items():
        name = field_map.get(key, key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def error_items(*forms_or_formsets) -> list[tuple[str, str]]:
    """(anchor, message) of every error, for the summary at the top of a page."""
    items = []
    for form in forms_or_formsets:
        if form is None:
            continue
        if isinstance(form, forms.BaseFormSet):
            for message in form.non_form_errors():
                items.append(("", message))
            for child in form.forms:
                items += error_items(child)
            continue
        if not form.is_bound:
            continue
        for message in form.non_field_errors():
            items.append(("", message))
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                continue
            bound = form[name]
            for message in errors:
                items.append((bound.auto_id, f"{bound.label} : {message}"))
    return items


def without_validation(form_or_formset):
    """Show what was typed without judging it yet (the "add a row" button re-renders a half-filled
    form): a bound form whose errors are computed as empty."""
    if isinstance(form_or_formset, forms.BaseFormSet):
        form_or_formset._errors = []
        form_or_formset._non_form_errors = form_or_formset.error_class()
        for form in form_or_formset.forms:
            without_validation(form)
    else:
        form_or_formset._errors = ErrorDict()
    return form_or_formset
