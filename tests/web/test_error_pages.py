"""Error pages speak French and keep the DSFR layout (Django's own pages are English and bare)."""

import pytest
from django.core.exceptions import BadRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_missing_page_says_so_in_french_with_the_menu(client):
    client.force_login(UserFactory(username="ana", caseworker=True))
    response = client.get("/menages/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page introuvable — Parcours</title>" in page
    assert "La page que vous cherchez n'existe pas, ou elle n'est pas accessible avec votre compte." in page
    assert '<a class="fr-nav__link" href="/parcours/">Mes parcours</a>' in page
    assert "Not Found" not in page and "No Household matches" not in page


def test_a_refusal_shows_the_reason_given_by_the_view(client):
    client.force_login(UserFactory(username="obs", observer=True))
    response = client.get(reverse("queues:overview"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "<title>Accès refusé — Parcours</title>" in page
    assert '<p class="fr-text--lead fr-mb-3w">Cette page est réservée à la coordination.</p>' in page
    assert "Forbidden" not in page


def test_a_refusal_without_a_reason_gets_a_general_one(client):
    client.force_login(UserFactory(username="obs", observer=True))
    response = client.get(reverse("casework:household_new"))
    assert response.status_code == 403
    assert (
        '<p class="fr-text--lead fr-mb-3w">Votre compte ne permet pas cette action ou cette page.</p>'
        in response.content.decode()
    )


def test_a_stale_form_is_explained_instead_of_the_csrf_jargon():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="ana", caseworker=True))
    response = client.post(reverse("casework:household_new"), {"composition": "personne_seule"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Ce formulaire a expiré</h1>" in page
    assert "CSRF" not in page


def test_a_server_error_page_needs_no_request_context():
    # Django renders 500.html without a request: no user, no menu, no token; the page must still render.
    response = defaults.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "<title>Erreur du service — Parcours</title>" in page
    assert "Le service n'a pas pu traiter votre demande. Rien n'a été enregistré par cette action." in page


def test_a_bad_request_page_is_french():
    response = defaults.bad_request(RequestFactory().get("/"), BadRequest("bad"))
    assert response.status_code == 400
    assert "<h1>Demande incorrecte</h1>" in response.content.decode()
