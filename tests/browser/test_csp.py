"""Under the Content-Security-Policy (no inline script or style), the DSFR, htmx and the pages' own files
still work, and Chromium reports no violation on the main pages of each role."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.browser.conftest import forget_session, sign_in
from tests.geo import make_geo
from tests.web.queues_scenario import make_scenario


def watch_violations(page) -> list[str]:
    """Chromium prints each refused script, style or image on the console."""
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def visit(page, path):
    response = page.goto(page.base_url + path)
    assert response.status < 400, path
    assert "Content-Security-Policy" in {name.title(): value for name, value in response.headers.items()}
    # The DSFR's JavaScript marks the page once it runs (a blocked module would leave this unset).
    # (Selectors, not wait_for_function: the policy refuses the evaluated string Playwright would run.)
    page.locator("html[data-fr-js='true']").wait_for(state="attached")


@pytest.mark.django_db(transaction=True)
def test_main_pages_of_each_role_run_under_the_policy_without_violation(page):
    scenario = make_scenario(make_geo())
    UserFactory(username="dreets", administrator=True)
    UserFactory(username="root", is_superuser=True, is_staff=True)
    violations = watch_violations(page)

    sign_in(page, "sam")
    household = f"/menages/{scenario.durand.household_id}/"
    for path in ("/parcours/", household, household + "modifier/", "/menages/nouveau/"):
        visit(page, path)
    # htmx still fetches the commune suggestions as one types.
    page.get_by_label("Commune du parcours").press_sequentially("Mars")
    page.locator("datalist option").first.wait_for(state="attached")

    forget_session(page)
    sign_in(page, "coord")
    for path in ("/coordination/", "/coordination/files/", "/coordination/bloques/"):
        visit(page, path)

    forget_session(page)
    sign_in(page, "dreets")
    visit(page, "/bilans/demander/")
    page.get_by_label("Territoire", exact=True).select_option("region:93")
    page.get_by_text("Une année", exact=True).click()  # the DSFR label covers its radio button
    page.get_by_role("spinbutton", name="Année").fill("2021")
    page.get_by_role("button", name="Lancer le calcul").click()
    page.get_by_text("Terminé", exact=True).wait_for()
    expect(page.locator("svg").first).to_be_visible()

    forget_session(page)
    sign_in(page, "root")
    for path in ("/admin/", "/admin/territories/structure/", "/admin/accounts/user/"):
        page.goto(page.base_url + path)
        page.wait_for_load_state()

    assert violations == []
