import base64
import time
from unittest import mock

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.second_factor import device_secret
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in


def code_at(secret: str, at: float) -> str:
    with mock.patch("django_otp.oath.time", return_value=at):
        return f"{totp(base64.b32decode(secret)):06d}"


@pytest.mark.django_db(transaction=True)
def test_an_administrator_enrols_an_app_then_signs_in_with_a_code(page, settings):
    # The live server runs in this process: it sees the setting that the test settings turn off.
    settings.SECOND_FACTOR_REQUIRED = True
    UserFactory(username="luc", first_name="Luc", last_name="Fabre", administrator=True)

    sign_in(page, "luc")
    assert "/connexion/second-facteur/activer/" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer le second facteur")
    expect(page.locator("svg.segno")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert device_secret(TOTPDevice.objects.get()) == secret
    # The menu would only lead back here.
    expect(page.locator("#navigation")).to_have_count(0)

    page.get_by_label("Code à 6 chiffres").fill(code_at(secret, time.time() - 3600))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("alert")).to_contain_text("Encore 4 essais avant le verrouillage du compte.")

    page.get_by_label("Code à 6 chiffres").fill(code_at(secret, time.time()))
    page.get_by_role("button", name="Activer").click()
    # The recovery codes, shown once, before the page asked for.
    page.wait_for_url("**/connexion/second-facteur/codes-de-secours/?next=%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    shown = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    stored = StaticToken.objects.filter(device__user__username="luc").values_list("token", flat=True)
    assert sorted(code.replace("-", "") for code in shown) == sorted(stored)
    assert len(shown) == 10
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    page.wait_for_url(page.base_url + "/")
    expect(page.get_by_test_id("signed-in-user")).to_have_text("Luc Fabre · Administration (DREETS, DDETS)")
    expect(page.get_by_role("link", name="Bilans").first).to_be_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/")
    page.goto(page.base_url + "/bilans/")
    sign_in_url = page.url
    assert sign_in_url.endswith("/connexion/?next=/bilans/")
    page.get_by_label("Identifiant").fill("luc")
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/connexion/second-facteur/?next=%2Fbilans%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Second facteur")

    # The code used to enrol serves once; the app's next one (within the tolerance) opens the page.
    next_step = TOTPDevice.objects.get().last_t + 1
    page.get_by_label("Code à 6 chiffres").fill(code_at(secret, next_step * 30))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(page.base_url + "/bilans/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
