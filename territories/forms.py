"""A commune chosen by typing its name or INSEE code, with suggestions (htmx) and no 35,000-row select.

Without JavaScript the text typed is resolved on submit: an INSEE code, an arrondissement code (it
stands for its commune), an exact name (accents and case ignored) or the "Name (code)" of a suggestion.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse_lazy
from django.utils.html import format_html

from territories.models import Arrondissement, Commune
from territories.text import normalize_name

_LABEL_WITH_CODE = re.compile(r"\((?P<code>[0-9][0-9AB][0-9]{3})\)\s*$", re.IGNORECASE)
SUGGESTION_LIMIT = 15


def commune_label(commune: Commune) -> str:
    return f"{commune.name} ({commune.code})"


def suggest_communes(text: str) -> list[Commune]:
    """The communes whose name or code starts like `text`, the most populated first."""
    text = (text or "").strip()
    match = _LABEL_WITH_CODE.search(text)
    if match:
        text = match.group("code")
    if len(text) < 2:
        return []
    rows = list(Commune.objects.search(text).order_by(F("population").desc(nulls_last=True), "name")[:SUGGESTION_LIMIT])
    if text[:1].isdigit() and len(rows) < SUGGESTION_LIMIT:
        arrondissements = Arrondissement.objects.filter(code__startswith=text.upper()).select_related("commune")
        known = {c.pk for c in rows}
        for arrondissement in arrondissements[: SUGGESTION_LIMIT - len(rows)]:
            if arrondissement.commune_id not in known:
                rows.append(arrondissement.commune)
                known.add(arrondissement.commune_id)
    return rows


def resolve_commune(text: str) -> Commune:
    """The commune `text` names, or ValidationError with a French message."""
    text = (text or "").strip()
    match = _LABEL_WITH_CODE.search(text)
    code = (match.group("code") if match else text).upper()
    if re.fullmatch(r"[0-9][0-9AB][0-9]{3}", code):
        commune = Commune.objects.filter(pk=code).first()
        if commune is None:
            arrondissement = Arrondissement.objects.select_related("commune").filter(pk=code).first()
            commune = arrondissement.commune if arrondissement else None
        if commune is None:
            raise ValidationError(f"Aucune commune n'a le code INSEE « {code} ».", code="unknown")
        return commune
    candidates = list(Commune.objects.filter(name__iexact=text).order_by("code"))
    if not candidates:
        # Accents, hyphens and case ignored; a rare fallback, so a scan of names is acceptable.
        wanted = normalize_name(text).replace(" ", "")
        codes = [
            code
            for code, name in Commune.objects.values_list("code", "name")
            if wanted and normalize_name(name).replace(" ", "") == wanted
        ]
        candidates = list(Commune.objects.filter(pk__in=codes).order_by("code"))
    if not candidates:
        raise ValidationError(
            f"Aucune commune ne s'appelle « {text} » : saisissez son nom exact ou son code INSEE.", code="unknown"
        )
    if len(candidates) > 1:
        codes = ", ".join(commune_label(c) for c in candidates[:5])
        raise ValidationError(
            f"Plusieurs communes s'appellent « {text} » : précisez le code INSEE ({codes}).", code="ambiguous"
        )
    return candidates[0]


class CommuneSearchInput(forms.TextInput):
    """A text input that asks the suggestions view as one types and fills a <datalist>."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "hx-trigger": "input changed delay:250ms",
                "hx-swap": "innerHTML",
                **(attrs or {}),
            }
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        list_id = f"{widget_attrs.get('id', name)}-suggestions"
        widget_attrs["list"] = list_id
        widget_attrs["hx-get"] = f"{reverse_lazy('casework:commune_suggestions')}?champ={name}"
        widget_attrs["hx-target"] = f"#{list_id}"
        context["widget"]["list_id"] = list_id
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # Rendered here rather than by a template: the form renderer only sees apps' templates.
        # The list's id as get_context names it, without a second get_context (a commune lookup).
        list_id = f"{self.build_attrs(self.attrs, attrs).get('id', name)}-suggestions"
        field = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}"></datalist>', field, list_id)

    def format_value(self, value):
        if isinstance(value, Commune):
            return commune_label(value)
        if value and not isinstance(value, str):
            commune = Commune.objects.filter(pk=value).first()
            return commune_label(commune) if commune else str(value)
        if isinstance(value, str) and re.fullmatch(r"[0-9][0-9AB][0-9]{3}", value):
            commune = Commune.objects.filter(pk=value).first()
            return commune_label(commune) if commune else value
        return super().format_value(value)


class CommuneField(forms.Field):
    widget = CommuneSearchInput
    default_error_messages = {"required": "Indiquez la commune (nom ou code INSEE)."}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Son nom ou son code INSEE, par exemple « Marseille » ou « 13055 ».")
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, Commune):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        return resolve_commune(str(value))

    def has_changed(self, initial, data):
        initial_code = initial.pk if isinstance(initial, Commune) else initial
        try:
            data_code = self.to_python(data).pk if data else None
        except ValidationError:
            return True
        return (initial_code or None) != data_code
