import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from pathways import services
from pathways.enums import SituationKind, Stage
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import StructureFactory
from tests.web.queues_scenario import days_ago, make_scenario
from web.queues import views

LIST = reverse("queues:list")


def references(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<tr data-reference="(P-\d+)"', response.content.decode())


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def test_the_default_queue_lists_open_pathways_in_scope_longest_wait_first(coordinator_client, scenario):
    closed = PathwayFactory(commune=scenario.durand.commune, opened_on=days_ago(5))
    services.pathway_transition(pathway=closed, to_stage=Stage.RENONCIATION, on=days_ago(1), by=None)
    response = coordinator_client.get(LIST)
    s = scenario
    assert references(response) == [s.durand.reference, s.diallo.reference, s.secret.reference]
    assert "<title>Files d&#x27;attente — Parcours</title>" in response.content.decode()
    closed_list = coordinator_client.get(LIST, {"etape": "renonciation"})
    assert references(closed_list) == [closed.reference]
    assert "<title>File d&#x27;attente — Clôture : renonciation — Parcours</title>" in closed_list.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"etape": "demande"}, ["durand"]),
        ({"etape": "attente_orientation"}, ["diallo"]),
        ({"commune": "13001"}, ["diallo"]),
        ({"commune": "aix-en-provence"}, ["diallo"]),
        ({"commune": "Marseille (13055)"}, ["durand", "secret"]),
        ({"commune": "06088"}, []),
        ({"commune": "13201"}, ["durand", "secret"]),  # an arrondissement stands for its commune
        ({"situation": "sans_abri"}, ["durand", "secret"]),
        ({"situation": "hebergement"}, ["diallo"]),
        ({"situation": "asile"}, []),
        ({"dalo": "oui"}, ["diallo"]),
        ({"dalo": "non"}, ["durand", "secret"]),
        ({"composition": "famille_monoparentale"}, ["diallo"]),
        ({"composition": "personne_seule"}, ["durand", "secret"]),
        ({"attente_min": "15"}, ["durand", "diallo"]),
        ({"attente_max": "15"}, ["secret"]),
        ({"attente_min": "20", "attente_max": "20"}, ["diallo"]),
        ({"bloques": "on"}, ["durand"]),
        ({"epci": "200054807"}, ["durand", "diallo", "secret"]),
    ],
)
def test_each_filter(coordinator_client, scenario, params, expected):
    response = coordinator_client.get(LIST, params)
    assert references(response) == [getattr(scenario, name).reference for name in expected]


def test_structure_and_caseworker_filters(coordinator_client, scenario):
    s = scenario
    assert references(coordinator_client.get(LIST, {"structure": s.alpha.pk})) == [
        s.durand.reference,
        s.secret.reference,
    ]
    assert references(coordinator_client.get(LIST, {"referent": s.lou.pk})) == [s.diallo.reference]
    # The choices only offer structures and caseworkers holding pathways in scope.
    page = coordinator_client.get(LIST, {"tri": "attente_desc"}).content.decode()
    assert f'<option value="{s.alpha.pk}">Association Alpha</option>' in page
    assert "Association Azur" not in page


def test_the_situation_filter_reads_the_latest_situation(coordinator_client, scenario):
    services.situation_record(pathway=scenario.durand, situation=SituationKind.CHU, since=days_ago(3), by=None)
    assert references(coordinator_client.get(LIST, {"situation": "sans_abri"})) == [scenario.secret.reference]
    assert references(coordinator_client.get(LIST, {"situation": "hebergement"})) == [
        scenario.durand.reference,
        scenario.diallo.reference,
    ]


def test_the_epci_filter_offers_only_the_territories_of_the_coordinator(client, geo):
    coordinator = UserFactory(role=Role.COORDINATOR, territories="departement:13 epci:240600585")
    in_marseille = PathwayFactory(commune=geo.marseille, opened_on=days_ago(3))
    in_antibes = PathwayFactory(commune=geo.antibes, opened_on=days_ago(2))
    PathwayFactory(commune=geo.nice, opened_on=days_ago(1))
    client.force_login(coordinator)
    page = client.get(LIST).content.decode()
    options = re.findall(r'<option value="(\d{9})"', page)
    assert options == ["240600585", "200054807"]  # Sophia Antipolis and AMP by name, not Nice Côte d'Azur
    assert references(client.get(LIST, {"epci": "240600585"})) == [in_antibes.reference]
    assert references(client.get(LIST, {"epci": "200054807"})) == [in_marseille.reference]
    refused = client.get(LIST, {"epci": "200030195"})
    assert references(refused) == []
    assert "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles." in refused.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"commune": "Atlantide"},
            "Aucune commune ne s&#x27;appelle « Atlantide » : saisissez son nom exact ou son code INSEE.",
        ),
        ({"commune": "99999"}, "Aucune commune n&#x27;a le code INSEE « 99999 »."),
        ({"attente_min": "trois"}, "Saisissez un nombre entier."),
        (
            {"attente_min": "30", "attente_max": "10"},
            "L&#x27;attente maximale doit être supérieure ou égale à l&#x27;attente minimale.",
        ),
    ],
)
def test_bad_filters_are_explained_in_french_and_list_nothing(coordinator_client, params, message):
    response = coordinator_client.get(LIST, params)
    content = response.content.decode()
    assert references(response) == []
    assert "Le formulaire contient une erreur" in content
    assert "<title>Erreur : Files d&#x27;attente — Parcours</title>" in content
    assert message in content
    assert 'aria-invalid="true"' in content


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("attente_desc", ["durand", "diallo", "secret"]),
        ("attente_asc", ["secret", "diallo", "durand"]),
        ("priorite_desc", ["diallo", "durand", "secret"]),
        ("priorite_asc", ["secret", "durand", "diallo"]),
    ],
)
def test_sorts(coordinator_client, scenario, sort, expected):
    response = coordinator_client.get(LIST, {"tri": sort})
    assert references(response) == [getattr(scenario, name).reference for name in expected]


def test_the_sort_headers_toggle_the_direction_and_keep_the_filters(coordinator_client):
    page = coordinator_client.get(LIST, {"dalo": "non", "tri": "attente_desc", "page": "1"}).content.decode()
    assert '<th scope="col" aria-sort="descending"><a href="?dalo=non&amp;tri=attente_asc">' in page
    assert '<th scope="col" aria-sort="none"><a href="?dalo=non&amp;tri=priorite_desc">' in page


def test_pagination_by_the_database(coordinator_client, scenario, monkeypatch):
    assert views.PAGE_SIZE == 50
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    with CaptureQueriesContext(connection) as queries:
        first = coordinator_client.get(LIST, {"tri": "attente_asc"})
    # The page is cut by the database (LIMIT), not in Python: a queue of 100,000 stays cheap.
    assert any(re.search(r"LIMIT 2\b", q["sql"]) for q in queries.captured_queries)
    second = coordinator_client.get(LIST, {"tri": "attente_asc", "page": "2"})
    assert references(first) == [scenario.secret.reference, scenario.diallo.reference]
    assert references(second) == [scenario.durand.reference]
    assert "page 2 sur 2" in second.content.decode()
    assert 'href="?tri=attente_asc&amp;page=2">Page suivante' in first.content.decode()


def test_sixty_pathways_make_two_pages_of_fifty_and_ten(coordinator_client, scenario):
    for _ in range(57):
        PathwayFactory(commune=scenario.durand.commune, referent_structure=scenario.alpha, opened_on=days_ago(1))
    assert len(references(coordinator_client.get(LIST))) == 50
    last = coordinator_client.get(LIST, {"page": "2"})
    assert len(references(last)) == 10
    assert "60 parcours" in last.content.decode()


def test_filters_are_kept_in_the_session_until_reset(coordinator_client, scenario):
    coordinator_client.get(LIST, {"dalo": "non", "tri": "priorite_desc", "page": "1"})
    back = coordinator_client.get(LIST)
    assert back.status_code == 302
    assert back["Location"] == f"{LIST}?dalo=non&tri=priorite_desc"
    assert references(coordinator_client.get(back["Location"])) == [
        scenario.durand.reference,
        scenario.secret.reference,
    ]
    page = coordinator_client.get(back["Location"]).content.decode()
    # The filters brought back are shown, each removable (the sort stays), and can all be cleared.
    tags = re.findall(
        r'<a class="fr-tag[^"]*" href="([^"]*)"><span class="fr-sr-only">Retirer le filtre </span>([^<]*)</a>', page
    )
    assert tags == [("?tri=priorite_desc", "DALO : Non")]
    assert f'href="{LIST}?reinitialiser=1">Effacer les filtres</a>' in page
    reset = coordinator_client.get(LIST, {"reinitialiser": "1"})
    assert reset.status_code == 302 and reset["Location"] == LIST
    assert len(references(coordinator_client.get(LIST))) == 3


def test_the_stored_filters_belong_to_each_person(client, scenario):
    client.force_login(scenario.coordinator)
    client.get(LIST, {"etape": "demande"})
    other = UserFactory(username="autre", coordinator=True)
    client.force_login(other)  # a new session
    assert len(references(client.get(LIST))) == 3


def test_names_are_shown_except_for_confidential_households(coordinator_client, scenario):
    page = coordinator_client.get(LIST).content.decode()
    assert "DURAND Alex" in page
    assert "DIALLO Awa" in page
    assert "Secret" not in page
    assert scenario.secret.household.reference in page
    assert "Nom masqué (confidentiel)" in page


def test_the_checkboxes_carry_the_version_of_each_pathway(coordinator_client, scenario):
    page = coordinator_client.get(LIST).content.decode()
    d = scenario.diallo
    value = f"{d.pk}:{d.version}:attente_orientation:{d.referent_structure_id}:{d.caseworker_id}"
    assert f'name="parcours" value="{value}" id="lot_parcours_{d.pk}"' in page
    assert d.version == 3  # opened, then two transitions


def test_the_list_has_a_fixed_number_of_queries(coordinator_client, scenario, django_assert_max_num_queries):
    for _ in range(5):
        PathwayFactory(commune=scenario.durand.commune, referent_structure=StructureFactory(), opened_on=days_ago(7))
    coordinator_client.get(LIST, {"tri": "attente_desc"})  # stores the filters, saves the session
    # session, user, the scope's département, the count, the page's rows (names, situations, thresholds
    # and whether the names may be read as subqueries), the structure, caseworker and EPCI choices of the
    # filters, the read logged with the ids of the page (audit); the session is not saved again within a
    # minute (accounts.middleware.SlidingSessionMiddleware) nor the filters stored again when unchanged;
    # the stall-threshold overrides are read once a minute (territories/stall.py).
    with django_assert_max_num_queries(9):
        response = coordinator_client.get(LIST, {"tri": "attente_desc"})
    assert len(references(response)) == 8


def test_overview_counts_each_stage_in_one_query(coordinator_client, scenario, django_assert_max_num_queries):
    advance(PathwayFactory(commune=scenario.durand.commune, opened_on=days_ago(2)), Stage.EVALUATION)
    coordinator_client.get(reverse("queues:overview"))  # the session saved once
    # session, user, the scope's département, one query grouped by stage (its count and its stalled ones)
    with django_assert_max_num_queries(4):
        response = coordinator_client.get(reverse("queues:overview"))
    page = response.content.decode()
    counts = dict(re.findall(r'data-stage="(\w+)">(\d+)<', page))
    assert counts["demande"] == "1"
    assert counts["attente_orientation"] == "1"
    assert counts["reperage"] == "1"
    assert counts["evaluation"] == "1"
    assert counts["oriente"] == "0"
    assert "1 parcours bloqué" in page
    assert "4 parcours en cours" in page
    assert f'href="{LIST}?etape=demande"' in page


def test_the_stalled_list_shows_the_most_overdue_first(
    coordinator_client, scenario, geo, django_assert_max_num_queries
):
    late_evaluation = PathwayFactory(commune=geo.aix, opened_on=days_ago(55))
    advance(late_evaluation, Stage.EVALUATION, on=days_ago(50))
    dalo_oriented = PathwayFactory(commune=geo.aix, opened_on=days_ago(95), dalo=True)
    advance(dalo_oriented, Stage.ORIENTE, on=days_ago(95), orientation="logement_ordinaire")
    PathwayFactory(commune=geo.nice, opened_on=days_ago(200))  # stalled, outside the territory
    hidden = PathwayFactory(
        household=HouseholdFactory(confidential=True, members=[{"last_name": "Cachée"}]),
        commune=geo.aix,
        opened_on=days_ago(92),
    )
    coordinator_client.get(reverse("queues:stalled"))  # the session saved once
    # session, user, the scope's département, the count, the page's rows (whether the names may be read
    # among their subqueries), the read logged with the ids of the page (audit)
    with django_assert_max_num_queries(6):
        response = coordinator_client.get(reverse("queues:stalled"))
    assert references(response) == [
        late_evaluation.reference,  # 50 days, threshold 30: 20 days overdue
        scenario.durand.reference,  # 100 days, threshold 90: 10 overdue
        dalo_oriented.reference,  # 95 days, DALO threshold 90: 5 overdue
        hidden.reference,  # 92 days, threshold 90: 2 overdue
    ]
    rows = re.findall(
        r'<td data-label="[^"]*" class="fr-cell--right">(?:<span class="parcours-stalled">)?(\d+)',
        response.content.decode(),
    )
    assert rows == ["50", "30", "20", "100", "90", "10", "95", "90", "5", "92", "90", "2"]
    assert "<caption>Parcours bloqués : 4</caption>" in response.content.decode()
    assert "Cachée" not in response.content.decode()
