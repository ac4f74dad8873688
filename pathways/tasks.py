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
    """Celery beat, every minute: jobs whose worker died are put back in the queue (or failed), jobs the
    broker never received are sent again (project/background.py)."""
    return jobs.import_jobs_sweep()


@shared_task(name="pathways.purge_import_jobs")
def purge_import_jobs_task() -> int:
    """Celery beat, daily: import jobs older than 12 months go, with their errors."""
    return jobs.import_jobs_purge()


@shared_task(name="pathways.anonymise_inactive")
def anonymise_inactive_task() -> int:
    return households_anonymise(today=timezone.localdate()).households
