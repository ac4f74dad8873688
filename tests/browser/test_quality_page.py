"""« Qualité des données » in a browser, as a coordinator on a few dozen files of three structures opened
over the last year and a half: the checks' table, the scores per structure, the trend chart and its table,
read from the monthly snapshots, axe-core clean (no violation at all), and the screenshot of docs/indicateurs.md (docs/captures/qualite.png)."""

import datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from pathways import services
from pathways.enums import ContactKind, Stage
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.geo import make_geo
from tests.pathways.factories import advance
from tests.quality.files import days_ago, open_file
from tests.territories.factories import StructureFactory

pytestmark = pytest.mark.browser

CAPTURES = Path(__file__).resolve().parents[2] / "docs" / "captures"


def make_files(geo) -> None:
    """Files opened every 12 days over 540 days in three structures of the Bouches-du-Rhône, most of them
    clean; every 5th without a situation, every 7th without a contact since its opening (stale once
    old), every 11th with a stage recorded late, every 13th with a contact dated before its opening;
    every 4th closed 30 days after its opening; one person followed by two structures."""
    sam = UserFactory(username="sam", structures=[])
    structures = [
        StructureFactory(name="Association Alpha", commune=geo.marseille),
        StructureFactory(name="Bailleur Beta", commune=geo.aix),
        StructureFactory(name="CCAS d'Aix-en-Provence", commune=geo.aix),
    ]
    for n in range(45):
        opened = days_ago(540 - 12 * n)
        structure = structures[n % 3]
        file = open_file(
            structure,
            geo.marseille if n % 2 else geo.aix,
            opened_on=opened,
            situation="" if n % 5 == 0 else "rue",
        )
        if n % 7 and n % 4 != 0:
            # A contact every 60 days up to today: active.
            day = opened + datetime.timedelta(days=20)
            while day <= days_ago(0):
                services.contact_record(pathway=file, on=day, kind=ContactKind.TELEPHONE, by=None)
                day += datetime.timedelta(days=60)
        if n % 13 == 0:
            services.contact_record(
                pathway=file, on=opened - datetime.timedelta(days=3), kind=ContactKind.ENTRETIEN, by=None
            )
        if n % 11 == 0 and opened <= days_ago(40):
            services.pathway_transition(pathway=file, to_stage=Stage.EVALUATION, on=days_ago(40), by=sam)
        elif n % 4 == 0 and opened <= days_ago(30):
            advance(file, Stage.PERDU_DE_VUE, on=opened + datetime.timedelta(days=30))
    twin = [{"last_name": "Durand", "first_name": "Alex", "birth_date": datetime.date(1980, 5, 17)}]
    open_file(structures[0], geo.marseille, opened_on=days_ago(20), members=twin)
    open_file(structures[1], geo.aix, opened_on=days_ago(15), members=twin)


@pytest.mark.django_db(transaction=True)
def test_the_quality_page_of_a_coordinator(axe_page):
    geo = make_geo()
    make_files(geo)
    # The 12 monthly snapshots the trend reads (quality/snapshots.py), as the monthly task leaves them.
    # And the figures of the day, as the nightly task leaves them (quality/daily.py).
    call_command("quality_snapshots", months=12, today=True)
    UserFactory(username="coord", coordinator=True)
    page = axe_page
    sign_in(page, "coord")
    page.goto(page.base_url + reverse("quality:overview"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Qualité des données")
    checks = page.get_by_test_id("checks")
    expect(checks.locator("tbody tr")).to_have_count(7)
    expect(checks.locator("tr[data-check='doublon_probable'] td").first).to_have_text("2")
    expect(checks.get_by_role("link", name="Situation résidentielle inconnue")).to_be_visible()
    structures = page.get_by_test_id("structures")
    expect(structures.locator("tbody tr")).to_have_count(3)
    expect(structures.locator("tbody th")).to_have_text(
        ["Association Alpha", "Bailleur Beta", "CCAS d'Aix-en-Provence"]
    )
    chart = page.get_by_test_id("trend-chart").get_by_role("img")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(12)
    expect(page.get_by_test_id("trend").locator("tbody tr")).to_have_count(12)
    expect(page.get_by_test_id("uncomputed")).to_have_count(0)
    expect(page.get_by_test_id("computed")).to_contain_text(f"Chiffres calculés le {timezone.localdate():%d/%m/%Y} à ")
    expect(page.get_by_test_id("computed")).to_contain_text("les listes de dossiers sont à jour à la minute.")

    violations = Axe().run(page).response["violations"]
    assert [f"{v['id']} ({v['impact']})" for v in violations] == []
    CAPTURES.mkdir(exist_ok=True)
    page.screenshot(path=str(CAPTURES / "qualite.png"), full_page=True)

    # The list behind a check, from its link.
    checks.get_by_role("link", name="Situation résidentielle inconnue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Situation résidentielle inconnue — Bouches-du-Rhône")
    expect(page.get_by_test_id("quality-files").locator("tbody tr[data-reference]")).not_to_have_count(0)
    violations = Axe().run(page).response["violations"]
    assert [f"{v['id']} ({v['impact']})" for v in violations] == []
