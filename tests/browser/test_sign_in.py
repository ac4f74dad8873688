import re

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in


@pytest.mark.django_db(transaction=True)
def test_a_person_signs_in_and_out(page):
    UserFactory(username="camille", first_name="Camille", last_name="Martin", coordinator=True)
    page.goto(page.base_url + "/")
    assert "/connexion/" in page.url
    sign_in(page, "camille")
    expect(page.get_by_test_id("signed-in-user")).to_have_text(re.compile("^" + re.escape("Camille Martin")))
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/")


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_is_refused_in_french(page):
    UserFactory(username="camille")
    sign_in(page, "camille", password="mauvais")
    assert "/connexion/" in page.url
    assert "Identifiant ou mot de passe incorrect." in page.content()


@pytest.mark.django_db(transaction=True)
def test_a_forgotten_password_is_reset_from_the_sign_in_page(page):
    import re

    from django.core import mail

    UserFactory(username="camille", email="camille@exemple.invalid")
    page.goto(page.base_url + "/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié")
    page.get_by_label("Adresse électronique").fill("camille@exemple.invalid")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_url("**/compte/mot-de-passe-oublie/envoye/")

    link = re.search(r"https?://\S+/compte/mot-de-passe/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.locator("#id_new_password1").fill("un-nouveau-mot-de-passe")
    page.locator("#id_new_password2").fill("un-nouveau-mot-de-passe")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.wait_for_url("**/compte/mot-de-passe/enregistre/")
    page.get_by_role("link", name="Se connecter").click()
    sign_in(page, "camille", password="un-nouveau-mot-de-passe")
    expect(page.get_by_test_id("signed-in-user")).to_have_text(re.compile("^" + re.escape("Camille")))
