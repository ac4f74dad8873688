"""Household page: the current situation follows the pathway into housing, and the timeline (newest first)
is filtered by kind with a GET parameter."""

import datetime
import re

import pytest
from django.urls import reverse

from facts.models import Event, EventKind
from pathways import services
from tests.pathways.factories import advance
from tests.web.test_casework_fixtures import OPENED
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture

D = datetime.date


def _url(world, **params):
    url = reverse("casework:household_detail", args=[world.household.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _situation(page: str) -> str:
    match = re.search(r'data-testid="current-situation">Situation actuelle : <strong>(.*?)</strong>(.*?)</p>', page)
    return (match.group(1) + match.group(2)).replace("&#x27;", "'")


@pytest.mark.django_db
def test_the_current_situation_is_the_latest_one_before_housing(client, world):
    client.force_login(world.ana)
    assert _situation(client.get(_url(world)).content.decode()) == "Inconnue"
    services.situation_record(pathway=world.pathway, situation="hotel_115", since=D(2024, 2, 1), by=world.ana)
    assert (
        _situation(client.get(_url(world)).content.decode()) == "Hôtel financé par le 115 / SIAO depuis le 01/02/2024"
    )


@pytest.mark.django_db
def test_after_entry_into_housing_the_current_situation_is_the_dwelling(client, world):
    p = world.pathway
    services.situation_record(pathway=p, situation="hotel_115", since=D(2024, 2, 1), by=world.ana)
    advance(p, "evaluation", "attente_orientation", "oriente", "proposition", "caleol", "attribue", on=D(2024, 3, 1))
    advance(p, "bail_signe", on=D(2024, 4, 1), housing_kind="pension_famille", housing_commune=world.geo.aix)
    client.force_login(world.ana)
    # A signed lease is not yet a move-in.
    assert _situation(client.get(_url(world)).content.decode()).startswith("Hôtel financé par le 115")
    advance(p, "entree", on=D(2024, 4, 10))
    page = client.get(_url(world)).content.decode()
    assert _situation(page) == "Logé : Pension de famille à Aix-en-Provence depuis le 10/04/2024"
    advance(p, "maintien", on=D(2024, 10, 10))
    assert _situation(client.get(_url(world)).content.decode()) == (
        "Logé : Pension de famille à Aix-en-Provence depuis le 10/04/2024"
    )
    # Derived, not recorded: the indicators still read the hotel as the situation on the day of entry.
    entry = Event.objects.get(pathway_id=p.pk, kind=EventKind.MOVE_IN)
    assert entry.situation == "hotel_115" and p.situations.count() == 1
    # A situation recorded after the entry (a threat of eviction) is newer news.
    services.situation_record(pathway=p, situation="menace_expulsion", since=D(2025, 1, 5), by=world.ana)
    assert _situation(client.get(_url(world)).content.decode()) == "Locataire menacé d'expulsion depuis le 05/01/2025"


@pytest.mark.django_db
def test_a_lost_dwelling_is_not_shown_as_home(client, world):
    p = world.pathway
    services.situation_record(pathway=p, situation="chu", since=OPENED, by=world.ana)
    advance(
        p,
        "evaluation",
        "attente_orientation",
        "oriente",
        "proposition",
        "caleol",
        "attribue",
        "bail_signe",
        "entree",
        on=D(2024, 3, 1),
    )
    advance(p, "rupture", on=D(2024, 9, 1))
    client.force_login(world.ana)
    assert _situation(client.get(_url(world)).content.decode()) == "Inconnue : logement perdu depuis le 01/09/2024"


def _titles(page: str) -> list[str]:
    block = page.split('data-testid="timeline"')[1]
    return re.findall(r"<strong>(.*?)</strong>", block)


@pytest.fixture
def busy(world):
    p = world.pathway
    services.situation_record(pathway=p, situation="rue", since=D(2024, 1, 20), by=world.ana)
    services.contact_record(pathway=p, on=D(2024, 1, 25), kind="entretien", by=world.ana)
    services.situation_record(pathway=p, situation="chu", since=D(2024, 2, 1), by=world.ana)
    services.pathway_transition(pathway=p, to_stage="evaluation", on=D(2024, 2, 10), by=world.ana)
    services.measure_open(pathway=p, kind="asll", started_on=D(2024, 2, 15), by=world.ana)
    return world


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "titles"),
    [
        ("situations", ["Situation : Centre d'hébergement d'urgence", "Situation : Rue, espace public"]),
        ("etapes", ["Évaluation sociale", "Demande enregistrée"]),
        ("contacts", ["Contact : Entretien"]),
        ("mesures", ["Mesure ouverte : ASLL (FSL)"]),
        ("transferts", ["Confié à Accueil Marseille"]),
    ],
)
def test_the_timeline_is_filtered_by_kind_without_javascript(client, busy, kind, titles):
    client.force_login(busy.ana)
    page = client.get(_url(busy, chronologie=kind)).content.decode().replace("&#x27;", "'")
    assert _titles(page) == titles
    assert f'<option value="{kind}" selected>' in page
    assert f"{len(titles)} événement" in page


@pytest.mark.django_db
def test_an_unknown_filter_shows_everything_newest_first(client, busy):
    client.force_login(busy.ana)
    page = client.get(_url(busy, chronologie="nimportequoi")).content.decode().replace("&#x27;", "'")
    assert _titles(page) == [
        "Mesure ouverte : ASLL (FSL)",
        "Évaluation sociale",
        "Situation : Centre d'hébergement d'urgence",
        "Contact : Entretien",
        "Situation : Rue, espace public",
        "Confié à Accueil Marseille",
        "Demande enregistrée",
    ]
    assert '<option value="" selected>Tous les événements</option>' in page


@pytest.mark.django_db
def test_the_htmx_filter_answers_the_live_region_with_the_filtered_list(client, busy):
    client.force_login(busy.ana)
    response = client.get(_url(busy, chronologie="contacts"), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="household-live">') and "<html" not in page
    assert 'id="chronologie-liste"' in page and _titles(page) == ["Contact : Entretien"]


@pytest.mark.django_db
def test_a_filtered_timeline_reads_fewer_rows(client, busy, django_assert_max_num_queries):
    client.force_login(busy.ana)
    client.get(_url(busy))
    # As the full page (test_casework_household_page) less contacts, measures and assignments; the
    # transitions and situations are read anyway for the current situation.
    with django_assert_max_num_queries(15):
        client.get(_url(busy, chronologie="situations"))
