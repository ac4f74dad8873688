"""Thin Celery tasks: they take ids and call the services."""

from celery import shared_task

from web.queues import exports


@shared_task(name="web.queue_export_run")
def queue_export_run_task(export_id: int) -> str:
    return exports.queue_export_run(export_id=export_id).status


@shared_task(name="web.queue_exports_sweep")
def queue_exports_sweep_task() -> int:
    """Celery beat, every minute: interrupted exports put back in the queue (or failed), unsent ones sent
    again, expired files emptied (project/background.py)."""
    return exports.queue_exports_sweep()
