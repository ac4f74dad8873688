"""The select rendered in Python (queue filters, the structures of the household page's action forms) writes
the same HTML as Django's template widget."""

import re

import pytest
from django import forms

from web.forms.widgets import FastSelect


def _flat(html: str) -> str:
    return re.sub(r">\s+<", "><", html.replace("\n", "")).strip()


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        ([("", "Toutes"), ("a&b", 'É <x> "q"'), ("2", "Deux")], "2", {"class": "fr-select", "required": True}),
        ([("", "Toutes"), ("1", "Un")], None, {"id": "id_x", "disabled": False, "aria-describedby": "x-desc"}),
        ([("Groupe", [("1", "un"), ("2", "deux")]), ("3", "trois")], "1", {}),
        ([("", "Choisir"), (7, "Bailleur & fils"), (12, "Association « L'Abri »")], 12, {"class": "fr-select"}),
        # The same value twice: Django selects the first one only.
        ([("1", "Un"), ("1", "Encore un"), (None, "Aucun")], "1", {}),
        ([(None, "Aucun"), ("", "Vide")], None, {}),
        ([("a", "A"), ("b", "B")], ["b"], {}),
    ],
)
def test_fast_select_writes_what_django_writes(choices, value, attrs):
    expected = forms.Select(choices=choices).render("etape", value, attrs=dict(attrs))
    assert _flat(FastSelect(choices=choices).render("etape", value, attrs=dict(attrs))) == _flat(expected)


@pytest.mark.django_db
def test_fast_select_writes_what_django_writes_for_model_choices():
    from territories.models import Structure

    structures = [Structure.objects.create(name=name, kind="association") for name in ("Abri & Cie", "Été")]
    field = forms.ModelChoiceField(queryset=Structure.objects.order_by("pk"), empty_label="Toutes")
    expected = field.widget.render("structure", structures[1].pk)
    field.widget = FastSelect(choices=field.choices)
    assert _flat(field.widget.render("structure", structures[1].pk)) == _flat(expected)


def test_fast_select_escapes_labels_and_values():
    html = FastSelect(choices=[("<v>", "<script>")]).render("n", None)
    assert "<script>" not in html and "&lt;script&gt;" in html and 'value="&lt;v&gt;"' in html


def test_the_structure_selects_of_the_pathway_actions_are_rendered_in_python():
    """Every structure of the instance is an option (thousands nationally): no template per option."""
    from web.forms.pathway_actions import StructureChoiceField

    assert isinstance(StructureChoiceField(choices=[(1, "Un")]).widget, FastSelect)
