"""The waiting queue leaves housed households to their own follow-up list; the filters brought back from
the session are shown as removable tags and can all be cleared."""

import re

import pytest
from django.urls import reverse

from pathways import services
from pathways.enums import SituationKind, Stage
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.web.queues_scenario import days_ago, make_scenario

LIST = reverse("queues:list")
HOUSED = reverse("queues:housed")


def references(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<tr data-reference="(P-\d+)"', response.content.decode())


@pytest.fixture
def scenario(geo):
    s = make_scenario(geo)
    # Housed long ago: the longest "wait" of all, which used to head the waiting queue.
    s.entered = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Logé", "first_name": "Jean"}]),
        referent_structure=s.alpha,
        commune=geo.marseille,
        opened_on=days_ago(400),
        housed=True,
    )
    s.sustained = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Maintenu", "first_name": "Léa"}]),
        referent_structure=s.beta,
        commune=geo.aix,
        opened_on=days_ago(500),
        housed=True,
        dalo=True,
    )
    services.pathway_transition(pathway=s.sustained, to_stage=Stage.MAINTIEN, on=days_ago(300), by=None)
    return s


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def test_the_waiting_queue_leaves_housed_households_out(coordinator_client, scenario):
    s = scenario
    page = coordinator_client.get(LIST)
    assert references(page) == [s.durand.reference, s.diallo.reference, s.secret.reference]
    # Its stage choices do not offer the housed stages either: they belong to the follow-up list.
    assert 'value="maintien"' not in page.content.decode()
    assert references(coordinator_client.get(LIST, {"etape": "maintien"})) == []


def test_the_housed_follow_up_list_has_its_own_filters(coordinator_client, scenario):
    s = scenario
    page = coordinator_client.get(HOUSED)
    assert references(page) == [s.entered.reference, s.sustained.reference]  # longest in their stage first
    html = page.content.decode()
    assert "<title>Suivi des ménages logés — Parcours</title>" in html
    assert 'value="maintien"' in html and 'value="demande"' not in html
    assert "Parcours bloqués seulement" not in html  # only pre-housing pathways stall
    assert "Actions sur les parcours cochés" not in html
    assert references(coordinator_client.get(HOUSED, {"etape": "maintien"})) == [s.sustained.reference]
    assert references(coordinator_client.get(HOUSED, {"dalo": "non"})) == [s.entered.reference]
    assert references(coordinator_client.get(HOUSED, {"etape": "demande"})) == []


def test_each_list_keeps_its_own_filters(coordinator_client, scenario):
    coordinator_client.get(HOUSED, {"dalo": "oui"})
    assert coordinator_client.get(LIST).status_code == 200  # nothing stored for the waiting queue
    back = coordinator_client.get(HOUSED)
    assert back.status_code == 302 and back["Location"] == f"{HOUSED}?dalo=oui"


def test_the_housed_list_exports_the_housed_households(coordinator_client, scenario):
    page = coordinator_client.get(HOUSED, {"dalo": "oui"}).content.decode()
    assert f'href="{reverse("queues:export_csv")}?liste=loges&amp;dalo=oui"' in page
    export = coordinator_client.get(reverse("queues:export_csv"), {"liste": "loges", "dalo": "oui"})
    content = export.content.decode("utf-8-sig")
    assert scenario.sustained.reference in content
    assert scenario.durand.reference not in content and scenario.entered.reference not in content


def test_the_overview_links_both_lists_and_sends_housed_stages_to_the_follow_up(coordinator_client, scenario):
    html = coordinator_client.get(reverse("queues:overview")).content.decode()
    assert f'href="{LIST}"' in html and f'href="{HOUSED}"' in html
    assert "Ménages entrés dans leur logement et suivis pour s'y maintenir : 2." in html
    assert "Parcours qui attendent une étape avant le logement : 3." in html
    assert f'href="{HOUSED}?etape=maintien"' in html
    assert f'href="{LIST}?etape=demande"' in html


TAG = re.compile(r'<a class="fr-tag[^"]*" href="([^"]*)"><span class="fr-sr-only">Retirer le filtre </span>([^<]*)</a>')


def test_the_active_filters_are_tags_each_removing_itself(coordinator_client, scenario):
    s = scenario
    page = coordinator_client.get(
        LIST, {"dalo": "non", "structure": s.alpha.pk, "bloques": "on", "attente_min": "5", "tri": "priorite_desc"}
    ).content.decode()
    tags = {label: url.replace("&amp;", "&") for url, label in TAG.findall(page)}
    assert set(tags) == {
        "Structure référente : Association Alpha",
        "DALO : Non",
        "Attente minimale (jours) : 5",
        "Parcours bloqués seulement",
    }
    assert tags["DALO : Non"] == f"?structure={s.alpha.pk}&bloques=on&attente_min=5&tri=priorite_desc"
    assert f'href="{LIST}?reinitialiser=1">Effacer les filtres</a>' in page
    # Following a tag lists without that filter, and stores the rest.
    without_stalled = coordinator_client.get(LIST + tags["Parcours bloqués seulement"])
    assert references(without_stalled) == [s.durand.reference, s.secret.reference]
    stored = coordinator_client.get(LIST)["Location"]
    assert stored == f"{LIST}?dalo=non&structure={s.alpha.pk}&attente_min=5&tri=priorite_desc"


def test_removing_the_last_filter_clears_the_stored_copy(coordinator_client, scenario):
    page = coordinator_client.get(LIST, {"dalo": "non"}).content.decode()
    [(url, label)] = TAG.findall(page)
    assert (url, label) == (f"{LIST}?reinitialiser=1", "DALO : Non")
    assert coordinator_client.get(url)["Location"] == LIST
    response = coordinator_client.get(LIST)
    assert response.status_code == 200 and len(references(response)) == 3
    assert "Effacer les filtres" not in response.content.decode()  # nothing to clear


def test_clearing_the_filters_of_the_housed_list(coordinator_client, scenario):
    page = coordinator_client.get(HOUSED, {"etape": "entree"}).content.decode()
    assert f'href="{HOUSED}?reinitialiser=1">Effacer les filtres</a>' in page
    assert "Étape : Entrée dans les lieux" in page
    assert coordinator_client.get(HOUSED, {"reinitialiser": "1"})["Location"] == HOUSED
    assert len(references(coordinator_client.get(HOUSED))) == 2


def test_the_housed_list_has_a_fixed_number_of_queries(coordinator_client, scenario, django_assert_max_num_queries):
    for number in range(3):
        PathwayFactory(commune=scenario.durand.commune, opened_on=days_ago(50 + number), housed=True)
    # session, user, the scope's département, the count, the ids of the page, its rows, the referent
    # structures of the confidential households, the coordinator's own structures, the structure,
    # caseworker and EPCI choices of the filters, the read logged (audit), then the session saved
    # (savepoint, update, release); no transfer choices: the housed list has no bulk action.
    with django_assert_max_num_queries(15):
        response = coordinator_client.get(HOUSED, {"tri": "attente_desc"})
    assert len(references(response)) == 5


def test_a_housed_row_shows_its_dwelling_not_the_shelter_it_left(coordinator_client, geo):
    """The lists say where the household lives now, as its page does (pathways/residence.py): after the
    entry into housing, the dwelling of the lease, unless a situation was recorded after the entry."""
    s = make_scenario(geo)
    opened = days_ago(300)
    housed = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Logé", "first_name": "Jean"}]),
        referent_structure=s.alpha,
        commune=geo.marseille,
        opened_on=opened,
        situation="hotel_115",
        situation_since=opened,
        housed=True,
    )
    page = coordinator_client.get(HOUSED).content.decode()
    row = page[page.index(f'data-reference="{housed.reference}"') :].split("</tr>", 1)[0]
    assert "Logé : Parc social" in row and SituationKind.HOTEL_115.label not in row

    services.situation_record(pathway=housed, situation="chez_tiers", since=days_ago(1), by=None)
    page = coordinator_client.get(HOUSED).content.decode()
    row = page[page.index(f'data-reference="{housed.reference}"') :].split("</tr>", 1)[0]
    assert "Logé" not in row and "tiers" in row


def structure_options(response) -> list[str]:
    select = re.search(r'<select name="structure".*?</select>', response.content.decode(), re.S).group(0)
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_the_structure_filter_offers_the_referent_structures_of_the_territory_kept_a_minute(client, scenario, geo):
    """The structures of the coordinator's territory only (not Nice's); read once a minute per territory
    (web/queues/filters.py), so that a structure whose first pathway of the territory was just opened is
    offered once the minute is over."""
    from django.core.cache import cache

    from tests.territories.factories import StructureFactory

    client.force_login(scenario.coordinator)
    assert structure_options(client.get(LIST)) == ["Association Alpha", "Bailleur Beta"]
    gamma = StructureFactory(name="Collectif Gamma", commune=geo.aix)
    PathwayFactory(referent_structure=gamma, commune=geo.aix, opened_on=days_ago(3))
    assert structure_options(client.get(LIST)) == ["Association Alpha", "Bailleur Beta"]
    cache.clear()  # what the minute's end does
    assert structure_options(client.get(LIST)) == ["Association Alpha", "Bailleur Beta", "Collectif Gamma"]
