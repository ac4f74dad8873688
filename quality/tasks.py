"""Thin Celery tasks: the monthly snapshot of the quality trend (quality/snapshots.py) and the nightly
figures of the day (quality/daily.py)."""

from celery import shared_task
from django.utils import timezone

from quality.daily import snapshot_day
from quality.snapshots import snapshot_month_end
from quality.trend import month_ends


@shared_task(name="quality.snapshot_last_month")
def snapshot_last_month_task() -> int:
    """Celery beat, the 1st of each month at night: the month end just passed (recomputed if it already
    has a snapshot). Returns the number of cells written."""
    return snapshot_month_end(month_ends(timezone.localdate(), 1)[-1])


@shared_task(name="quality.snapshot_today")
def snapshot_today_task() -> int:
    """Celery beat, every night: the figures of the day that begins (replacing them if already computed).
    Returns the number of cells written."""
    return snapshot_day(timezone.localdate())
