"""Layout checks a server-side test cannot make: at a laptop's width (1280 px) the wide tables fit the page,
and buttons with an icon keep their label."""

import pytest
from playwright.sync_api import expect

from pathways.enums import SituationKind, Stage
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.geo import make_geo
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.territories.factories import StructureFactory
from tests.web.queues_scenario import days_ago, make_scenario


def page_overflow(page) -> int:
    """Pixels the page scrolls sideways (0 when everything fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_queue_tables_fit_a_laptop_screen_with_long_labels(page):
    geo = make_geo()
    make_scenario(geo)
    # The longest labels the tables show: a long structure name and the asylum situation, on a stalled pathway.
    for number in range(3):
        PathwayFactory(
            household=HouseholdFactory(members=[{"last_name": f"Longuenom{number}", "first_name": "Marie-Hélène"}]),
            referent_structure=StructureFactory(
                name=f"Centre communal d'action sociale de Marseille {number}", commune=geo.marseille
            ),
            commune=geo.marseille,
            opened_on=days_ago(200),
            stage=Stage.DEMANDE,
            situation=SituationKind.DNA,
        )
    sign_in(page, "coord")
    for path in ("/coordination/files/", "/coordination/bloques/"):
        page.goto(page.base_url + path)
        expect(page.locator("tbody").get_by_text("Centre communal d'action sociale de Marseille 2")).to_be_visible()
        expect(page.get_by_role("link", name="Transférer le parcours").first).to_be_visible()
        assert page_overflow(page) == 0, path


@pytest.mark.django_db(transaction=True)
def test_the_request_button_of_the_bilans_shows_its_label(page):
    make_geo()
    UserFactory(username="dreets", administrator=True)
    sign_in(page, "dreets")
    page.goto(page.base_url + "/bilans/")
    button = page.get_by_role("link", name="Demander un bilan")
    # An icon button in a group without the icon-left variant shrinks to a bare 40 px icon.
    assert button.bounding_box()["width"] > 120


@pytest.mark.django_db(transaction=True)
def test_the_buttons_of_the_exchange_page_show_their_labels(page):
    make_geo()
    UserFactory(username="dreets", administrator=True)
    sign_in(page, "dreets")
    page.goto(page.base_url + "/echange/")
    for name in ("Importer des données", "Exporter des données"):
        assert page.get_by_role("link", name=name).bounding_box()["width"] > 120, name
