"""Thin Celery tasks: they take ids and call the services."""

from celery import shared_task
from django.utils import timezone

from pathways.anonymisation import households_anonymise
from pathways.exchange import jobs


@shared_task(name="pathways.import_job_run")
def import_job_run_task(job_id: int) -> str:
    return jobs.import_job_run(job_id=job_id).status


@shared_task(name="pathways.fail_stuck_import_jobs")
def fail_stuck_import_jobs_task() -> int:
    """Meant for Celery beat (every few minutes): a job whose worker died is marked failed."""
    return jobs.import_jobs_fail_stuck()


@shared_task(name="pathways.anonymise_inactive")
def anonymise_inactive_task() -> int:
    return households_anonymise(today=timezone.localdate()).households
