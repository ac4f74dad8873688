"""The five-minute sweep: what no signal told.

- items done by opening (NotificationQuerySet.opened_since_made) get their cleared_at;
- a bilan or an import failed with .update() (project/background.py sweep, a crash) sent no post_save:
  its requester's item is made here, for jobs finished in the last two days that have none;
- items whose email never reached the broker (it was down) are sent again;
- items done more than CLEARED_RETENTION_DAYS ago are deleted."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from notifications.enums import EmailStatus, Kind
from notifications.models import Notification
from notifications.services import notifications_settle, notify

CATCH_UP_DAYS = 2
# Items done this long ago are deleted (a stall marked as done by hand may then be signalled again).
CLEARED_RETENTION_DAYS = 180
# A new item's email is being sent by its own transaction's on-commit callback: left alone this long.
EMAIL_GRACE_MINUTES = 10


@dataclass(frozen=True)
class SweepOutcome:
    settled: int
    jobs: int
    resent: int
    purged: int = 0

    @property
    def total(self) -> int:
        return self.settled + self.jobs + self.resent + self.purged


def _missing(queryset, kind: str, prefix: str):
    """The rows of `queryset` with no item yet (whose key is `prefix` and the row's id)."""
    key = Concat(Value(prefix), Cast(OuterRef("pk"), CharField()))
    return queryset.filter(~Exists(Notification.objects.filter(kind=kind, key=key)))


def finished_jobs_catch_up(*, now=None) -> int:
    from notifications.receivers import bilan_run_item, import_job_item
    from pathways.models import IMPORT_FINISHED_STATUSES, ImportJob
    from reports.enums import FINISHED_STATUSES
    from reports.models import BilanRun

    since = (now or timezone.now()) - timedelta(days=CATCH_UP_DAYS)
    made = 0
    jobs = ImportJob.objects.filter(status__in=IMPORT_FINISHED_STATUSES, finished_at__gte=since)
    for job in _missing(jobs, Kind.IMPORT_FINISHED, "import:").select_related("uploaded_by").defer("content"):
        made += len(notify(item=import_job_item(job), recipients=[job.uploaded_by]))
    runs = BilanRun.objects.filter(status__in=FINISHED_STATUSES, finished_at__gte=since)
    for run in _missing(runs, Kind.BILAN_FINISHED, "bilan:").select_related("requested_by"):
        made += len(notify(item=bilan_run_item(run), recipients=[run.requested_by]))
    return made


def unsent_emails_resend(*, now=None) -> int:
    from notifications.tasks import send_emails_task
    from project.background import SEND_ERRORS

    now = now or timezone.now()
    unsent = Notification.objects.filter(
        email_status=EmailStatus.PENDING,
        created_at__lt=now - timedelta(minutes=EMAIL_GRACE_MINUTES),
        created_at__gte=now - timedelta(days=CATCH_UP_DAYS),
    )
    ids = list(unsent.order_by("pk").values_list("pk", flat=True)[:5000])
    if not ids:
        return 0
    try:
        send_emails_task.delay(ids)
    except SEND_ERRORS:
        return 0
    return len(ids)


def cleared_purge(*, now=None) -> int:
    old = (now or timezone.now()) - timedelta(days=CLEARED_RETENTION_DAYS)
    deleted, _ = Notification.objects.filter(cleared_at__lt=old).delete()
    return deleted


def notifications_sweep(*, now=None) -> SweepOutcome:
    return SweepOutcome(
        settled=notifications_settle(),
        jobs=finished_jobs_catch_up(now=now),
        resent=unsent_emails_resend(now=now),
        purged=cleared_purge(now=now),
    )
