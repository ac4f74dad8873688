import re

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav_entries(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="fr-nav__link" href="([^"]+)"[^>]*>([^<]+)</a>', page)


def test_a_superuser_gets_the_operator_entries_and_no_casework_nor_queue_page(client):
    """A superuser is an operator: reference data, accounts, bilans and exchange, no household."""
    client.force_login(UserFactory(username="root", role="", is_superuser=True, is_staff=True))
    page = client.get(reverse("home")).content.decode()
    assert nav_entries(page) == [
        ("/", "Accueil"),
        ("/bilans/", "Bilans"),
        # Monthly flows of France in aggregates (docs/indicateurs.md, « Pilotage mensuel »).
        ("/pilotage/", "Pilotage"),
        ("/echange/", "Import / export"),
        # The data quality of France in aggregates (docs/qualite.md), no list of files.
        ("/qualite/", "Qualité"),
        ("/admin/", "Données de référence"),
        # An operator issues and revokes API tokens like accounts (docs/api.md); tokens read no name.
        ("/compte/jetons-api/", "Jetons d'API"),
    ]
    assert "sans accès aux dossiers des ménages" in page
    assert "/coordination/" not in page and "/parcours/" not in page


def test_a_role_is_named_on_the_home_page_and_the_menu_is_the_role_s(client):
    client.force_login(UserFactory(username="obs", observer=True))
    page = client.get(reverse("home")).content.decode()
    assert nav_entries(page) == [("/", "Accueil"), ("/bilans/", "Bilans publiés")]
    assert "Vous êtes connecté·e avec le rôle « Observateur ou observatrice »." in page


def test_an_account_without_a_role_is_told_to_ask_for_one(client):
    client.force_login(UserFactory(username="nobody", role=""))
    page = client.get(reverse("home")).content.decode()
    assert nav_entries(page) == [("/", "Accueil")]
    assert "Votre compte n'a pas encore de rôle : demandez-en un à votre administrateur." in page
