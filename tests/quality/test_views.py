"""The pages under /qualite/: who sees which files' counts, the lists behind them, and French messages (never
a 500) for a bad query string. On the scenario of conftest.py."""

import re

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("quality:overview")


def files_url(code: str) -> str:
    return reverse("quality:files", args=[code])


def listed(response) -> set[str]:
    return set(re.findall(r'<tr data-reference="(P-\d+)"', response.content.decode()))


def scores(response) -> dict[str, tuple[int, int]]:
    return {s["figure"].name: (s["figure"].files, s["figure"].clean) for s in response.context["structures"]}


@pytest.fixture
def coordinator(month):
    return UserFactory(username="coord", coordinator=True)


def test_a_caseworker_sees_the_files_of_its_structures(client, month):
    client.force_login(month.sam)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert scores(response) == {"Association Alpha": (5, 3)}
    assert response.context["shown"].score == 60.0
    assert response.context["subject"] == "vos structures"
    assert '<strong data-testid="score">60,0\xa0%</strong>' in response.content.decode()
    response = client.get(files_url("situation_inconnue"))
    assert response.status_code == 200
    assert listed(response) == {month.no_situation.reference}


def test_a_coordinator_sees_its_territory(client, month, coordinator, snapshots):
    client.force_login(coordinator)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert scores(response) == {"Association Alpha": (5, 3), "Bailleur Beta": (2, 0)}
    assert (response.context["shown"].files, response.context["shown"].clean) == (7, 3)
    assert response.context["subject"] == "Bouches-du-Rhône"
    # The trend table: the last month end, 7 files then (closed_after_end was active, opened_after_end not yet).
    last = response.context["points"][-1]["point"]
    assert (last.day, last.files, last.clean) == (month.end, 7, 2)
    # Each check with files links to its list, the others do not.
    links = {row["figure"].check.code: row["url"] for row in response.context["checks"]}
    assert links["situation_inconnue"] == files_url("situation_inconnue")
    assert links["doublon_probable"] == ""


def test_the_list_behind_a_check(client, month, coordinator):
    client.force_login(coordinator)
    response = client.get(files_url("situation_inconnue"))
    assert response.status_code == 200
    assert listed(response) == {month.no_situation.reference, month.two_problems.reference}
    assert "Dossiers concernés : 2" in response.content.decode()
    assert listed(client.get(files_url("saisie_tardive"))) == {month.late_after_end.reference}
    assert listed(client.get(files_url("date_avant_ouverture"))) == {month.contact_before.reference}
    assert listed(client.get(files_url("dossier_inactif"))) == set()
    assert "Aucun dossier concerné." in client.get(files_url("dossier_inactif")).content.decode()
    # Narrowed to one structure.
    response = client.get(files_url("situation_inconnue"), {"structure": month.beta.pk})
    assert listed(response) == {month.two_problems.reference}
    assert response.context["title"] == "Situation résidentielle inconnue — Bailleur Beta"


def test_one_structure_of_the_overview(client, month, coordinator, snapshots):
    client.force_login(coordinator)
    response = client.get(OVERVIEW, {"structure": month.beta.pk})
    assert response.status_code == 200
    assert response.context["chosen"].structure_id == month.beta.pk
    assert (response.context["shown"].files, response.context["shown"].score) == (2, 0.0)
    assert response.context["checks"][0]["url"] == f"{files_url('situation_inconnue')}?structure={month.beta.pk}"
    assert [p["point"].files for p in response.context["points"]][-1] == 2


def test_a_coordinator_of_two_territories_picks_one(client, month):
    user = UserFactory(username="coord2", coordinator=True, territories="departement:13 departement:06")
    client.force_login(user)
    response = client.get(OVERVIEW)
    assert scores(response) == {"Association Alpha": (5, 3), "Bailleur Beta": (2, 0)}
    assert '<select class="fr-select" id="territoire" name="territoire">' in response.content.decode()
    response = client.get(OVERVIEW, {"territoire": "departement:06"})
    assert scores(response) == {"Association Azur": (1, 1)}
    assert response.context["checks"][0]["url"] == ""  # no file without a situation in Nice
    response = client.get(files_url("situation_inconnue"), {"territoire": "departement:06"})
    assert listed(response) == set()


def test_an_administrator_sees_the_counts_not_the_lists(client, month):
    admin = UserFactory(username="admin93", administrator=True)
    client.force_login(admin)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert scores(response) == {"Association Alpha": (5, 3), "Association Azur": (1, 1), "Bailleur Beta": (2, 0)}
    assert {row["url"] for row in response.context["checks"]} == {""}
    assert client.get(files_url("situation_inconnue")).status_code == 403


def test_an_observer_sees_nothing(client, month):
    client.force_login(UserFactory(username="obs", observer=True))
    assert client.get(OVERVIEW).status_code == 403
    assert client.get(files_url("situation_inconnue")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, month):
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert client.get(files_url("situation_inconnue")).status_code == 302


def test_an_unknown_check_is_a_404(client, month, coordinator):
    client.force_login(coordinator)
    assert client.get(files_url("commune_manquante")).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"structure": "abc"}, "Structure « abc » invalide : toutes les structures sont affichées."),
        ({"structure": "9" * 25}, "invalide : toutes les structures sont affichées."),
        ({"structure": "١٢"}, "Structure « ١٢ » invalide"),
        ({"structure": "999999"}, "Cette structure n&#x27;a aucun dossier actif ici : toutes les structures"),
        ({"territoire": "zzz"}, "Territoire « zzz » hors de votre périmètre : Bouches-du-Rhône est affiché."),
        ({"territoire": "region:93"}, "Territoire « region:93 » hors de votre périmètre"),
    ],
)
def test_a_bad_query_string_gets_a_french_message(client, month, coordinator, query, message):
    client.force_login(coordinator)
    response = client.get(OVERVIEW, query)
    assert response.status_code == 200
    assert message in response.content.decode()
    # Everything of the territory is shown instead.
    assert scores(response) == {"Association Alpha": (5, 3), "Bailleur Beta": (2, 0)}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"structure": "abc"}, "Structure « abc » invalide"),
        ({"structure": "999999"}, "Structure inconnue : toutes les structures sont affichées."),
        ({"territoire": "zzz"}, "Territoire « zzz » hors de votre périmètre"),
        ({"page": "abc"}, ""),
    ],
)
def test_a_bad_query_string_on_a_list(client, month, coordinator, query, message):
    client.force_login(coordinator)
    response = client.get(files_url("situation_inconnue"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert listed(response) == {month.no_situation.reference, month.two_problems.reference}


def test_a_caseworker_gets_nothing_of_another_structure(client, month):
    client.force_login(month.sam)
    response = client.get(files_url("situation_inconnue"), {"structure": month.beta.pk})
    assert response.status_code == 200
    assert listed(response) == set()
    response = client.get(OVERVIEW, {"structure": month.beta.pk})
    assert scores(response) == {"Association Alpha": (5, 3)}
    assert "aucun dossier actif ici" in response.content.decode()


def test_the_list_query_count(client, month, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)
    # The session and the user, the coordinator's département (its name), the stall thresholds (the
    # queues' row fields may read them apart), the count and the page of rows (household, structure and
    # commune joined), the audit row of the names shown, then the session saved (a savepoint, the update,
    # its release): none per row.
    with django_assert_max_num_queries(10):
        response = client.get(files_url("situation_inconnue"))
    assert len(listed(response)) == 2


@pytest.mark.parametrize("role", ["", "caseworker", "coordinator"])
def test_a_superuser_sees_the_counts_of_france_whatever_its_role(client, month, role):
    root = UserFactory(username="root", role=role, is_superuser=True, is_staff=True, structures=[month.alpha])
    client.force_login(root)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert response.context["subject"] == "France"
    assert scores(response) == {"Association Alpha": (5, 3), "Association Azur": (1, 1), "Bailleur Beta": (2, 0)}
    assert {row["url"] for row in response.context["checks"]} == {""}
    assert client.get(files_url("situation_inconnue")).status_code == 403


def test_a_confidential_household_is_named_only_inside_its_structure(client, geo, month, coordinator):
    from tests.quality.files import days_ago, open_file

    secret = open_file(
        month.alpha,
        geo.marseille,
        opened_on=days_ago(5),
        situation="",
        confidential=True,
        members=[{"last_name": "Secretnom", "first_name": "Nina", "birth_date": month.end}],
    )
    client.force_login(coordinator)
    response = client.get(files_url("situation_inconnue"))
    assert secret.reference in listed(response)
    assert "Secretnom" not in response.content.decode().lower().title()
    assert "Nom masqué (confidentiel)" in response.content.decode()
    client.force_login(month.sam)
    response = client.get(files_url("situation_inconnue"))
    assert secret.reference in listed(response)
    assert "Secretnom" in response.content.decode().lower().title()
    assert "Nom masqué (confidentiel)" not in response.content.decode()


def test_a_file_shared_with_a_caseworker_is_not_its_structures(client, month):
    from pathways import services

    services.pathway_share(pathway=month.two_problems, structure=month.alpha, by=None)
    client.force_login(month.sam)
    assert listed(client.get(files_url("situation_inconnue"))) == {month.no_situation.reference}
    assert scores(client.get(OVERVIEW)) == {"Association Alpha": (5, 3)}


def test_the_list_is_in_the_access_log(client, month, coordinator):
    from audit.models import AuditEvent

    client.force_login(coordinator)
    client.get(files_url("situation_inconnue"))
    event = AuditEvent.objects.filter(user=coordinator).latest("at")
    assert sorted(event.object_ids) == sorted([month.no_situation.pk, month.two_problems.pk])
    assert event.detail == "qualité des données : situation_inconnue"


def test_the_overview_query_count(client, month, coordinator, snapshots, stored_today, django_assert_max_num_queries):
    client.force_login(coordinator)
    # The session and the user, the coordinator's département, the counts per structure (one query of the
    # stored cells of today and yesterday, summed per structure), the structures' names, the trend (one
    # query of the snapshots of the 12 month ends), the session saved (a savepoint, the update, its
    # release): none per structure nor per month.
    with django_assert_max_num_queries(9):
        response = client.get(OVERVIEW)
    assert response.context["computed_at"] is not None
    assert len(response.context["structures"]) == 2


def test_the_overview_query_count_without_stored_figures(
    client, month, coordinator, snapshots, django_assert_max_num_queries
):
    client.force_login(coordinator)
    # As with the figures stored, but the stored cells read find no day: the counts per structure are
    # computed live (one grouped query) before the structures' names, one query more.
    with django_assert_max_num_queries(10):
        response = client.get(OVERVIEW)
    assert response.context["computed_at"] is None
    assert len(response.context["structures"]) == 2
