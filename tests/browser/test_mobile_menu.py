"""At a phone's width (320 px) the DSFR header folds its menu behind a "Menu" button, and the DSFR script
runs without an error (it looks for .fr-header__menu-links to copy the tools links into)."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.geo import make_geo


@pytest.mark.django_db(transaction=True)
def test_the_menu_folds_behind_a_button_on_a_phone(browser, live_server):
    make_geo()
    UserFactory(username="coord", coordinator=True)
    context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.base_url = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, "coord")
        menu_link = page.locator("#modal-menu").get_by_role("link", name="Files d'attente")
        expect(menu_link).not_to_be_visible()
        page.get_by_role("button", name="Menu").click()
        menu_link.wait_for(state="visible")
        # The tools links (sign-out) are copied into the open menu.
        expect(page.locator("#modal-menu").get_by_role("button", name="Se déconnecter")).to_be_visible()
        page.locator("#modal-menu").get_by_role("button", name="Fermer").click()
        menu_link.wait_for(state="hidden")
        assert errors == []
        # Nothing, the header included, makes a page scroll sideways at 320 px (WCAG 1.4.10).
        for path in ("/", "/coordination/files/", "/coordination/bloques/"):
            page.goto(page.base_url + path)
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0, path
    finally:
        context.close()
