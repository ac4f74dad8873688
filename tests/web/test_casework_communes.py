"""The commune search field: suggestions (htmx fragment or JSON), and resolution without JavaScript."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from territories.forms import CommuneField, resolve_commune
from territories.models import Commune
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture

SUGGEST = "/communes/suggestions/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("13055", "13055"),
        ("13208", "13055"),  # an arrondissement stands for its commune
        ("marseille", "13055"),
        ("  AIX EN PROVENCE ", "13001"),  # accents, hyphens and case ignored
        ("Aix-en-Provence", "13001"),
        ("Nice (06088)", "06088"),  # what a suggestion fills in
    ],
)
def test_typed_text_resolves_to_its_commune(geo, typed, code):
    assert resolve_commune(typed).code == code


@pytest.mark.django_db
def test_unknown_or_ambiguous_text_is_refused_in_french(geo):
    with pytest.raises(ValidationError) as unknown:
        resolve_commune("99999")
    assert unknown.value.messages == ["Aucune commune n'a le code INSEE « 99999 »."]
    Commune.objects.create(code="04070", name="Nice", departement_id="04", region_id="93")
    with pytest.raises(ValidationError) as ambiguous:
        resolve_commune("nice")
    assert ambiguous.value.messages == [
        "Plusieurs communes s'appellent « nice » : précisez le code INSEE (Nice (04070), Nice (06088))."
    ]
    field = CommuneField(required=True)
    with pytest.raises(ValidationError) as empty:
        field.clean("  ")
    assert empty.value.messages == ["Indiquez la commune (nom ou code INSEE)."]


@pytest.mark.django_db
def test_suggestions_as_datalist_options_from_the_field_value(client, world):
    client.force_login(world.ana)
    page = client.get(SUGGEST, {"champ": "commune", "commune": "a"}).content.decode()
    assert page.strip() == ""  # one letter is too little to suggest
    page = client.get(SUGGEST, {"champ": "commune", "commune": "ANT"}).content.decode()
    assert page.strip() == '<option value="Antibes (06004)"></option>'
    page = client.get(SUGGEST, {"champ": "etape1-housing_commune", "etape1-housing_commune": "132"}).content.decode()
    assert page.strip() == '<option value="Marseille (13055)"></option>'


@pytest.mark.django_db
def test_suggestions_as_json(client, world):
    client.force_login(world.ana)
    response = client.get(SUGGEST, {"q": "13", "format": "json"})
    assert response.json() == {
        "results": [
            {"code": "13001", "name": "Aix-en-Provence", "label": "Aix-en-Provence (13001)"},
            {"code": "13055", "name": "Marseille", "label": "Marseille (13055)"},
        ]
    }


@pytest.mark.django_db
def test_the_widget_asks_for_suggestions_and_shows_a_chosen_commune(client, world):
    client.force_login(world.ana)
    page = client.get(reverse("casework:household_new")).content.decode()
    assert 'list="id_commune-suggestions"' in page and '<datalist id="id_commune-suggestions"></datalist>' in page
    assert 'hx-get="/communes/suggestions/?champ=commune"' in page
    assert 'hx-target="#id_commune-suggestions"' in page
    assert CommuneField().widget.format_value(world.geo.gap) == "Gap (05061)"
