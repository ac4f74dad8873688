import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.geo import make_geo
from tests.web.queues_scenario import make_scenario


def snapshot(page, name: str):
    """Full-page screenshots of the main pages, kept in test-artifacts/ for a human look."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"coordinator-{name}.png"), full_page=True)


def listed(page) -> list[str]:
    return page.locator("table[data-testid=queue] tbody tr[data-reference]").evaluate_all(
        "rows => rows.map(r => r.dataset.reference)"
    )


@pytest.mark.django_db(transaction=True)
def test_coordinator_filters_orients_transfers_and_exports(page, tmp_path):
    s = make_scenario(make_geo())
    sign_in(page, "coord")

    page.goto(page.base_url + "/coordination/")
    expect(page).to_have_title("Vue d'ensemble de la coordination — Parcours")
    expect(page.get_by_role("heading", name="1 parcours bloqué")).to_be_visible()
    snapshot(page, "overview")
    page.get_by_role("link", name="Voir les parcours bloqués").click()
    expect(page).to_have_title("Parcours bloqués — Parcours")
    expect(page.locator("table[data-testid=stalled] tbody tr[data-reference]")).to_have_count(1)
    snapshot(page, "stalled")

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Files d'attente").click()
    assert listed(page) == [s.durand.reference, s.diallo.reference, s.secret.reference]
    page.get_by_text("Filtrer et trier").click()  # the filters are folded under their title
    page.get_by_label("DALO").select_option(label="Non")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"dalo=non"))
    assert listed(page) == [s.durand.reference, s.secret.reference]
    snapshot(page, "queue")

    page.get_by_role("link", name=f"Orienter le parcours {s.durand.reference}").click()
    expect(page).to_have_title(f"Décision d'orientation du parcours {s.durand.reference} — Parcours")
    page.get_by_role("button", name="Enregistrer l'orientation").click()
    expect(page.get_by_role("heading", name="Le formulaire contient une erreur")).to_be_visible()
    expect(page.get_by_role("link", name="Orientation décidée : Choisissez l'orientation décidée.")).to_be_visible()
    snapshot(page, "orient-error")
    page.get_by_label("Orientation décidée").select_option(label="Logement ordinaire")
    page.get_by_role("button", name="Enregistrer l'orientation").click()
    # Back on the queue, with the filters kept in the session.
    page.wait_for_url(re.compile(r"dalo=non"))
    expect(page.get_by_text(f"Parcours {s.durand.reference} orienté : Logement ordinaire.")).to_be_visible()
    expect(page.locator(f"tr[data-reference={s.durand.reference}]").get_by_text("Orienté")).to_be_visible()

    for pathway in (s.durand, s.secret):
        page.get_by_label(f"Sélectionner le parcours {pathway.reference}").check(force=True)
    page.get_by_role("button", name="Transférer à une structure").click()
    page.locator("#lot_structure").select_option(label="Bailleur Beta")
    page.locator("#lot_caseworker").select_option(label="Lou Bernard")
    page.get_by_role("button", name="Transférer la sélection").click()
    page.wait_for_url(re.compile(r"dalo=non"))
    summary = f"2 parcours transférés à Bailleur Beta, Lou Bernard : {s.durand.reference}, {s.secret.reference}."
    expect(page.get_by_text(summary)).to_be_visible()
    for pathway in (s.durand, s.secret):
        pathway.refresh_from_db()
        assert pathway.referent_structure == s.beta
        assert pathway.assignments.count() == 2
    snapshot(page, "after-transfer")

    page.get_by_role("link", name=f"Transférer le parcours {s.durand.reference}").click()
    history = page.locator("table[data-testid=history] tbody tr")
    expect(history).to_have_count(2)
    expect(history.first.locator("td").nth(1)).to_have_text("Bailleur Beta")
    snapshot(page, "assign")
    page.get_by_role("link", name="Annuler").click()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter la file (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("file-attente-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    # Longest wait first: Durand's pathway has just entered `oriente`.
    assert [row[0] for row in rows[1:]] == [s.secret.reference, s.durand.reference]
    assert [row[3] for row in rows[1:]] == ["Repérage / premier contact", "Orienté"]
    assert [row[5] for row in rows[1:]] == [10, 0]
    assert [row[8] for row in rows[1:]] == ["Bailleur Beta", "Bailleur Beta"]
    assert [row[2] for row in rows[1:]] == [None, "DURAND Alex"]  # the confidential household: no name
