"""The coordinators' queue with a full page of 50 rows: compact at a laptop's width, reflowed at a
phone's (WCAG 1.4.10), and the housed households' follow-up list beside it."""

import pytest
from playwright.sync_api import expect

from pathways.enums import SituationKind, Stage
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_page_layout import page_overflow
from tests.geo import make_geo
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import StructureFactory
from tests.web.queues_scenario import days_ago, make_scenario

STAGES = (Stage.DEMANDE, Stage.ATTENTE_ORIENTATION, Stage.ORIENTE, Stage.PROPOSITION)


def full_queue(geo, *, housed: int = 3):
    """The queue scenario, 50 more pre-housing pathways with long labels, and `housed` housed ones."""
    scenario = make_scenario(geo)
    structures = [
        StructureFactory(name=f"Centre communal d'action sociale de Marseille {n}", commune=geo.marseille)
        for n in range(3)
    ]
    for number in range(50):
        pathway = PathwayFactory(
            household=HouseholdFactory(members=[{"last_name": f"Longuenom{number}", "first_name": "Marie-Hélène"}]),
            referent_structure=structures[number % 3],
            commune=geo.marseille if number % 2 else geo.aix,
            opened_on=days_ago(200 + number),
            dalo=number % 4 == 0,
            situation=SituationKind.DNA if number % 2 else SituationKind.HOTEL_115,
        )
        road = {
            Stage.ATTENTE_ORIENTATION: (Stage.EVALUATION, Stage.ATTENTE_ORIENTATION),
            Stage.ORIENTE: (Stage.ORIENTE,),
            Stage.PROPOSITION: (Stage.ORIENTE, Stage.PROPOSITION),
        }.get(STAGES[number % 4], ())
        if road:
            advance(pathway, *road, on=days_ago(100 + number))
    for number in range(housed):
        PathwayFactory(
            household=HouseholdFactory(members=[{"last_name": f"Logé{number}", "first_name": "Jean"}]),
            referent_structure=structures[0],
            commune=geo.marseille,
            opened_on=days_ago(900),
            housed=True,
        )
    return scenario


def content_overflow(page) -> int:
    """Pixels by which a visible element of the page's main content passes the window's right edge.
    (The whole page's sideways scroll, page_overflow, also counts the site header, not this page's.)"""
    return page.evaluate(
        """() => Math.max(0, ...Array.from(document.querySelectorAll("main *"))
            .filter((e) => e.checkVisibility())
            .map((e) => Math.ceil(e.getBoundingClientRect().right - window.innerWidth)))"""
    )


def snapshot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"queue-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_page_of_50_rows_is_compact_at_1280px_and_reflows_at_320px(page):
    full_queue(make_geo())
    sign_in(page, "coord")
    page.goto(page.base_url + "/coordination/files/")
    expect(page.locator("table[data-testid=queue] tbody tr[data-reference]")).to_have_count(50)
    snapshot(page, "1280")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3500, height
    assert page_overflow(page) == 0
    # A stage name stays on at most two lines (a line is about 24 px at the small table's size).
    cell = page.locator("table[data-testid=queue] tbody tr[data-reference] .parcours-stage").first
    assert cell.bounding_box()["height"] < 50

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(page.base_url + "/coordination/files/")
    snapshot(page, "320")
    assert content_overflow(page) == 0
    page.get_by_text("Filtrer et trier").click()  # the filters, opened, fit too
    expect(page.get_by_label("DALO")).to_be_visible()
    assert content_overflow(page) == 0


@pytest.mark.django_db(transaction=True)
def test_select_all_on_this_page_then_orient_the_selection(page):
    s = make_scenario(make_geo())
    sign_in(page, "coord")
    page.goto(page.base_url + "/coordination/files/")
    select_all = page.get_by_label("Tout sélectionner sur cette page")
    select_all.check(force=True)  # the DSFR box draws over the input
    boxes = page.locator("input[data-row-select]")
    expect(boxes).to_have_count(3)
    for i in range(3):
        expect(boxes.nth(i)).to_be_checked()
    page.get_by_label(f"Sélectionner le parcours {s.secret.reference}").uncheck(force=True)
    expect(select_all).not_to_be_checked()
    assert select_all.evaluate("box => box.indeterminate")
    page.get_by_role("button", name="Décider l'orientation").click()
    page.get_by_label("Orientation décidée").select_option(label="Logement ordinaire")
    page.get_by_role("button", name="Enregistrer l'orientation de la sélection").click()
    page.wait_for_url("**/coordination/files/")
    expect(
        page.get_by_text(f"2 parcours orientés (Logement ordinaire) : {s.durand.reference}, {s.diallo.reference}.")
    ).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_row_boxes_still_work(browser, live_server):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base_url = live_server.url
    try:
        s = make_scenario(make_geo())
        sign_in(page, "coord")
        page.goto(page.base_url + "/coordination/files/")
        expect(page.get_by_label("Tout sélectionner sur cette page")).not_to_be_visible()  # no box that does nothing
        page.get_by_label(f"Sélectionner le parcours {s.durand.reference}").check(force=True)
        page.get_by_role("button", name="Affecter à un référent").click()
        page.wait_for_url("**/coordination/affectation-groupe/")
        expect(page.locator("input[name=parcours]:checked")).to_have_count(1)  # waits for the page's rows
        page.get_by_label("Référent ou référente désignée").select_option(label="Sam Aubert")
        page.get_by_role("button", name="Affecter la sélection").click()
        expect(page.get_by_text(f"1 parcours affecté à Sam Aubert : {s.durand.reference}.")).to_be_visible()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_housed_follow_up_list(page):
    full_queue(make_geo(), housed=3)
    sign_in(page, "coord")
    page.goto(page.base_url + "/coordination/")
    snapshot(page, "vue-ensemble")
    page.get_by_role("link", name="Ouvrir le suivi des ménages logés").click()
    expect(page).to_have_title("Suivi des ménages logés — Parcours")
    expect(page.locator("table[data-testid=queue] tbody tr[data-reference]")).to_have_count(3)
    page.get_by_text("Filtrer et trier").click()
    page.get_by_label("Étape").select_option(label="Entrée dans les lieux")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("link", name="Retirer le filtre Étape : Entrée dans les lieux")).to_be_visible()
    snapshot(page, "suivi-loges")
    assert page_overflow(page) == 0
    page.get_by_role("link", name="Effacer les filtres").click()
    expect(page.get_by_role("link", name="Effacer les filtres")).to_have_count(0)
