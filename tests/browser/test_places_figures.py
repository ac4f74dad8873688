"""The supply figures in a browser: the bilan's annex and the coordination's block on the places summary,
axe-core clean (no serious or critical violation), with their screenshots for the docs."""

import datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from places import services
from reports import services as report_services
from reports.enums import PeriodKind, RunStatus
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.browser.conftest import forget_session, sign_in
from tests.geo import make_geo
from tests.places.factories import make_place, oriented_pathway
from tests.territories.factories import SiteFactory

pytestmark = pytest.mark.browser

D = datetime.date
CAPTURES = Path(__file__).resolve().parents[2] / "docs" / "captures"
BLOCKING = {"serious", "critical"}


def blocking_violations(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']})" for v in violations if v["impact"] in BLOCKING]


@pytest.mark.django_db(transaction=True)
def test_the_annex_and_the_summary_block_are_accessible(axe_page, django_capture_on_commit_callbacks):
    geo = make_geo()
    site = SiteFactory(commune=geo.marseille)
    make_place(site=site, label="A", on=D(2022, 1, 3))
    b = make_place(site=site, label="B", on=D(2022, 1, 10))
    c = make_place(site=site, label="C", on=D(2022, 3, 1))
    first = services.proposal_create(place=c, pathway=oriented_pathway(on=D(2022, 1, 4)), on=D(2022, 3, 5), by=None)
    services.proposal_answer(proposal=first, status="refusee_menage", reason="localisation", on=D(2022, 3, 9), by=None)
    proposal = services.proposal_create(place=b, pathway=oriented_pathway(on=D(2022, 1, 4)), on=D(2022, 2, 1), by=None)
    services.proposal_answer(proposal=proposal, status="acceptee", on=D(2022, 2, 11), by=None)
    admin = UserFactory(username="dreets", administrator=True)
    UserFactory(username="coord", coordinator=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = report_services.bilan_run_request(
            territory=parse_territory("commune:13055"),
            start=D(2022, 1, 1),
            end=D(2022, 12, 31),
            by=admin,
            period_kind=PeriodKind.YEAR,
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    page = axe_page

    sign_in(page, "dreets")
    page.goto(page.base_url + reverse("reports:run_detail", args=[run.pk]))
    annex = page.locator("#annexe-offre")
    annex.wait_for()
    assert blocking_violations(page) == []
    CAPTURES.mkdir(exist_ok=True)
    annex.scroll_into_view_if_needed()
    page.locator("#annexe-offre + p + .fr-table").screenshot(path=str(CAPTURES / "bilan-annexe-offre.png"))

    forget_session(page)
    sign_in(page, "coord")
    page.goto(page.base_url + "/places/synthese/")
    block = page.get_by_test_id("supply-figures")
    block.wait_for()
    assert blocking_violations(page) == []
    block.screenshot(path=str(CAPTURES / "places-synthese-offre.png"))
