"""The bilan request and the targets: the commune typed as in casework, targets in their unit."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reports.catalogue import CATALOGUE
from reports.enums import PeriodKind
from reports.exports.tables import format_target
from reports.forms import BilanRequestForm, TargetForm
from reports.models import BilanRun, Target
from reports.templatetags.french import cible

pytestmark = pytest.mark.django_db


def request_form(admin, **data):
    return BilanRequestForm({"territory": "region:93", "period_kind": PeriodKind.PLAN_2018_2022, **data}, user=admin)


@pytest.mark.parametrize("typed", ["Marseille", "marseille", "13055", "Marseille (13055)", "13201"])
def test_the_bilan_request_takes_a_commune_by_name_code_or_suggestion(admin, geo, typed):
    form = request_form(admin, commune=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["territory_obj"].key == "commune:13055"


def test_an_unknown_or_outside_commune_is_refused_in_french(admin, geo):
    form = request_form(admin, commune="Marseile")
    assert not form.is_valid()
    assert form.errors["commune"] == [
        "Aucune commune ne s'appelle « Marseile » : saisissez son nom exact ou son code INSEE."
    ]
    form = request_form(admin, commune="Paris")
    assert not form.is_valid()
    assert form.errors["commune"] == [
        "La commune « Paris » n'est pas dans votre territoire (Provence-Alpes-Côte d'Azur)."
    ]
    assert "territory_obj" not in form.cleaned_data


def test_the_request_page_shows_the_casework_commune_search(client, admin, geo, django_capture_on_commit_callbacks):
    client.force_login(admin)
    html = client.get(reverse("reports:run_request")).content.decode()
    suggestions = reverse("casework:commune_suggestions")
    assert f'hx-get="{suggestions}?champ=commune"' in html
    assert '<datalist id="id_commune-suggestions"></datalist>' in html
    # The hint the input points to exists.
    assert 'aria-describedby="id_commune-hint"' in html and 'id="id_commune-hint"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:run_request"),
            {"territory": "region:93", "commune": "Marseille", "period_kind": "year", "year": "2021"},
        )
    assert response.status_code == 302
    assert BilanRun.objects.get().territory_key == "commune:13055"


def test_the_targets_page_takes_a_commune_by_name(client, admin, geo):
    client.force_login(admin)
    html = client.get(reverse("reports:targets")).content.decode()
    assert 'list="id_commune-suggestions"' in html
    response = client.post(
        reverse("reports:targets"),
        {
            "territory": "region:93",
            "commune": "Aix-en-Provence",
            "indicator": "places_iml_creees",
            "value": "1 500",
            "period_kind": "plan_2018_2022",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.territory_kind, target.territory_code, target.value) == ("commune", "13001", 1500)


def target_form(admin, indicator, value):
    return TargetForm(
        {"territory": "region:93", "indicator": indicator, "value": value, "period_kind": "plan_2018_2022"}, user=admin
    )


@pytest.mark.parametrize(
    ("indicator", "value", "message"),
    [
        ("places_iml_creees", "-3", "La cible doit être supérieure à 0."),
        ("places_iml_creees", "0", "La cible doit être supérieure à 0."),
        ("places_iml_creees", "12,5", "Une cible en places est un nombre entier, par exemple 1 500."),
        ("part_attributions_sans_domicile", "120", "Un taux est compris entre 0 et 100 %."),
        (
            "part_attributions_sans_domicile",
            "12,25",
            "Assurez-vous qu'il n'y a pas plus de 1 chiffre après la virgule.",
        ),
        ("places_iml_creees", "beaucoup", "Saisissez un nombre."),
    ],
)
def test_a_bad_target_is_refused_in_french(admin, geo, indicator, value, message):
    form = target_form(admin, indicator, value)
    assert not form.is_valid()
    assert form.errors["value"] == [message]
    assert "0.1" not in str(form.errors)


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [("places_iml_creees", "1 500", Decimal(1500)), ("part_attributions_sans_domicile", "12,5", Decimal("12.5"))],
)
def test_targets_are_typed_the_french_way(admin, geo, indicator, value, expected):
    form = target_form(admin, indicator, value)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == expected


def test_targets_are_shown_in_their_unit():
    places, rate = CATALOGUE["places_iml_creees"], CATALOGUE["part_attributions_sans_domicile"]
    households = next(i for i in CATALOGUE.values() if i.unit == "ménages")
    assert format_target(Decimal("1500.0"), places) == "1\u00a0500"
    assert format_target(Decimal("12.5"), rate) == "12,5\u00a0%"
    assert cible(Decimal("1500.0"), places) == "1\u00a0500 places"
    assert cible(Decimal("1.0"), households) == "1 ménage"
    assert cible(Decimal("12.5"), rate) == "12,5\u00a0%"


def test_the_targets_page_lists_places_as_whole_numbers(client, admin, geo):
    client.force_login(admin)
    client.post(
        reverse("reports:targets"),
        {"territory": "region:93", "indicator": "places_iml_creees", "value": "1500", "period_kind": "plan_2018_2022"},
    )
    html = client.get(reverse("reports:targets")).content.decode()
    assert "1\u00a0500 places" in html
    assert "1\u00a0500,0" not in html and "1500,0" not in html
