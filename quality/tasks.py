"""Thin Celery task: the monthly snapshot of the quality trend (quality/snapshots.py)."""

from celery import shared_task
from django.utils import timezone

from quality.snapshots import snapshot_month_end
from quality.trend import month_ends


@shared_task(name="quality.snapshot_last_month")
def snapshot_last_month_task() -> int:
    """Celery beat, the 1st of each month at night: the month end just passed (recomputed if it already
    has a snapshot). Returns the number of cells written."""
    return snapshot_month_end(month_ends(timezone.localdate(), 1)[-1])
