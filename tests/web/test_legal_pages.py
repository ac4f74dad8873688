"""The accessibility statement, the legal notice and the personal-data page (RGAA): linked from every
page's footer and read without signing in."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "legal:accessibility": [
        "Déclaration d'accessibilité",
        "partiellement conforme",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Voies de recours",
        "Défenseur des droits",
    ],
    "legal:legal_notice": ["Mentions légales", "Éditeur", "Hébergement", "licence MIT"],
    "legal:personal_data": [
        "Données personnelles",
        "Base légale",
        "<strong>12 mois</strong>",
        "<strong>2 ans</strong>",
        "Vos droits",
        "CNIL",
    ],
}


@pytest.mark.parametrize("name", PAGES)
def test_a_legal_page_is_read_without_signing_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    page = response.content.decode()
    for text in PAGES[name]:
        assert text in page, text
    assert f"<title>{escape(PAGES[name][0])} — Parcours</title>" in page


def test_the_footer_links_the_three_pages_on_the_sign_in_page_and_when_signed_in(client):
    expected = {reverse(name) for name in PAGES}
    for _ in ("anonymous", "signed in"):
        page = client.get(reverse("login") if _ == "anonymous" else reverse("home"), follow=True).content.decode()
        footer = page[page.index('<footer class="fr-footer"') :]
        assert expected <= set(re.findall(r'class="fr-footer__bottom-link" href="([^"]+)"', footer))
        assert ">Accessibilité : partiellement conforme</a>" in footer
        client.force_login(UserFactory(username="obs", observer=True))


def test_a_legal_page_refuses_a_post(client):
    assert client.post(reverse("legal:accessibility")).status_code == 405
