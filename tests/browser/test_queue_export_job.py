"""A coordinator exports a large queue: the page waits for the worker (htmx polling under the strict
CSP), then offers the file; axe-core finds no serious violation on it."""

import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect

from project import background
from tests.browser.conftest import sign_in
from tests.geo import make_geo
from tests.web.queues_scenario import make_scenario
from web.models import QueueExport
from web.queues import exports

CAPTURE = Path(__file__).resolve().parent.parent.parent / "docs" / "captures" / "export-file-attente-pret.png"


@pytest.mark.django_db(transaction=True)
def test_a_large_export_waits_for_its_worker_then_offers_its_file(page, settings, monkeypatch):
    scenario = make_scenario(make_geo())
    settings.QUEUE_EXPORT_IMMEDIATE_ROWS = 1
    # The broker took the task, no worker has started it yet: the page waits.
    monkeypatch.setattr(
        background,
        "send_on_commit",
        lambda task, row: QueueExport.objects.filter(pk=row.pk).update(sent_at=row.requested_at),
    )
    sign_in(page, "coord")
    page.goto(page.base_url + "/coordination/files/")
    page.get_by_role("link", name="Exporter la file (XLSX)").click()
    expect(page.get_by_role("heading", name="Export de la file d'attente", level=1)).to_be_visible()
    expect(page.get_by_test_id("export-status")).to_contain_text("La préparation va commencer")

    job = QueueExport.objects.get()
    exports.queue_export_run(export_id=job.pk)  # the worker
    link = page.get_by_test_id("export-download")
    expect(link).to_be_visible(timeout=10_000)  # the next poll reloads the page
    expect(page.get_by_test_id("export-status")).to_contain_text("3 parcours")

    violations = Axe().run(page).response["violations"]
    assert not [v["id"] for v in violations if v["impact"] in {"serious", "critical"}], violations
    page.screenshot(path=CAPTURE, full_page=True)

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    references = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(references) == sorted(
        [scenario.durand.reference, scenario.diallo.reference, scenario.secret.reference]
    )
