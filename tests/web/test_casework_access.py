"""Who reaches which casework page: signed out -> sign-in; out of scope -> 404; in scope but not allowed -> 403."""

import pytest
from django.urls import reverse

from pathways.models import Transition
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture


def _urls(w):
    return {
        "list": reverse("casework:pathway_list"),
        "new": reverse("casework:household_new"),
        "household": reverse("casework:household_detail", args=[w.household.pk]),
        "edit": reverse("casework:household_edit", args=[w.household.pk]),
        "suggestions": reverse("casework:commune_suggestions") + "?q=mar",
    }


@pytest.mark.django_db
def test_a_signed_out_visitor_is_sent_to_sign_in(client, world):
    for url in _urls(world).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/?next=")
    response = client.post(reverse("casework:record_contact", args=[world.pathway.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("ana", {"list": 200, "new": 200, "household": 200, "edit": 200}),
        ("coord", {"list": 200, "new": 200, "household": 200, "edit": 200}),
        ("bob", {"list": 200, "new": 200, "household": 404, "edit": 404}),
        ("coord_06", {"list": 200, "new": 200, "household": 404, "edit": 404}),
        ("admin", {"list": 403, "new": 403, "household": 404, "edit": 404}),
        ("observer", {"list": 403, "new": 403, "household": 404, "edit": 404}),
    ],
)
def test_every_page_with_every_role(client, world, who, expected):
    client.force_login(getattr(world, who))
    urls = _urls(world)
    got = {name: client.get(urls[name]).status_code for name in expected}
    assert got == expected


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bob", "coord_06", "admin", "observer"])
def test_actions_on_a_pathway_out_of_scope_are_404_and_write_nothing(client, world, who):
    client.force_login(getattr(world, who))
    prefix = f"etape{world.pathway.pk}"
    data = {f"{prefix}-version": 1, f"{prefix}-stage": "evaluation", f"{prefix}-date": "2024-02-01"}
    assert client.post(reverse("casework:record_stage", args=[world.pathway.pk]), data).status_code == 404
    assert client.post(reverse("casework:record_contact", args=[world.pathway.pk]), {}).status_code == 404
    assert Transition.objects.count() == 1


@pytest.mark.django_db
def test_a_caseworker_may_not_record_an_orientation(client, world):
    client.force_login(world.ana)
    prefix = f"etape{world.pathway.pk}"
    data = {
        f"{prefix}-version": 1,
        f"{prefix}-stage": "oriente",
        f"{prefix}-date": "2024-02-01",
        f"{prefix}-orientation": "logement_ordinaire",
    }
    response = client.post(reverse("casework:record_stage", args=[world.pathway.pk]), data)
    assert response.status_code == 403
    world.pathway.refresh_from_db()
    assert (world.pathway.stage, world.pathway.version) == ("demande", 1)


@pytest.mark.django_db
def test_actions_answer_only_posts(client, world):
    client.force_login(world.ana)
    assert client.get(reverse("casework:record_stage", args=[world.pathway.pk])).status_code == 405


@pytest.mark.django_db
def test_home_leads_each_role_to_its_area(client, world):
    client.force_login(world.ana)
    assert client.get("/")["Location"] == reverse("casework:pathway_list")
    client.force_login(world.coord)
    assert client.get("/")["Location"] == reverse("queues:overview")
    client.force_login(world.admin)
    page = client.get("/").content.decode()
    assert f'<a href="{reverse("admin:index")}">Données de référence</a>' in page
    assert f'<a href="{reverse("reports:run_list")}">Bilans</a>' in page
    client.force_login(world.observer)
    page = client.get("/").content.decode()
    assert f'<a href="{reverse("reports:run_list")}">Bilans publiés</a>' in page
    assert "Données de référence</a>" not in page


@pytest.mark.django_db
def test_navigation_shows_the_casework_entries(client, world):
    client.force_login(world.ana)
    page = client.get(reverse("casework:pathway_list")).content.decode()
    assert '<a class="fr-nav__link" href="/parcours/" aria-current="page">Mes parcours</a>' in page
    assert '<a class="fr-nav__link" href="/menages/nouveau/">Nouveau ménage</a>' in page
    assert "<title>Mes parcours — Parcours</title>" in page
