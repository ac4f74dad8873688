"""An administrator of région 93 generates the 2018-2022 bilan of the région, reads it by year, by
département and in charts, drills down into a figure, and downloads the XLSX and the PDF."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.geo import make_geo
from tests.reports.bilan_scenario import SECRET_NAME, make_scenario

# Set BILAN_SCREENSHOTS=/some/folder to keep screenshots of the pages for a look.
SCREENSHOTS = os.environ.get("BILAN_SCREENSHOTS")


def shot(page, name, anchor=None):
    if SCREENSHOTS:
        if anchor:
            page.locator(anchor).first.evaluate("element => element.scrollIntoView()")
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=anchor is None)


@pytest.mark.django_db(transaction=True)
def test_administrator_generates_reads_drills_down_and_downloads_the_bilan(page, tmp_path):
    make_scenario(make_geo())
    UserFactory(username="dreets", first_name="Dominique", last_name="Reynaud", administrator=True)
    sign_in(page, "dreets")

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Bilans").click()
    page.get_by_role("link", name="Demander un bilan").click()
    page.get_by_label("Territoire", exact=True).select_option("region:93")
    page.get_by_label("Premier plan (2018-2022)").check()
    shot(page, "1-request")
    page.get_by_role("button", name="Lancer le calcul").click()

    page.get_by_role("heading", name="Bilan du plan Logement d'abord — Provence-Alpes-Côte d'Azur").wait_for()
    page.get_by_text("Terminé", exact=True).wait_for()
    places = page.locator('tr[data-indicator="places_iml_creees"] td.num')
    assert [text.strip() for text in places.all_inner_texts()] == ["0", "120", "0", "40", "0", "160"]

    by_departement = page.locator("#par-sous-territoire ~ div table").first
    expect(by_departement.locator("thead")).to_contain_text("Bouches-du-Rhône")
    expect(page.locator('svg[aria-label="Places créées par année"]')).to_be_visible()
    expect(page.locator('svg[aria-label="Attributions de logements sociaux par sous-territoire"]')).to_be_visible()
    shot(page, "2-bilan", "h1")
    shot(page, "2-bilan-departements", "#par-sous-territoire")
    shot(page, "2-bilan-charts", "#graphiques")

    page.locator('tr[data-indicator="attributions_sans_abri"] td[data-total] a').click()
    page.get_by_role("heading", name="Attributions de logements sociaux à des ménages sans-abri").wait_for()
    references = page.get_by_test_id("record-reference").all_inner_texts()
    assert len(references) == 2 and all(re.fullmatch(r"P-\d{6}", r.strip()) for r in references)
    assert SECRET_NAME not in page.content()
    shot(page, "3-drill-down")
    page.get_by_role("link", name="Retour au bilan").click()

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Télécharger (XLSX)").click()
    xlsx = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx)
    sheet = load_workbook(xlsx)["Par année"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "places_iml_creees")
    assert row[4:10] == (0, 120, 0, 40, 0, 160)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Télécharger (PDF)").click()
    pdf = tmp_path / "bilan.pdf"
    pdf_download.value.save_as(pdf)
    text = subprocess.run(["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert "Provence-Alpes-Côte d'Azur" in text and "Annexe : définitions des indicateurs" in text
