"""Thin Celery tasks: they take ids and call the services."""

from celery import shared_task

from pathways.exchange import jobs


@shared_task(name="pathways.import_job_run")
def import_job_run_task(job_id: int) -> str:
    return jobs.import_job_run(job_id=job_id).status
