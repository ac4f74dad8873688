from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pathways.enums import ImportStatus
from pathways.models import ImportJob
from pathways.tasks import fail_stuck_import_jobs_task
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

STUCK_ERROR = "L'import n'a pas abouti en 30 minutes : il a été interrompu. Déposez le fichier à nouveau."


@pytest.fixture
def admin():
    return UserFactory(username="dreets", administrator=True)


def running_job(user, minutes: int, name: str) -> ImportJob:
    return ImportJob.objects.create(
        uploaded_by=user,
        file_name=name,
        file_size=3,
        content=b"abc",
        status=ImportStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=minutes),
    )


def test_the_timeout_is_30_minutes_by_default():
    assert settings.IMPORT_JOB_TIMEOUT_MINUTES == 30
    assert settings.CELERY_BEAT_SCHEDULE["fail-stuck-import-jobs"]["task"] == fail_stuck_import_jobs_task.name


def test_the_beat_task_fails_a_job_running_for_31_minutes_not_29(admin):
    stuck, recent = running_job(admin, 31, "bloque.zip"), running_job(admin, 29, "recent.zip")
    assert fail_stuck_import_jobs_task.apply().get() == 1
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == ImportStatus.FAILED
    assert stuck.error == STUCK_ERROR
    assert stuck.finished_at is not None
    assert bytes(stuck.content) == b""  # the file may hold names: dropped as when a job finishes
    assert recent.status == ImportStatus.RUNNING and recent.error == ""
    assert bytes(recent.content) == b"abc"


def test_reading_the_job_list_fails_the_stuck_jobs_of_the_user(client, admin):
    stuck, recent = running_job(admin, 31, "bloque.zip"), running_job(admin, 29, "recent.zip")
    other = running_job(UserFactory(administrator=True, territories="departement:13"), 31, "autre.zip")
    client.force_login(admin)
    assert client.get(reverse("exchange:job_list")).status_code == 200
    assert ImportJob.objects.get(pk=stuck.pk).status == ImportStatus.FAILED
    assert ImportJob.objects.get(pk=recent.pk).status == ImportStatus.RUNNING
    # Another administrator's job is not this page's: the beat task or its owner's page fails it.
    assert ImportJob.objects.get(pk=other.pk).status == ImportStatus.RUNNING


def test_the_status_fragment_fails_a_stuck_job_and_asks_for_a_reload(client, admin, settings):
    settings.IMPORT_JOB_TIMEOUT_MINUTES = 60
    job = running_job(admin, 59, "lent.zip")
    client.force_login(admin)
    response = client.get(reverse("exchange:job_status", args=[job.pk]))
    assert "HX-Refresh" not in response
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING

    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(minutes=61))
    response = client.get(reverse("exchange:job_status", args=[job.pk]))
    assert response["HX-Refresh"] == "true"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error == "L'import n'a pas abouti en 60 minutes : il a été interrompu. Déposez le fichier à nouveau."
