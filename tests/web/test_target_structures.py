"""Coordinators hand pathways (transfer, bulk transfer, share, household creation) only to structures
working in their territory: whose commune, or the commune of one of whose sites, is in it. A forged
POST with another structure is refused with a French message, never a 500."""

import datetime

import pytest
from django.urls import reverse

from pathways.models import Household, PathwayShare
from territories.models import Structure
from territories.perms import target_structures
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.territories.factories import SiteFactory, StructureFactory
from tests.web.queues_scenario import make_scenario

OUTSIDE = "Cette structure ne peut pas recevoir de parcours de votre territoire."


@pytest.fixture
def scenario(geo):
    scenario = make_scenario(geo)
    # Works in Nice only: outside the coordinator's Bouches-du-Rhône.
    scenario.azur = Structure.objects.get(name="Association Azur")
    # Seated in Nice, with a site in Marseille: it works in the Bouches-du-Rhône.
    scenario.riviera = StructureFactory(name="Riviera Logement", commune=geo.nice)
    SiteFactory(structure=scenario.riviera, commune=geo.marseille)
    # Seated in Paris, and holding nothing in the territory, like any structure elsewhere in France.
    scenario.paris = StructureFactory(name="Paris Solidarité", commune=geo.paris)
    return scenario


def names(structures) -> list[str]:
    return [s.name for s in structures]


def test_structures_working_in_a_territory_by_commune_or_by_site(scenario):
    bouches_du_rhone = parse_territory("departement:13")
    assert names(Structure.objects.working_in([bouches_du_rhone]).order_by("name")) == [
        "Association Alpha",
        "Bailleur Beta",
        "Riviera Logement",
    ]
    assert names(Structure.objects.working_in([parse_territory("departement:06")]).order_by("name")) == [
        "Association Azur",
        "Riviera Logement",
    ]
    assert not Structure.objects.working_in([]).exists()


def test_target_structures_by_role(scenario):
    assert names(target_structures(scenario.coordinator)) == ["Association Alpha", "Bailleur Beta", "Riviera Logement"]
    assert names(target_structures(scenario.sam)) == ["Association Alpha"]
    for nobody in (
        UserFactory(username="root", role="", is_superuser=True),
        UserFactory(username="dreets", administrator=True),
        UserFactory(username="obs", observer=True),
    ):
        assert not target_structures(nobody).exists()


def test_the_transfer_page_offers_only_the_structures_of_the_territory(client, scenario):
    client.force_login(scenario.coordinator)
    html = client.get(reverse("queues:assign", args=[scenario.durand.pk])).content.decode()
    assert "Riviera Logement" in html and "Bailleur Beta" in html
    assert "Association Azur" not in html and "Paris Solidarité" not in html


@pytest.mark.parametrize("target", ["azur", "paris"])
def test_a_transfer_to_a_structure_elsewhere_is_refused(client, scenario, target):
    client.force_login(scenario.coordinator)
    structure = getattr(scenario, target)
    response = client.post(
        reverse("queues:assign", args=[scenario.durand.pk]),
        {"structure": structure.pk, "caseworker": "", "note": "", "version": scenario.durand.version},
    )
    assert response.status_code == 200
    assert OUTSIDE in response.content.decode()
    scenario.durand.refresh_from_db()
    assert scenario.durand.referent_structure == scenario.alpha


def test_a_transfer_to_a_structure_with_a_site_in_the_territory_is_made(client, scenario):
    client.force_login(scenario.coordinator)
    response = client.post(
        reverse("queues:assign", args=[scenario.durand.pk]),
        {"structure": scenario.riviera.pk, "caseworker": "", "note": "", "version": scenario.durand.version},
    )
    assert response.status_code == 302
    scenario.durand.refresh_from_db()
    assert scenario.durand.referent_structure == scenario.riviera


def test_a_bulk_transfer_to_a_structure_elsewhere_is_refused(client, scenario):
    client.force_login(scenario.coordinator)
    selection = [f"{p.pk}:{p.version}" for p in (scenario.durand, scenario.diallo)]
    response = client.post(
        reverse("queues:bulk_assign"), {"parcours": selection, "structure": scenario.paris.pk, "confirmer": "1"}
    )
    assert response.status_code == 200
    assert OUTSIDE in response.content.decode()
    scenario.durand.refresh_from_db()
    scenario.diallo.refresh_from_db()
    assert (scenario.durand.referent_structure, scenario.diallo.referent_structure) == (scenario.alpha, scenario.beta)


def test_a_share_with_a_structure_elsewhere_is_refused(client, scenario):
    client.force_login(scenario.coordinator)
    response = client.post(
        reverse("queues:share", args=[scenario.durand.pk]),
        {"partage-structure": scenario.azur.pk, "action": "partager"},
        follow=True,
    )
    assert response.status_code == 200
    assert OUTSIDE in response.content.decode()
    assert not PathwayShare.objects.exists()


def household_data(structure, commune="Marseille") -> dict:
    return {
        "composition": "personne_seule",
        "adults": "1",
        "children": "0",
        "situation": "",
        "situation_since": "",
        "structure": str(structure.pk),
        "commune": commune,
        "stage": "demande",
        "opened_on": datetime.date(2024, 2, 10).isoformat(),
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-last_name": "Martin",
        "members-0-first_name": "Léa",
        "members-0-relationship": "reference",
    }


def test_household_creation_offers_only_the_target_structures(client, scenario):
    client.force_login(scenario.coordinator)
    html = client.get(reverse("casework:household_new")).content.decode()
    assert "Riviera Logement" in html and "Association Alpha" in html
    assert "Association Azur" not in html and "Paris Solidarité" not in html
    client.force_login(scenario.sam)
    html = client.get(reverse("casework:household_new")).content.decode()
    assert "Association Alpha" in html and "Bailleur Beta" not in html


@pytest.mark.parametrize("who", ["coordinator", "sam"])
def test_household_creation_with_another_structure_is_refused(client, scenario, who):
    client.force_login(getattr(scenario, who))
    before = Household.objects.count()
    target = scenario.paris if who == "coordinator" else scenario.beta
    response = client.post(reverse("casework:household_new"), household_data(target))
    assert response.status_code == 200
    assert "Vous ne pouvez pas confier de parcours à cette structure" in response.content.decode()
    assert Household.objects.count() == before
    response = client.post(reverse("casework:household_new"), household_data(scenario.alpha))
    assert response.status_code == 302
