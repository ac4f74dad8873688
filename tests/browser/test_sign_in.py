import pytest

from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in


@pytest.mark.django_db(transaction=True)
def test_a_person_signs_in_and_out(page):
    UserFactory(username="camille", first_name="Camille", last_name="Martin", coordinator=True)
    page.goto(page.base_url + "/")
    assert "/connexion/" in page.url
    sign_in(page, "camille")
    assert page.get_by_test_id("signed-in-user").inner_text().startswith("Camille Martin")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/")


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_is_refused_in_french(page):
    UserFactory(username="camille")
    sign_in(page, "camille", password="mauvais")
    assert "/connexion/" in page.url
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in page.content()
