"""« Relancer la structure » in a browser: the coordinator reminds a selection from the queue, and the
referent caseworker finds the badge on Mes parcours. Leaves the two pages' captures in test-artifacts/."""

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, forget_session, sign_in
from tests.geo import make_geo
from tests.web.queues_scenario import make_scenario


def test_remind_a_selection_then_the_caseworker_sees_the_badge(page):
    s = make_scenario(make_geo())
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "coord")
    page.goto(page.base_url + "/coordination/files/")
    for pathway in (s.durand, s.secret):
        page.get_by_label(f"Sélectionner le parcours {pathway.reference}").check(force=True)
    page.get_by_role("button", name="Relancer la structure").click()
    page.get_by_label("Message à la structure référente").fill("Où en est l'évaluation ?")
    page.screenshot(path=str(ARTIFACTS / "coordination-relance.png"), full_page=True)
    page.get_by_role("button", name="Relancer les structures").click()
    page.wait_for_url("**/coordination/files/")
    expect(page.get_by_text(f"2 parcours relancés : {s.durand.reference}, {s.secret.reference}.")).to_be_visible()

    forget_session(page)
    sign_in(page, "sam")
    page.goto(page.base_url + "/parcours/")
    badges = page.get_by_test_id("reminded")
    expect(badges).to_have_count(2)
    expect(badges.first).to_have_text(f"Relancé le {timezone.localdate():%d/%m/%Y}")
    page.screenshot(path=str(ARTIFACTS / "referent-mes-parcours-relance.png"), full_page=True)
