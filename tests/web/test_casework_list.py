"""Mes parcours: order (stalled first, then stage order), closed ones behind a filter, search,
confidential households by reference only, a fixed number of queries."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture

LIST = "/parcours/"


def _references(page: str) -> list[str]:
    return re.findall(r"#parcours-\d+\">(M-\d{6})</a>", page)


@pytest.fixture
def three(world):
    """Besides the world's pathway (in `demande` since 2024, stalled): one in `evaluation` for 5 days
    (not stalled), one housed, one closed."""
    today = timezone.localdate()
    fresh = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Ferreira", "first_name": "Ana"}]),
        referent_structure=world.accueil,
        commune=world.geo.aix,
        opened_on=today - datetime.timedelta(days=5),
    )
    advance(fresh, "evaluation")
    housed = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Diallo", "first_name": "Awa"}]),
        referent_structure=world.accueil,
        commune=world.geo.marseille,
        opened_on=today - datetime.timedelta(days=40),
        housed=True,
    )
    closed = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Klein", "first_name": "Eva"}]),
        referent_structure=world.accueil,
        commune=world.geo.marseille,
        opened_on=today - datetime.timedelta(days=10),
    )
    advance(closed, "renonciation")
    return fresh, housed, closed


@pytest.mark.django_db
def test_stalled_first_then_stage_order_closed_behind_a_filter(client, world, three):
    fresh, housed, closed = three
    client.force_login(world.ana)
    page = client.get(LIST).content.decode()
    assert _references(page) == [world.household.reference, fresh.household.reference, housed.household.reference]
    assert "Parcours bloqués (1)" in page
    assert "Évaluation sociale (1)" in page
    assert "Logés : Entrée dans les lieux (1)" in page
    days = (timezone.localdate() - world.pathway.opened_on).days
    assert f'<span class="parcours-stalled">{days} jours</span> (seuil 90)' in page
    assert "5 jours" in page
    closed_page = client.get(LIST, {"etat": "clos"}).content.decode()
    assert _references(closed_page) == [closed.household.reference]
    assert len(_references(client.get(LIST, {"etat": "tous"}).content.decode())) == 4


@pytest.mark.django_db
def test_search_by_name_accents_ignored_or_by_reference(client, world, three):
    fresh, _housed, _closed = three
    client.force_login(world.ana)
    assert _references(client.get(LIST, {"q": "BÉNALI"}).content.decode()) == [world.household.reference]
    assert _references(client.get(LIST, {"q": "ferreira ana"}).content.decode()) == [fresh.household.reference]
    reference = fresh.household.reference
    assert _references(client.get(LIST, {"q": reference.lower()}).content.decode()) == [reference]
    page = client.get(LIST, {"q": "Inconnu"}).content.decode()
    assert _references(page) == [] and "0 parcours pour « Inconnu »." in page


@pytest.mark.django_db
def test_a_caseworker_sees_only_its_structures_and_a_coordinator_its_territory(client, world, three):
    nice = PathwayFactory(referent_structure=world.abri, commune=world.geo.nice)
    client.force_login(world.bob)
    assert _references(client.get(LIST).content.decode()) == [nice.household.reference]
    client.force_login(world.coord_06)
    page = client.get(LIST).content.decode()
    assert _references(page) == [nice.household.reference]
    assert '<h1 class="fr-mb-0">Parcours du territoire</h1>' in page


@pytest.mark.django_db
def test_a_confidential_household_shows_its_reference_only_outside_its_structure(client, world):
    world.household.confidential = True
    world.household.save()
    client.force_login(world.coord)
    page = client.get(LIST).content.decode()
    assert _references(page) == [world.household.reference]
    assert "BENALI" not in page and "Samir" not in page
    assert "Confidentiel" in page
    assert _references(client.get(LIST, {"q": "Benali"}).content.decode()) == []
    assert _references(client.get(LIST, {"q": world.household.reference}).content.decode()) == [
        world.household.reference
    ]
    client.force_login(world.ana)
    assert "BENALI Samir" in client.get(LIST).content.decode()


@pytest.mark.django_db
def test_the_list_is_paginated_by_the_database(client, world):
    for n in range(26):
        PathwayFactory(
            referent_structure=world.accueil, commune=world.geo.marseille, household__members=[{"last_name": f"Nom{n}"}]
        )
    client.force_login(world.ana)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert len(_references(first)) == 25 and len(_references(second)) == 2
    assert "1 / 2" in first and "27 parcours." in first
    # The page links keep the search and the state filter.
    filtered = client.get(LIST, {"q": "nom", "etat": "tous"}).content.decode()
    assert 'href="?q=nom&amp;etat=tous&amp;page=2">Page suivante' in filtered


@pytest.mark.django_db
def test_the_list_runs_a_fixed_number_of_queries(client, world, three, django_assert_max_num_queries):
    PathwayFactory(referent_structure=world.accueil, commune=world.geo.marseille)
    client.force_login(world.ana)
    client.get(LIST)  # warm the session
    # session, user, the user's structures (scope), count, the page of pathways (with household,
    # commune, structure, caseworker, stall threshold and inactivity), their members, the referent
    # structures of their households' pathways (confidential names), the read logged with the ids shown
    # (audit); then the session saved on every request (savepoint, update, release).
    with django_assert_max_num_queries(11):
        response = client.get(LIST)
    assert len(_references(response.content.decode())) == 4


@pytest.mark.django_db
def test_group_counts_are_of_the_whole_list_not_of_the_page(client, world, three):
    for n in range(26):
        PathwayFactory(
            referent_structure=world.accueil, commune=world.geo.marseille, household__members=[{"last_name": f"Nom{n}"}]
        )
    client.force_login(world.ana)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    # 27 stalled (the world's and 26 opened in 2020), then one in evaluation and one housed (30 with the
    # closed one, which "en cours" leaves out): the stalled group straddles the two pages.
    assert len(_references(first)) == 25 and len(_references(second)) == 4
    for page in (first, second):
        assert "Parcours bloqués (27)" in page
    assert "Évaluation sociale (1)" in second and "Logés : Entrée dans les lieux (1)" in second
    assert "29 parcours." in first


@pytest.mark.django_db
def test_each_page_sorts_only_its_stages_and_keeps_the_whole_list_order(client, world, three, monkeypatch):
    """Pages of 2 over groups of 1 to 4 pathways: every page cut by page_keys (its stages only) equals the
    same page of the whole list sorted at once."""
    from web.views import pathway_list

    today = timezone.localdate()
    for n, stage in enumerate(["evaluation", "evaluation", "evaluation", "demande", "demande"]):
        pathway = PathwayFactory(
            referent_structure=world.accueil, commune=world.geo.marseille, opened_on=today - datetime.timedelta(days=n)
        )
        if stage != "demande":
            advance(pathway, stage)
    monkeypatch.setattr(pathway_list, "PAGE_SIZE", 2)
    keys = pathway_list.pathway_keys(world.ana, today=today, state="en-cours", text="")
    whole = list(keys.values_list("household_id", flat=True))
    assert len(whole) == 8
    client.force_login(world.ana)
    shown = []
    for number in range(1, 5):
        shown += _references(client.get(LIST, {"page": number}).content.decode())
    assert shown == [f"M-{pk:06d}" for pk in whole]
