"""A large queue export is a background job (web/queues/exports.py): its page, its download link, only
for its requester, audited, emptied once expired, and as reliable as the other background jobs."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from project import background
from tests.accounts.factories import UserFactory
from tests.web.queues_scenario import make_scenario
from web.models import ExportStatus, QueueExport
from web.queues import exports


@pytest.fixture
def scenario(geo, settings):
    settings.QUEUE_EXPORT_IMMEDIATE_ROWS = 2  # the coordinator's queue holds 3 pathways
    return make_scenario(geo)


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def request_export(client, capture, fmt="xlsx", **filters):
    with capture(execute=True):
        response = client.get(reverse(f"queues:export_{fmt}"), filters)
    assert response.status_code == 302
    job = QueueExport.objects.get()
    assert response["Location"] == reverse("queues:export_job", args=[job.pk])
    return job


def test_a_large_export_is_built_in_the_background_and_downloaded_from_its_page(
    coordinator_client, scenario, settings, django_capture_on_commit_callbacks
):
    job = request_export(coordinator_client, django_capture_on_commit_callbacks, tri="attente_desc")
    job.refresh_from_db()
    assert (job.status, job.rows, job.requested_by, job.format) == (ExportStatus.DONE, 3, scenario.coordinator, "xlsx")
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    page = coordinator_client.get(reverse("queues:export_job", args=[job.pk])).content.decode()
    assert "Le fichier est prêt" in page and "3 parcours" in page
    assert reverse("queues:export_download", args=[job.pk]) in page
    assert "Durand" not in page  # the page shows the state, not the rows

    download = coordinator_client.get(reverse("queues:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    # The same content as an immediate export of the same filters (one code path).
    settings.QUEUE_EXPORT_IMMEDIATE_ROWS = 5000
    immediate = coordinator_client.get(reverse("queues:export_xlsx"), {"tri": "attente_desc"})
    assert sheet_rows(download.content) == sheet_rows(immediate.content)
    assert [row[0] for row in sheet_rows(download.content)[1:]] == [
        scenario.durand.reference,
        scenario.diallo.reference,
        scenario.secret.reference,
    ]

    # Audited as the immediate export: by the worker with every pathway of the file, then each download.
    built, downloaded, immediate_event = AuditEvent.objects.filter(action="export").order_by("pk")
    ids = sorted([scenario.durand.pk, scenario.diallo.pk, scenario.secret.pk])
    assert (built.user, built.target, built.target_id) == (scenario.coordinator, "queue", job.pk)
    assert built.detail == f"XLSX tri=attente_desc (export n° {job.pk}, en arrière-plan)"
    assert sorted(built.object_ids) == ids
    assert (downloaded.user, downloaded.target_id, sorted(downloaded.object_ids)) == (scenario.coordinator, job.pk, ids)
    assert downloaded.detail == f"téléchargement de l'export n° {job.pk}"
    assert immediate_event.target_id is None and sorted(immediate_event.object_ids) == ids


def test_a_csv_export_too_and_small_exports_stay_immediate(coordinator_client, django_capture_on_commit_callbacks):
    response = coordinator_client.get(reverse("queues:export_csv"), {"dalo": "non"})  # 2 rows: at once
    assert response.status_code == 200 and not QueueExport.objects.exists()
    job = request_export(coordinator_client, django_capture_on_commit_callbacks, fmt="csv")
    download = coordinator_client.get(reverse("queues:export_download", args=[job.pk]))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert len(download.content.decode("utf-8-sig").splitlines()) == 4


def test_only_its_requester_sees_and_downloads_an_export(
    client, coordinator_client, scenario, django_capture_on_commit_callbacks
):
    job = request_export(coordinator_client, django_capture_on_commit_callbacks)
    client.force_login(UserFactory(coordinator=True))  # another coordinator of the same territory
    assert client.get(reverse("queues:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("queues:export_download", args=[job.pk])).status_code == 404
    client.force_login(scenario.sam)  # a caseworker
    assert client.get(reverse("queues:export_download", args=[job.pk])).status_code == 403
    # Its requester, out of the coordination since: refused too.
    scenario.coordinator.role = "caseworker"
    scenario.coordinator.save()
    coordinator_client.force_login(scenario.coordinator)
    assert coordinator_client.get(reverse("queues:export_download", args=[job.pk])).status_code == 403


def test_an_expired_export_is_emptied_by_the_sweep_and_no_longer_downloaded(
    coordinator_client, django_capture_on_commit_callbacks
):
    job = request_export(coordinator_client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    exports.queue_exports_sweep(now=job.expires_at - timedelta(minutes=1))
    assert QueueExport.objects.get(pk=job.pk).file_size > 0
    QueueExport.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert exports.queue_exports_sweep() == 1
    job.refresh_from_db()
    assert (bytes(job.content), job.file_size, job.status) == (b"", 0, ExportStatus.DONE)
    page = coordinator_client.get(reverse("queues:export_job", args=[job.pk])).content.decode()
    assert "Export expiré" in page and reverse("queues:export_download", args=[job.pk]) not in page
    assert coordinator_client.get(reverse("queues:export_download", args=[job.pk])).status_code == 404
    QueueExport.objects.filter(pk=job.pk).update(requested_at=timezone.now() - timedelta(days=31))
    exports.queue_exports_sweep()
    assert not QueueExport.objects.exists()


def test_a_pending_export_shows_its_state_and_a_killed_worker_is_replaced(coordinator_client, scenario, settings):
    response = coordinator_client.get(reverse("queues:export_xlsx"))  # on-commit callbacks not run: unsent
    job = QueueExport.objects.get()
    QueueExport.objects.filter(pk=job.pk).update(sent_at=timezone.now())  # as the callback would
    page = coordinator_client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and "La préparation va commencer" in page
    # A worker took it, then died (its heartbeat went stale): put back in the queue, then built.
    now = timezone.now()
    stale = now - timedelta(seconds=settings.JOB_HEARTBEAT_SECONDS + 1)
    QueueExport.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, attempts=1, sent_at=stale, started_at=stale, heartbeat_at=stale
    )
    assert exports.queue_exports_sweep(resend=False) == 1
    job.refresh_from_db()
    assert (job.status, job.sent_at, job.is_retry) == (ExportStatus.PENDING, None, True)
    poll = coordinator_client.get(reverse("queues:export_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert "tentative 2/3" in poll.content.decode() and "HX-Refresh" not in poll
    assert exports.queue_export_run(export_id=job.pk).status == ExportStatus.DONE
    poll = coordinator_client.get(reverse("queues:export_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    with pytest.raises(exports.FinishedExportError):
        exports.queue_export_run(export_id=job.pk)


def test_an_export_whose_requester_left_the_coordination_fails_in_french(coordinator_client, scenario):
    coordinator_client.get(reverse("queues:export_xlsx"))
    job = QueueExport.objects.get()
    scenario.coordinator.role = "caseworker"
    scenario.coordinator.save()
    job = exports.queue_export_run(export_id=job.pk)
    assert job.status == ExportStatus.FAILED
    assert job.error == "Vous ne faites plus partie de la coordination : l'export n'a pas été produit."
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_broker_down_leaves_the_export_in_the_outbox(coordinator_client, monkeypatch, scenario):
    def refuse(*args, **kwargs):
        raise OSError("broker down")

    from web.tasks import queue_export_run_task

    monkeypatch.setattr(queue_export_run_task, "apply_async", refuse)
    job = exports.queue_export_request(by=scenario.coordinator, fmt="xlsx", query="", housed=False)
    assert background.send(queue_export_run_task, QueueExport, job.pk) is False
    job.refresh_from_db()
    assert job.waits_for_broker
    page = coordinator_client.get(reverse("queues:export_job", args=[job.pk])).content.decode()
    assert "Le service de tâches est momentanément indisponible" in page
