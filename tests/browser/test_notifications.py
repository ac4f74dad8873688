"""A caseworker's « À traiter » in the browser: the count in the header, the list grouped by kind, an item
opened and one marked as done, the preferences saved. axe-core on both pages (no serious or critical
violation); screenshots in docs/captures/notifications-*.png."""

import datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from notifications.models import Preference
from notifications.stalled import stalled_detect
from pathways import services
from pathways.enums import OrientationTarget, Stage
from places.services import proposal_create
from tests.browser.conftest import sign_in
from tests.notifications import conftest as notifications_scenario
from tests.notifications.conftest import NAMES
from tests.places.factories import make_place
from tests.territories.factories import SiteFactory

# The notifications tests' scenario (tests/notifications/conftest.py), as a fixture of this module.
world = notifications_scenario.world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CAPTURES = Path(__file__).resolve().parent.parent.parent / "docs" / "captures"
BLOCKING = {"serious", "critical"}
AXE = Axe()


def capture(page, name: str, **options):
    CAPTURES.mkdir(exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"notifications-{name}.png"), **options)


def blocking_violations(page) -> list[str]:
    # The strict CSP refuses the script axe injects: this page's context bypasses it (tests/test_headers.py
    # and tests/browser/test_csp.py check the policy).
    violations = AXE.run(page).response["violations"]
    return [f"{v['id']} ({v['impact']})" for v in violations if v["impact"] in BLOCKING]


def test_a_caseworkers_todo_list(axe_page, world, geo):
    page = axe_page
    day = datetime.date(2024, 3, 1)
    world.ana.first_name, world.ana.last_name = "Ana", "Lopez"  # for the captures
    world.ana.save()
    services.pathway_transition(
        pathway=world.pathway,
        to_stage=Stage.ORIENTE,
        on=day,
        by=world.coord,
        orientation=OrientationTarget.LOGEMENT_ORDINAIRE,
    )
    services.pathway_assign(pathway=world.other, structure=world.alpha, caseworker=world.ana, by=world.coord)
    stalled_detect(on=datetime.date(2026, 1, 1))
    place = make_place(site=SiteFactory(structure=world.beta, commune=geo.aix, name="Résidence des Tilleuls"))
    world.other.refresh_from_db()
    # Recorded by the coordination: Ana acting on the pathway would clear its transfer item.
    services.pathway_transition(pathway=world.other, to_stage=Stage.EVALUATION, on=day, by=world.coord)
    services.pathway_transition(pathway=world.other, to_stage=Stage.ATTENTE_ORIENTATION, on=day, by=world.coord)
    services.pathway_transition(pathway=world.other, to_stage=Stage.ORIENTE, on=day, by=world.coord)
    proposal_create(place=place, pathway=world.other, on=day, by=world.coord)

    sign_in(page, "ana")
    page.goto(page.base_url + "/a-traiter/")
    link = page.get_by_test_id("todo-link").first
    expect(link.get_by_test_id("todo-count")).to_have_text("5 éléments à traiter")
    body = page.content().lower()
    assert not any(name.lower() in body for name in NAMES)
    for kind in ("transfert", "orientation", "proposition", "blocage"):
        expect(page.get_by_test_id(f"todo-group-{kind}")).to_be_visible()
    assert blocking_violations(page) == []
    capture(page, "a-traiter", full_page=True)
    capture(page, "entete", clip={"x": 0, "y": 0, "width": 1280, "height": 190})

    # Marked as done: gone from the list and from the count.
    group = page.get_by_test_id("todo-group-orientation")
    group.get_by_role("button", name=f"Marquer comme traité : {world.pathway.reference}").click()
    expect(page.get_by_text(f"« {world.pathway.reference} » est marqué comme traité.")).to_be_visible()
    expect(
        page.get_by_test_id("todo-group-orientation").locator(f'[data-reference="{world.pathway.reference}"]')
    ).to_have_count(0)
    expect(page.get_by_test_id("todo-link").first.get_by_test_id("todo-count")).to_have_text("4 éléments à traiter")

    # Opened: the household's page, and the transfer is done.
    page.get_by_test_id("todo-group-transfert").get_by_role("link", name=world.other.reference).click()
    expect(page).to_have_url(page.base_url + f"/menages/{world.other.household_id}/#parcours-{world.other.pk}")
    page.goto(page.base_url + "/a-traiter/")
    expect(page.get_by_test_id("todo-group-transfert")).to_have_count(0)

    page.get_by_role("link", name="Préférences de notification").click()
    expect(page.get_by_role("heading", name="Préférences de notification")).to_be_visible()
    assert blocking_violations(page) == []
    page.locator("#preference-blocage").get_by_text("Un courriel à chaque fois").click()
    page.locator("#preference-blocage").get_by_text("Dans le récapitulatif hebdomadaire").click()
    capture(page, "preferences", full_page=True)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos préférences sont enregistrées.")).to_be_visible()
    row = Preference.objects.get(user=world.ana, kind="blocage")
    assert (row.email, row.digest) == (False, True)
