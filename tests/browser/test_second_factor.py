import time

import pytest

from accounts import totp
from accounts.models import TotpDevice
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in


@pytest.mark.django_db(transaction=True)
def test_an_administrator_enrols_an_app_then_signs_in_with_a_code(page, settings):
    # The live server runs in this process: it sees the setting that the test settings turn off.
    settings.SECOND_FACTOR_REQUIRED = True
    UserFactory(username="luc", first_name="Luc", last_name="Fabre", administrator=True, is_staff=True)

    sign_in(page, "luc")
    assert "/connexion/second-facteur/activer/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Activer le second facteur"
    assert page.locator("svg.segno").is_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert TotpDevice.objects.get().secret == secret
    # The menu would only lead back here.
    assert page.locator("#navigation").count() == 0

    page.get_by_label("Code à 6 chiffres").fill(totp.totp(secret, time.time() - 3600))
    page.get_by_role("button", name="Activer").click()
    assert "Encore 4 essais avant le verrouillage du compte." in page.get_by_role("alert").inner_text()

    page.get_by_label("Code à 6 chiffres").fill(totp.totp(secret, time.time()))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_url(page.base_url + "/")
    assert page.get_by_test_id("signed-in-user").inner_text() == "Luc Fabre · Administration (DREETS, DDETS)"
    assert page.get_by_role("link", name="Bilans").first.is_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/")
    page.goto(page.base_url + "/bilans/")
    sign_in_url = page.url
    assert sign_in_url.endswith("/connexion/?next=/bilans/")
    page.get_by_label("Identifiant").fill("luc")
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/connexion/second-facteur/?next=%2Fbilans%2F")
    assert page.get_by_role("heading", level=1).inner_text() == "Second facteur"

    # The code used to enrol serves once; the app's next one (within the tolerance) opens the page.
    next_step = TotpDevice.objects.get().last_used_step + 1
    page.get_by_label("Code à 6 chiffres").fill(totp.totp(secret, next_step * totp.STEP_SECONDS))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(page.base_url + "/bilans/")
    assert page.get_by_role("heading", level=1).is_visible()
