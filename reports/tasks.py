"""Thin Celery tasks: they take ids and call the services."""

from celery import shared_task

from reports import services


@shared_task(name="reports.bilan_run")
def bilan_run_task(run_id: int) -> str:
    return services.bilan_run_execute(run_id=run_id).status


@shared_task(name="reports.fail_stuck_runs")
def fail_stuck_runs_task() -> int:
    """Celery beat, every minute: runs whose worker died are put back in the queue (or failed), runs the
    broker never received are sent again (project/background.py)."""
    return services.runs_sweep()
