"""The household forms judge the composition against the people entered, and report every error at once,
each member's error naming its person."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways.models import Household
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture
from tests.web.test_casework_household_new import NEW, _data


def _summary(response) -> list[tuple[str, str]]:
    return response.context["errors"]


@pytest.mark.django_db
def test_the_issue_s_household_is_refused_with_every_reason(client, world):
    client.force_login(world.ana)
    adult = {"birth_date": "1985-01-01"}
    child = {"birth_date": "2016-01-01", "relationship": "enfant"}
    members = [
        {"last_name": "Martin", "first_name": "Paul", "relationship": "reference", **adult},
        {"last_name": "Martin", "first_name": "Léa", "relationship": "reference", **adult},
        *({"last_name": "Martin", "first_name": f"E{i}", **child} for i in range(3)),
    ]
    response = client.post(NEW, _data(world, members=members, composition="personne_seule", adults="2", children="3"))
    assert response.status_code == 200
    assert Household.objects.count() == 1
    assert _summary(response) == [
        ("id_composition", "Composition : « Personne seule » compte 1 adulte, pas 2."),
        ("id_composition", "Composition : « Personne seule » ne compte pas d'enfant : vous en indiquez 3."),
        ("membres", "2 personnes sont indiquées comme personne de référence : une seule est possible."),
    ]
    page = response.content.decode()
    assert '<a href="#membres">2 personnes sont indiquées comme personne de référence' in page


@pytest.mark.django_db
def test_empty_counts_are_derived_from_the_birth_dates(client, world):
    client.force_login(world.ana)
    members = [
        {"last_name": "Nguyen", "first_name": "Linh", "birth_date": "1990-03-04", "relationship": "reference"},
        {"last_name": "Nguyen", "first_name": "Minh", "birth_date": "2012-05-06", "relationship": "enfant"},
        {"last_name": "Nguyen", "first_name": "An", "birth_date": "", "relationship": "enfant"},
    ]
    data = _data(world, members=members, composition="famille_monoparentale")
    assert client.post(NEW, data).status_code == 302
    household = Household.objects.latest("pk")
    assert (household.adults, household.children) == (1, 2)


@pytest.mark.django_db
def test_a_personne_seule_with_two_people_is_refused_even_with_empty_counts(client, world):
    client.force_login(world.ana)
    members = [
        {"last_name": "Nguyen", "first_name": "Linh", "birth_date": "1990-03-04", "relationship": "reference"},
        {"last_name": "Tran", "first_name": "Bao", "birth_date": "1991-03-04", "relationship": "conjoint"},
    ]
    response = client.post(NEW, _data(world, members=members, composition="personne_seule"))
    assert response.context["form"].errors["composition"] == ["« Personne seule » compte 1 adulte, pas 2."]


@pytest.mark.django_db
def test_every_error_is_reported_on_the_first_submit_each_member_s_with_its_person(client, world):
    client.force_login(world.ana)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    members = [
        {"last_name": "Nguyen", "first_name": "Linh", "birth_date": "1990-03-04", "relationship": "reference"},
        {"last_name": "Martin", "first_name": "Léa", "birth_date": tomorrow, "relationship": "enfant"},
        {"last_name": "", "first_name": "Noé", "relationship": ""},
    ]
    data = _data(world, members=members, opened_on=tomorrow, commune="Atlantis")
    response = client.post(NEW, data)
    summary = _summary(response)
    assert (
        "id_members-1-birth_date",
        "Personne 2 (MARTIN Léa), date de naissance : La date de naissance ne peut pas être dans le futur.",
    ) in summary
    assert ("id_members-2-last_name", "Personne 3 (Noé), nom : Ce champ est obligatoire.") in summary
    assert (
        "id_members-2-relationship",
        "Personne 3 (Noé), lien avec la personne de référence : Choisissez le lien avec la personne de référence.",
    ) in summary
    # The opening date, judged by the pathway's own rules, comes in the same round.
    assert ("id_opened_on", "Date d'ouverture du parcours : La date ne peut pas être dans le futur.") in summary
    assert any(anchor == "id_commune" for anchor, _ in summary)
    # In the page's order: the members before the pathway's fields.
    anchors = [anchor for anchor, _ in summary]
    assert anchors.index("id_members-1-birth_date") < anchors.index("id_commune") < anchors.index("id_opened_on")
    page = html.unescape(response.content.decode())
    assert '<a href="#id_members-1-birth_date">Personne 2 (MARTIN Léa), date de naissance' in page
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_only_the_first_person_defaults_to_the_reference_person(client, world):
    client.force_login(world.ana)
    response = client.get(NEW)
    first = response.context["formset"].forms[0]
    assert first["relationship"].value() == "reference"
    data = _data(world, members=[{"last_name": "Nguyen", "first_name": "Linh", "relationship": "reference"}])
    data["ajouter_personne"] = "1"
    response = client.post(NEW, data)
    added = response.context["formset"].forms[1]
    assert added["relationship"].value() in (None, "")
    assert '<option value="" selected>Choisir</option>' in response.content.decode()


@pytest.mark.django_db
def test_the_edit_form_judges_the_composition_too(client, world):
    url = reverse("casework:household_edit", args=[world.household.pk])
    samir, nora = world.household.members.order_by("pk")
    data = {
        "version": "1",
        "composition": "couple_sans_enfant",
        "adults": "2",
        "children": "0",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "2",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-id": str(samir.pk),
        "members-0-last_name": "Benali",
        "members-0-first_name": "Samir",
        "members-0-birth_date": "1980-05-02",
        "members-0-relationship": "reference",
        "members-1-id": str(nora.pk),
        "members-1-last_name": "Benali",
        "members-1-first_name": "Nora",
        "members-1-relationship": "conjoint",
        "members-1-DELETE": "on",
    }
    client.force_login(world.ana)
    response = client.post(url, data)
    assert response.status_code == 200
    assert ("membres", response.context["formset"].non_form_errors()[0]) in response.context["errors"]
    assert "mais en avez saisi 1" in response.context["formset"].non_form_errors()[0]
    assert world.household.members.count() == 2
    data |= {"composition": "personne_seule", "adults": ""}
    assert client.post(url, data).status_code == 302
    world.household.refresh_from_db()
    assert (world.household.composition, world.household.adults, world.household.members.count()) == (
        "personne_seule",
        1,
        1,
    )


@pytest.mark.django_db
def test_a_household_of_minors_only_is_asked_for_an_adult(client, world):
    client.force_login(world.ana)
    members = [{"last_name": "Nguyen", "first_name": "Minh", "birth_date": "2012-05-06", "relationship": "reference"}]
    response = client.post(NEW, _data(world, members=members))
    assert response.context["form"].errors["adults"] == [
        "Au moins un adulte : indiquez la date de naissance d'une personne majeure."
    ]
    assert Household.objects.count() == 1
