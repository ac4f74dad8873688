"""Who sees which pathways and households (roles.md), and the household search."""

import pytest
from django.contrib.auth.models import AnonymousUser

from pathways.models import Household, Pathway, PathwayShare
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.territories.factories import StructureFactory


@pytest.fixture
def world(geo):
    """Three structures and four pathways: two in Marseille, one in Aix, one in Nice."""
    asso = StructureFactory(name="Logis Solidaire Provence", commune=geo.marseille)
    ccas = StructureFactory(name="CCAS d'Aix-en-Provence", commune=geo.aix)
    nice_asso = StructureFactory(name="Riviera Accueil", commune=geo.nice)

    def pathway(structure, commune, last_name, confidential=False):
        household = HouseholdFactory(confidential=confidential, members=[{"last_name": last_name, "first_name": "Léa"}])
        return PathwayFactory(household=household, referent_structure=structure, commune=commune)

    return {
        "structures": (asso, ccas, nice_asso),
        "marseille": pathway(asso, geo.marseille, "Benali"),
        "marseille_confidential": pathway(asso, geo.marseille, "Benali-Roux", confidential=True),
        "aix": pathway(ccas, geo.aix, "Émery"),
        "nice": pathway(nice_asso, geo.nice, "Lefèvre"),
    }


def visible(user, world):
    names = {id(p): name for name, p in world.items() if name != "structures"}
    pathways = set(Pathway.objects.visible_to(user).values_list("pk", flat=True))
    households = set(Household.objects.visible_to(user).values_list("pk", flat=True))
    by_pathway = {names[id(p)] for name, p in world.items() if name != "structures" and p.pk in pathways}
    by_household = {names[id(p)] for name, p in world.items() if name != "structures" and p.household_id in households}
    assert by_pathway == by_household
    return by_pathway


def test_caseworker_sees_its_structures_pathways_and_those_shared_with_it(world):
    asso, ccas, nice_asso = world["structures"]
    caseworker = UserFactory(caseworker=True, structures=[asso])
    assert visible(caseworker, world) == {"marseille", "marseille_confidential"}

    PathwayShare.objects.create(pathway=world["nice"], structure=asso)
    assert visible(UserFactory(caseworker=True, structures=[asso]), world) == {
        "marseille",
        "marseille_confidential",
        "nice",
    }
    assert visible(UserFactory(caseworker=True, structures=[ccas, nice_asso]), world) == {"aix", "nice"}
    assert visible(UserFactory(caseworker=True), world) == set()


def test_coordinator_sees_its_departement_or_its_epci(world):
    assert visible(UserFactory(coordinator=True, territories="departement:13"), world) == {
        "marseille",
        "marseille_confidential",
        "aix",
    }
    assert visible(UserFactory(coordinator=True, territories="epci:200030195"), world) == {"nice"}
    assert visible(UserFactory(coordinator=True, territories="departement:06 epci:200054807"), world) == {
        "marseille",
        "marseille_confidential",
        "aix",
        "nice",
    }
    assert visible(UserFactory(coordinator=True, territories="departement:84"), world) == set()


def test_administrators_observers_anonymous_and_inactive_see_no_pathway(world):
    asso = world["structures"][0]
    assert visible(UserFactory(administrator=True), world) == set()
    assert visible(UserFactory(administrator=True, territories="france"), world) == set()
    assert visible(UserFactory(observer=True), world) == set()
    assert visible(AnonymousUser(), world) == set()
    assert visible(UserFactory(caseworker=True, structures=[asso], is_active=False), world) == set()
    assert visible(UserFactory(coordinator=True, is_active=False), world) == set()
    # A superuser is an operator (docs/roles.md): reference data and accounts, no household.
    assert visible(UserFactory(role="", is_superuser=True), world) == set()


def found(text, user):
    return sorted(h.members.get().last_name for h in Household.objects.search(text, user=user))


def test_search_by_name_ignores_accents_and_case(world):
    coordinator = UserFactory(coordinator=True)

    assert found("emery", coordinator) == ["Émery"]
    assert found("LEFEVRE léa", coordinator) == ["Lefèvre"]
    assert found("lefevre paul", coordinator) == []
    assert found("   ", coordinator) == []


def test_search_by_reference_number(world):
    household = world["aix"].household
    coordinator = UserFactory(coordinator=True)

    for text in (household.reference, household.reference.lower(), str(household.pk), f"M {household.pk}"):
        assert list(Household.objects.search(text, user=coordinator)) == [household]


def test_a_confidential_household_is_found_by_name_only_inside_its_referent_structure(world):
    asso, ccas, _ = world["structures"]
    confidential = world["marseille_confidential"].household
    insider = UserFactory(caseworker=True, structures=[asso])
    outsider = UserFactory(caseworker=True, structures=[ccas])
    coordinator = UserFactory(coordinator=True, territories="departement:13")

    assert found("benali", insider) == ["Benali", "Benali-Roux"]
    assert found("benali", outsider) == ["Benali"]
    assert found("benali", coordinator) == ["Benali"]
    assert list(Household.objects.search(confidential.reference, user=coordinator)) == [confidential]
