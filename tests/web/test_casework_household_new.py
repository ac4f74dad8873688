"""New household: created with its pathway in one transaction, refusals next to their field, possible
duplicates shown before anything is created."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways.models import Household, Pathway
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture

NEW = "/menages/nouveau/"


def _data(world, members=None, **fields):
    # Given people, the composition is "autre" and the counts left empty (derived from them), unless
    # the test says otherwise.
    counts = {"composition": "autre", "adults": "", "children": ""} if members else {}
    members = members or [
        {"last_name": "Nguyen", "first_name": "Linh", "birth_date": "1990-03-04", "relationship": "reference"},
        {"last_name": "Nguyen", "first_name": "Minh", "birth_date": "", "relationship": "enfant"},
    ]
    data = {
        "composition": "famille_monoparentale",
        "adults": "1",
        "children": "1",
        "situation": "chu",
        "situation_since": "2024-02-01",
        "structure": str(world.accueil.pk),
        "commune": "Marseille",
        "stage": "demande",
        "opened_on": "2024-02-10",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
    }
    for i, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{i}-{key}"] = value
    data.update(counts)
    data.update(fields)
    return data


@pytest.mark.django_db
def test_a_caseworker_creates_a_household_and_its_pathway(client, world):
    client.force_login(world.ana)
    response = client.post(NEW, _data(world))
    household = Household.objects.exclude(pk=world.household.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:household_detail", args=[household.pk])
    assert (household.composition, household.adults, household.children) == ("famille_monoparentale", 1, 1)
    assert list(household.members.values_list("first_name", "birth_date", "relationship")) == [
        ("Linh", datetime.date(1990, 3, 4), "reference"),
        ("Minh", None, "enfant"),
    ]
    pathway = household.pathways.get()
    assert (pathway.stage, pathway.opened_on, pathway.commune_id) == ("demande", datetime.date(2024, 2, 10), "13055")
    assert (pathway.referent_structure, pathway.caseworker) == (world.accueil, world.ana)
    assert pathway.transitions.get().recorded_by == world.ana
    situation = pathway.situations.get()
    assert (situation.situation, situation.since) == ("chu", datetime.date(2024, 2, 1))


@pytest.mark.django_db
def test_a_refused_opening_date_is_shown_next_to_its_field_and_nothing_is_written(client, world):
    client.force_login(world.ana)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(NEW, _data(world, opened_on=tomorrow.isoformat()))
    page = response.content.decode()
    assert response.status_code == 200
    message = "La date ne peut pas être dans le futur."
    assert (
        f'<div class="fr-messages-group" id="id_opened_on-desc-error"><p class="fr-message fr-message--error">{message}</p></div>'
        in page
    )
    assert 'aria-describedby="id_opened_on-desc-error" aria-invalid="true"' in page
    assert f'<a href="#id_opened_on">Date d&#x27;ouverture du parcours : {message}</a>' in page
    assert "<title>Erreur : Nouveau ménage — Parcours</title>" in page
    assert Household.objects.count() == 1 and Pathway.objects.count() == 1


@pytest.mark.django_db
def test_missing_values_are_refused_by_field(client, world):
    client.force_login(world.ana)
    members = [{"last_name": "", "first_name": "Linh", "relationship": "reference"}]
    response = client.post(NEW, _data(world, members=members, commune="Atlantis", structure=str(world.abri.pk)))
    errors = response.context["form"].errors
    assert errors["commune"] == [
        "Aucune commune ne s'appelle « Atlantis » : saisissez son nom exact ou son code INSEE."
    ]
    assert errors["structure"] == [
        "Vous ne pouvez pas confier de parcours à cette structure : choisissez-en une de la liste."
    ]
    assert response.context["formset"].forms[0].errors["last_name"] == ["Ce champ est obligatoire."]
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_a_coordinator_picks_a_structure_and_a_commune_of_its_territory(client, world):
    client.force_login(world.coord)
    response = client.post(NEW, _data(world, commune="06088", structure=str(world.accueil.pk)))
    assert response.context["form"].errors["commune"] == ["Nice est hors de votre territoire de coordination."]
    # Abri Nice works outside the Bouches-du-Rhône (tests/web/test_target_structures.py).
    response = client.post(NEW, _data(world, commune="13001", structure=str(world.abri.pk)))
    assert "structure" in response.context["form"].errors
    response = client.post(NEW, _data(world, commune="13001", structure=str(world.accueil.pk)))
    assert response.status_code == 302
    pathway = Pathway.objects.get(commune_id="13001")
    assert (pathway.referent_structure, pathway.caseworker) == (world.accueil, None)


@pytest.mark.django_db
def test_add_a_row_without_javascript_keeps_what_was_typed(client, world):
    client.force_login(world.ana)
    data = _data(world, members=[{"last_name": "Nguyen", "first_name": "Linh", "relationship": "reference"}])
    data["ajouter_personne"] = "1"
    data["composition"] = ""
    response = client.post(NEW, data)
    page = response.content.decode()
    assert len(response.context["formset"].forms) == 2
    assert 'name="members-1-last_name"' in page and 'value="Linh"' in page
    assert "fr-message--error" not in page and "resume-erreurs" not in page
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_a_removed_row_is_not_created(client, world):
    client.force_login(world.ana)
    members = [
        {"last_name": "Nguyen", "first_name": "Linh", "relationship": "reference"},
        {"last_name": "Erreur", "first_name": "", "relationship": "autre", "DELETE": "on"},
    ]
    assert client.post(NEW, _data(world, members=members)).status_code == 302
    household = Household.objects.latest("pk")
    assert list(household.members.values_list("last_name", flat=True)) == ["Nguyen"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("last_name", "first_name", "birth_date", "reason"),
    [
        ("BENALÍ", "samir", "1980-05-02", "même nom, même prénom et même date de naissance"),
        ("Benali", "Karim", "1980-05-02", "même nom et même date de naissance"),
        ("Benalli", "Samir", "1980-05-02", "nom proche, même prénom et même date de naissance"),
        ("Benali", "Samira", "", "même nom et prénom identique ou proche"),
    ],
)
def test_possible_duplicates_are_shown_before_creating(client, world, last_name, first_name, birth_date, reason):
    client.force_login(world.ana)
    members = [
        {"last_name": last_name, "first_name": first_name, "birth_date": birth_date, "relationship": "reference"}
    ]
    response = client.post(NEW, _data(world, members=members))
    page = response.content.decode()
    assert response.status_code == 200
    assert [d.household for d in response.context["duplicates"]] == [world.household]
    url = reverse("casework:household_detail", args=[world.household.pk])
    assert f'<a href="{url}">Ouvrir le dossier {world.household.reference}</a>' in page
    assert f"({reason})" in page
    assert Household.objects.count() == 1
    response = client.post(NEW, {**_data(world, members=members), "confirmer_creation": "1"})
    assert response.status_code == 302 and Household.objects.count() == 2


@pytest.mark.django_db
def test_different_people_are_not_duplicates(client, world):
    client.force_login(world.ana)
    members = [
        {"last_name": "Benali", "first_name": "Samir", "birth_date": "2001-01-01", "relationship": "reference"},
        {"last_name": "Bensalem", "first_name": "Nora", "birth_date": "", "relationship": "conjoint"},
    ]
    assert client.post(NEW, _data(world, members=members)).status_code == 302


@pytest.mark.django_db
def test_duplicates_only_among_households_the_user_may_find_by_name(client, world):
    members = [{"last_name": "Benali", "first_name": "Samir", "birth_date": "1980-05-02", "relationship": "reference"}]
    client.force_login(world.bob)  # the world's household is not in Bob's structures
    assert client.post(NEW, _data(world, members=members, structure=str(world.abri.pk))).status_code == 302
    hidden = HouseholdFactory(
        confidential=True,
        members=[{"last_name": "Secret", "first_name": "Lou", "birth_date": datetime.date(1985, 1, 1)}],
    )
    PathwayFactory(household=hidden, referent_structure=world.accueil, commune=world.geo.marseille)
    client.force_login(world.coord)  # sees the pathway, but not the names of a confidential household
    secret = [{"last_name": "Secret", "first_name": "Lou", "birth_date": "1985-01-01", "relationship": "reference"}]
    assert client.post(NEW, _data(world, members=secret)).status_code == 302
