"""Two people editing the same household: a form built on an older version is refused, says who changed
what, writes nothing, and shows the household as it is now; a member is removed only by its box."""

import re

import pytest
from django.urls import reverse

from pathways import services
from pathways.models import Household
from tests.accounts.factories import UserFactory
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture


def _url(world):
    return reverse("casework:household_edit", args=[world.household.pk])


def form_data(household: Household, **changes) -> dict:
    """What the edit page posts when saved as it was shown: every member, with the household's version."""
    data = {
        "version": str(household.version),
        "composition": household.composition,
        "adults": str(household.adults),
        "children": str(household.children),
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
    }
    members = list(household.members.order_by("pk"))
    for i, member in enumerate(members):
        data |= {
            f"members-{i}-id": str(member.pk),
            f"members-{i}-last_name": member.last_name,
            f"members-{i}-first_name": member.first_name,
            f"members-{i}-birth_date": member.birth_date.isoformat() if member.birth_date else "",
            f"members-{i}-relationship": member.relationship,
        }
    data |= {"members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": str(len(members))}
    return data | changes


def add_member(data: dict, **fields) -> dict:
    fields = {"relationship": "enfant", **fields}
    i = int(data["members-TOTAL_FORMS"])
    return data | {f"members-{i}-{k}": v for k, v in fields.items()} | {"members-TOTAL_FORMS": str(i + 1)}


def with_a_child(household: Household) -> dict:
    """The edit form of the couple, about to get a child (the composition follows its people)."""
    return form_data(household, composition="couple_avec_enfants", children="1")


@pytest.fixture
def ben(world):
    return UserFactory(username="ben", first_name="Ben", last_name="Collègue", structures=[world.accueil])


@pytest.mark.django_db
def test_the_edit_form_carries_the_household_version(client, world):
    client.force_login(world.ana)

    page = client.get(_url(world)).content.decode()

    assert re.search(r'<input type="hidden" name="version" value="1"[^>]*>', page)


@pytest.mark.django_db
def test_a_stale_form_is_refused_with_who_changed_what_and_nothing_is_written(client, world, ben):
    stale = form_data(world.household, children="3", **{"members-0-first_name": "Samuel"})
    client.force_login(ben)
    added = client.post(_url(world), add_member(with_a_child(world.household), last_name="Benali", first_name="Lina"))
    assert added.status_code == 302
    world.household.refresh_from_db()
    assert world.household.version == 2

    client.force_login(world.ana)
    response = client.post(_url(world), stale)

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(
        r"Ce ménage a été modifié par Ben Collègue à \d\d:\d\d pendant votre saisie : composition modifiée, "
        r"nombre d&#x27;enfants modifié, 1 personne ajoutée\. "
        r"Vos modifications n&#x27;ont pas été enregistrées ; voici la fiche à jour\.",
        page,
    )
    assert "<title>Erreur : Modifier le ménage" in page
    world.household.refresh_from_db()
    assert (world.household.children, world.household.version) == (1, 2)
    assert list(world.household.members.order_by("pk").values_list("first_name", flat=True)) == [
        "Samir",
        "Nora",
        "Lina",
    ]
    # The page now shows the household as it is, with the version to edit it from.
    assert response.context["form"]["version"].value() == 2
    assert [f["first_name"].value() for f in response.context["formset"]] == ["Samir", "Nora", "Lina"]


@pytest.mark.django_db
def test_a_member_added_by_one_survives_the_other_s_stale_save(client, world, ben):
    stale = form_data(world.household)  # shown to Ana before Ben adds Lina
    client.force_login(ben)
    client.post(_url(world), add_member(with_a_child(world.household), last_name="Benali", first_name="Lina"))
    client.force_login(world.ana)

    response = client.post(_url(world), stale)

    assert "pendant votre saisie" in response.content.decode()
    assert world.household.members.filter(first_name="Lina").exists()
    # Saved again from the fresh page, Ana's edit goes through and Lina stays.
    fresh = form_data(Household.objects.get(pk=world.household.pk), children="1")
    assert client.post(_url(world), fresh).status_code == 302
    assert list(world.household.members.order_by("pk").values_list("first_name", flat=True)) == [
        "Samir",
        "Nora",
        "Lina",
    ]


@pytest.mark.django_db
def test_a_member_is_removed_only_by_its_remove_box(client, world):
    client.force_login(world.ana)
    samir, nora = world.household.members.order_by("pk")
    # A form that leaves Nora out (fewer rows than the household has) does not remove her.
    without_nora = form_data(world.household, **{"members-0-first_name": "Sam"})
    for key in [k for k in without_nora if k.startswith("members-1-")]:
        del without_nora[key]
    without_nora |= {"members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "1"}

    assert client.post(_url(world), without_nora).status_code == 302
    assert list(world.household.members.order_by("pk")) == [samir, nora]

    household = Household.objects.get(pk=world.household.pk)
    alone = {"members-1-DELETE": "on", "composition": "personne_seule", "adults": "1"}
    assert client.post(_url(world), form_data(household, **alone)).status_code == 302
    assert list(world.household.members.all()) == [samir]
    household.refresh_from_db()
    assert (household.version, household.last_change) == (
        3,
        "composition modifiée, nombre d'adultes modifié, 1 personne retirée",
    )


@pytest.mark.django_db
def test_a_member_removed_meanwhile_is_a_french_refusal_not_a_500(client, world, ben):
    stale = form_data(world.household, **{"members-1-first_name": "Norah"})
    client.force_login(ben)
    alone = {"members-1-DELETE": "on", "composition": "personne_seule", "adults": "1"}
    client.post(_url(world), form_data(world.household, **alone))
    assert world.household.members.count() == 1
    client.force_login(world.ana)

    response = client.post(_url(world), stale)

    assert response.status_code == 200
    assert "Ce ménage a été modifié par Ben Collègue" in response.content.decode()
    assert "1 personne retirée" in response.content.decode()
    assert list(world.household.members.values_list("first_name", flat=True)) == ["Samir"]


@pytest.mark.django_db
def test_saving_an_unchanged_form_keeps_the_version(client, world):
    client.force_login(world.ana)

    assert client.post(_url(world), form_data(world.household)).status_code == 302

    world.household.refresh_from_db()
    assert (world.household.version, world.household.updated_by) == (1, None)


@pytest.mark.django_db
def test_the_service_refuses_a_member_id_that_is_gone_even_without_a_version(world):
    samir, nora = world.household.members.order_by("pk")
    services.household_update(
        household=world.household, members=[], removed=[nora.pk], composition="personne_seule", adults=1, by=world.ana
    )

    with pytest.raises(services.StaleHouseholdError, match="n'est plus dans le ménage"):
        services.household_update(
            household=world.household, members=[{"id": nora.pk, "first_name": "Norah"}], by=world.ana
        )
    assert list(world.household.members.all()) == [samir]
