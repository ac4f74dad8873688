"""A select rendered in Python: Django renders each <option> through its own template, which costs about
0.1 ms an option; the queue's filter form has hundreds (the structures and caseworkers of a
département) and the household page's action forms every structure (thousands on a national instance):
they spent more time there than in the database. Same HTML as Django's select.html."""

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


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
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in group_choices:
                # conditional_escape() and a plain join rather than format_html(): thousands of options per page.
                extra = _attrs(option["attrs"]) if option["attrs"] else ""
                parts.append(
                    f'<option value="{conditional_escape(option["value"])}"{extra}>{conditional_escape(option["label"])}</option>'
                )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))
