import pytest
from django.urls import reverse

from accounts.enums import Role
from pathways.models import Assignment, Household, Pathway
from tests.accounts.factories import UserFactory
from tests.web.queues_scenario import make_scenario
from web.context_processors import NAV_BY_ROLE


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


def pages(pathway):
    return [
        reverse("queues:overview"),
        reverse("queues:list"),
        reverse("queues:stalled"),
        reverse("queues:export_xlsx"),
        reverse("queues:export_csv"),
        reverse("queues:orient", args=[pathway.pk]),
        reverse("queues:assign", args=[pathway.pk]),
    ]


def test_signed_out_visitors_are_sent_to_sign_in(client, scenario):
    for url in pages(scenario.durand):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"
    assert client.post(reverse("queues:bulk_assign"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ADMINISTRATOR, Role.OBSERVER])
def test_other_roles_are_refused(client, scenario, role):
    territories = "" if role == Role.CASEWORKER else "region:93"
    user = UserFactory(role=role, territories=territories, structures=[scenario.alpha])
    client.force_login(user)
    for url in pages(scenario.durand):
        assert client.get(url).status_code == 403, url


def test_a_caseworker_cannot_orient_nor_transfer(client, scenario):
    client.force_login(scenario.sam)  # the referent of Durand's pathway
    durand = scenario.durand
    orient = client.post(
        reverse("queues:orient", args=[durand.pk]),
        {"orientation": "logement_ordinaire", "date": durand.stage_on.isoformat(), "version": durand.version},
    )
    transfer = client.post(
        reverse("queues:assign", args=[durand.pk]), {"structure": scenario.beta.pk, "version": durand.version}
    )
    selection = client.post(
        reverse("queues:bulk_assign"), {"parcours": [f"{durand.pk}:{durand.version}"], "structure": scenario.beta.pk}
    )
    assert (orient.status_code, transfer.status_code, selection.status_code) == (403, 403, 403)
    durand.refresh_from_db()
    assert (durand.stage, durand.referent_structure, durand.transitions.count()) == ("demande", scenario.alpha, 1)
    assert Assignment.objects.filter(pathway=durand).count() == 1


def test_pathways_outside_the_territory_do_not_exist(client, scenario):
    client.force_login(scenario.coordinator)
    nice = scenario.nice
    assert client.get(reverse("queues:orient", args=[nice.pk])).status_code == 404
    assert client.get(reverse("queues:assign", args=[nice.pk])).status_code == 404
    posted = client.post(
        reverse("queues:assign", args=[nice.pk]), {"structure": scenario.alpha.pk, "version": nice.version}
    )
    assert posted.status_code == 404
    assert Pathway.objects.get(pk=nice.pk).referent_structure.name == "Association Azur"
    assert client.get(reverse("queues:orient", args=[999999])).status_code == 404
    listed = client.get(reverse("queues:list"), {"tri": "attente_desc"}).content.decode()
    assert "NIÇOIS" not in listed and "Niçois" not in listed and nice.reference not in listed


def test_superusers_read_no_case_file(client, scenario):
    """Operators: the queues and casework pages are refused, and no pathway exists for them."""
    root = UserFactory(username="root", role="", is_superuser=True, is_staff=True)
    assert not Pathway.objects.visible_to(root).exists()
    assert not Household.objects.visible_to(root).exists()
    client.force_login(root)
    for url in (
        reverse("queues:overview"),
        reverse("queues:list"),
        reverse("queues:stalled"),
        reverse("queues:assign", args=[scenario.durand.pk]),
        reverse("casework:pathway_list"),
        reverse("casework:household_new"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "DURAND" not in response.content.decode() and "Nina" not in response.content.decode()
    detail = client.get(reverse("casework:household_detail", args=[scenario.durand.household_id]))
    assert detail.status_code in (403, 404)
    assert client.get(reverse("reports:run_list")).status_code == 200


def test_the_coordinator_navigation(client, scenario):
    queue_entries = [entry for entry in NAV_BY_ROLE[Role.COORDINATOR] if entry[0].startswith("queues:")]
    assert queue_entries == [
        ("queues:overview", "Vue d'ensemble"),
        ("queues:list", "Files d'attente"),
        ("queues:stalled", "Parcours bloqués"),
    ]
    client.force_login(scenario.coordinator)
    page = client.get(reverse("queues:overview")).content.decode()
    assert (
        f'<a class="fr-nav__link" href="{reverse("queues:overview")}" aria-current="page">Vue d&#x27;ensemble</a>'
        in page
    )
    assert "<title>Vue d&#x27;ensemble de la coordination — Parcours</title>" in page
