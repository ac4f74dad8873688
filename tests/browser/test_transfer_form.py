"""The transfer form in a browser: choosing a structure reloads its caseworkers (htmx), and the form's
own defaults are accepted. Screenshots of the transfer and orientation pages in test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from pathways.models import Pathway
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.geo import make_geo
from tests.web.queues_scenario import make_scenario


def options(page) -> list[str]:
    return page.locator("#id_caseworker option").evaluate_all("options => options.map(o => o.textContent.trim())")


@pytest.mark.django_db(transaction=True)
def test_the_caseworker_list_follows_the_structure_chosen(page):
    s = make_scenario(make_geo())
    sign_in(page, "coord")
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{page.base_url}/coordination/parcours/{s.diallo.pk}/orienter/")
    expect(page.get_by_role("heading", name="Le ménage")).to_be_visible()
    expect(page.get_by_role("link", name=f"Ouvrir le dossier du ménage {s.diallo.household.reference}")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "orientation-parcours.png"), full_page=True)

    page.goto(f"{page.base_url}/coordination/parcours/{s.durand.pk}/transferer/")
    # Nobody chosen beforehand; without a structure, every caseworker once.
    assert options(page) == ["Aucun référent désigné", "Sam Aubert", "Lou Bernard"]
    expect(page.locator("#id_caseworker")).to_have_value("")
    with page.expect_response(re.compile(r"/coordination/referents/\?structure=")):
        page.get_by_label("Nouvelle structure référente").select_option(label="Bailleur Beta")
    # A locator wait, not wait_for_function: the page's policy refuses the string Playwright would evaluate.
    expect(page.locator("#id_caseworker option")).to_have_count(2)
    assert options(page) == ["Aucun référent désigné", "Lou Bernard"]
    page.get_by_label("Nouveau référent ou nouvelle référente").select_option(label="Lou Bernard")
    page.get_by_label("Motif du transfert").fill("Rapprochement du lieu d'hébergement")
    page.screenshot(path=str(ARTIFACTS / "transfert-parcours.png"), full_page=True)
    page.get_by_role("button", name="Transférer le parcours").click()
    expect(page.get_by_text(f"Parcours {s.durand.reference} transféré : Bailleur Beta, Lou Bernard.")).to_be_visible()
    durand = Pathway.objects.get(pk=s.durand.pk)
    assert (durand.referent_structure, durand.caseworker) == (s.beta, s.lou)
