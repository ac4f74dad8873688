"""A select rendered in Python: Django renders each <option> through its own template, which costs about
0.1 ms an option; the queue's filter form has hundreds (the structures and caseworkers of a
département) and the household page's action forms every structure (thousands on a national instance):
they spent more time there than in the database. Same HTML as Django's select.html."""

import html

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def _escaped(value) -> str:
    """As conditional_escape(value), faster for the plain texts and numbers of options: thousands of them
    per page (the structures of a national instance) spent 60 ms in its `hasattr(value, "__html__")`,
    which raises and catches an AttributeError for every plain text."""
    if type(value) is str:
        return html.escape(value)
    if type(value) is int:
        return str(value)
    return conditional_escape(value)


def _attrs(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html, in the same order: False left out, True as a bare attribute.
    return mark_safe(
        "".join(
            format_html(" {}", key) if value is True else format_html(' {}="{}"', key, str(value))
            for key, value in attrs.items()
            if value is not False
        )
    )


class FastSelect(forms.Select):
    """Renders straight from `choices`, without Django's optgroups() and its dict per option (create_option):
    same HTML, selected options as Django marks them (the first match only, for a single select)."""

    def render(self, name, value, attrs=None, renderer=None):
        values = self.format_value(value)
        parts = [format_html('<select name="{}"{}>', name, _attrs(self.build_attrs(self.attrs, attrs)))]
        has_selected = False
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            grouped = isinstance(option_label, list | tuple)
            if grouped:
                parts.append(format_html('<optgroup label="{}">', option_value))
            for subvalue, sublabel in option_label if grouped else ((option_value, option_label),):
                selected = not has_selected and str(subvalue) in values
                has_selected |= selected
                # _escaped() and a plain join rather than format_html(): thousands of options per page.
                parts.append(
                    f'<option value="{_escaped(subvalue)}"{" selected" if selected else ""}>{_escaped(sublabel)}</option>'
                )
            if grouped:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))
