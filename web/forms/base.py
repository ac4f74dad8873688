"""DSFR rendering and accessible errors for every form of the web app, and the bridge from a service's
ValidationError (French messages keyed by the domain's field names) to the form's fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

# Widget type -> DSFR class of the control.
_CONTROL_CLASSES = {
    "select": "fr-select",
    "checkbox": "",
    "hidden": "",
}


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
