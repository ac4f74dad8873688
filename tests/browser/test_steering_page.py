"""« Pilotage mensuel » in a browser, as a coordinator on sixty pathways of the Bouches-du-Rhône opened over
the last two years: the balance check, the chart, the monthly table, both breakdowns and the returns,
axe-core clean (no violation at all), a download, and the screenshot docs/captures/pilotage.png."""

import datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from pathways import services
from pathways.enums import Composition, ContactKind, SituationKind, Stage
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.geo import make_geo
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance

pytestmark = pytest.mark.browser

CAPTURES = Path(__file__).resolve().parents[2] / "docs" / "captures"
COMPOSITIONS = list(Composition.values)
SITUATIONS = [SituationKind.RUE, SituationKind.CHRS, SituationKind.HOTEL_115, SituationKind.CHEZ_TIERS]


def make_pathways(geo) -> None:
    """A pathway opened every 12 days over 720 days; every 3rd housed 80 days later, every 5th lost from
    view after 40 days, the others followed by a contact every 70 days for 200 days, then left alone, and
    every 7th of those seen again 400 days after its opening (a return after inactivity)."""
    today = timezone.localdate()
    for n in range(60):
        opened = today - datetime.timedelta(days=720 - 12 * n)
        household = HouseholdFactory(composition=COMPOSITIONS[n % len(COMPOSITIONS)])
        pathway = PathwayFactory(
            commune=geo.marseille if n % 2 else geo.aix,
            household=household,
            opened_on=opened,
            situation=SITUATIONS[n % len(SITUATIONS)],
        )
        if n % 3 == 0 and opened + datetime.timedelta(days=80) <= today:
            advance(pathway, *ROAD_TO_ENTREE, on=opened + datetime.timedelta(days=80))
        elif n % 5 == 0 and opened + datetime.timedelta(days=40) <= today:
            advance(pathway, Stage.PERDU_DE_VUE, on=opened + datetime.timedelta(days=40))
        else:
            day = opened + datetime.timedelta(days=70)
            while day <= min(today, opened + datetime.timedelta(days=200)):
                pathway.refresh_from_db()
                services.contact_record(pathway=pathway, on=day, kind=ContactKind.TELEPHONE, by=None)
                day += datetime.timedelta(days=70)
            if n % 7 == 0 and opened + datetime.timedelta(days=400) <= today:
                services.contact_record(
                    pathway=pathway, on=opened + datetime.timedelta(days=400), kind=ContactKind.ENTRETIEN, by=None
                )


@pytest.mark.django_db(transaction=True)
def test_the_steering_page_of_a_coordinator(axe_page):
    make_pathways(make_geo())
    UserFactory(username="coord", coordinator=True)
    page = axe_page
    sign_in(page, "coord")
    # The returns of last year's move-ins (by default, those of three years ago: none here).
    page.goto(page.base_url + reverse("steering:flows") + f"?cohorte={timezone.localdate().year - 1}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Pilotage mensuel — Bouches-du-Rhône")
    expect(page.get_by_test_id("balance")).to_contain_text("Équilibre vérifié")
    expect(page.get_by_test_id("flow-chart").get_by_role("img")).to_be_visible()
    expect(page.get_by_test_id("flows").locator("tbody tr")).to_have_count(24)
    expect(page.get_by_test_id("breakdown")).to_have_count(2)
    expect(page.get_by_test_id("returns").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("medians")).to_contain_text("jours")

    violations = Axe().run(page).response["violations"]
    assert [f"{v['id']} ({v['impact']})" for v in violations] == []
    CAPTURES.mkdir(exist_ok=True)
    page.screenshot(path=str(CAPTURES / "pilotage.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (CSV)").click()
    assert download.value.suggested_filename.startswith("flux-mensuels-departement-13-")

    # Another period, chosen in the form.
    page.get_by_label("Premier mois").fill("2025-01")
    page.get_by_label("Dernier mois").fill("2025-06")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_test_id("flows").locator("tbody tr")).to_have_count(6)
