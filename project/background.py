"""Background jobs (bilan runs, import jobs) that survive a broker outage and a killed worker.

Both models have a status (pending, running, done, failed), started_at, finished_at, error, and the
three lifecycle fields read here: sent_at, heartbeat_at and attempts.

- Outbox: the row is created pending and unsent (sent_at empty) in the request's transaction; once it
  commits, the task is sent and sent_at set. When the broker cannot be reached the request still
  succeeds, the row stays pending and unsent, and `resend_unsent` (Celery beat, and the list pages) sends
  it again: nothing is lost, nothing is sent before its row exists.
- Heartbeat: a running task writes heartbeat_at every few seconds (`Heartbeat`). `sweep` puts back in
  the queue a running row whose heartbeat is older than JOB_HEARTBEAT_SECONDS (a killed worker), up to
  JOB_MAX_ATTEMPTS workers, then fails it with a French message.
- Ownership: the worker that took a row owns it for its attempt number (`take`); a worker whose row was
  taken over since stops at its next heartbeat (`Superseded`) and never stores its result (`owns`).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is installed with Celery's extra
    RedisError = OSError

logger = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
# What publishing a task raises when the broker is down or unreachable.
SEND_ERRORS = (KombuError, RedisError, OSError)
# A freshly created row is sent by its request's on-commit callback: the sweep leaves it alone this long.
SEND_GRACE_SECONDS = 10
BROKER_DOWN_MESSAGE = "Le traitement démarrera dès que le service de tâches sera de nouveau disponible."


def heartbeat_seconds() -> int:
    """A running row whose last heartbeat is older than this is taken for dead."""
    return getattr(settings, "JOB_HEARTBEAT_SECONDS", 60)


def heartbeat_interval() -> float:
    """How often a running task writes its heartbeat: a twelfth of the limit (5 s by default)."""
    return heartbeat_seconds() / 12


def max_attempts() -> int:
    return getattr(settings, "JOB_MAX_ATTEMPTS", 3)


def pending_max_hours() -> int:
    """A row still pending after this long (broker down for hours) is failed, with its file dropped."""
    return getattr(settings, "JOB_PENDING_MAX_HOURS", 24)


class Superseded(Exception):
    """This worker's row was given to another worker (its heartbeat went stale): stop, store nothing."""


class BackgroundJobMixin:
    """Read-only views of the lifecycle fields, for the status pages."""

    @property
    def attempts_allowed(self) -> int:
        return max_attempts()

    @property
    def is_retry(self) -> bool:
        """Pending again after an interrupted attempt, or running a second (third...) time."""
        return self.attempts > 1 or (self.status == PENDING and self.attempts >= 1)

    @property
    def next_attempt(self) -> int:
        return self.attempts + 1 if self.status == PENDING else self.attempts

    @property
    def waits_for_broker(self) -> bool:
        return self.status == PENDING and self.sent_at is None


def pages_resend() -> bool:
    """Whether a list page's sweep sends again the unsent rows: not in eager mode (no broker, in
    development), where sending runs the whole task inside the page's request."""
    from project.celery import app

    return not app.conf.task_always_eager


def send(task, model, pk: int) -> bool:
    """Hand the task to the broker; True once it is there (sent_at set), False when the broker is down
    (the row stays unsent for `resend_unsent`)."""
    try:
        task.apply_async(args=[pk])
    except SEND_ERRORS as error:
        logger.warning("%s %s not sent (broker unreachable): %r", model.__name__, pk, error)
        return False
    model.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def send_on_commit(task, row) -> None:
    """Send `row`'s task once the current transaction commits; `row.sent` then tells the view whether the
    broker took it (None while the callback has not run)."""
    row.sent = None

    def callback():
        row.sent = send(task, type(row), row.pk)

    transaction.on_commit(callback)


def resend_unsent(queryset, task, *, created_field: str, now=None) -> int:
    """Send again the pending rows that never reached the broker; returns how many were sent."""
    now = now or timezone.now()
    # A new row is being sent by its request; one put back in the queue (attempts > 0) is nobody's.
    settled = Q(attempts__gt=0) | Q(**{f"{created_field}__lt": now - timedelta(seconds=SEND_GRACE_SECONDS)})
    unsent = queryset.filter(settled, status=PENDING, sent_at__isnull=True)
    sent = 0
    for pk in unsent.order_by("pk").values_list("pk", flat=True):
        if not send(task, queryset.model, pk):
            break  # the broker is still down: the next sweep tries again
        sent += 1
    return sent


def sweep(
    queryset,
    *,
    task,
    created_field: str,
    timeout_minutes: int,
    timed_out_error: str,
    gave_up_error: str,
    never_started_error: str,
    on_fail: dict | None = None,
    resend: bool = True,
    now=None,
) -> int:
    """Settle the rows of `queryset` that nobody is working on; returns how many changed state.

    - running longer than `timeout_minutes`: failed;
    - running with a stale heartbeat (killed worker): pending again and unsent, or failed after
      JOB_MAX_ATTEMPTS attempts;
    - pending for JOB_PENDING_MAX_HOURS (broker down all along): failed;
    - pending and unsent: sent again, when `resend` (pages pass `pages_resend()`).
    One SELECT of the unfinished rows, then one UPDATE per case that has rows (each repeating its
    condition, so a row that moved meanwhile is left alone): cheap enough for every list page. `on_fail`:
    more fields set on failure (an import drops its file, which may hold names)."""
    now = now or timezone.now()
    failed = {"status": FAILED, "finished_at": now, **(on_fail or {})}
    too_long = now - timedelta(minutes=timeout_minutes)
    silent = now - timedelta(seconds=heartbeat_seconds())
    too_old = now - timedelta(hours=pending_max_hours())
    cases = {"timed_out": [], "gave_up": [], "requeued": [], "never_started": [], "unsent": []}
    unfinished = queryset.filter(status__in=(PENDING, RUNNING)).order_by("pk")
    for pk, status, started_at, heartbeat_at, attempts, created, sent_at in unfinished.values_list(
        "pk", "status", "started_at", "heartbeat_at", "attempts", created_field, "sent_at"
    ):
        if status == RUNNING and started_at and started_at < too_long:
            cases["timed_out"].append(pk)
        elif status == RUNNING and heartbeat_at and heartbeat_at < silent:
            # Rows without a heartbeat (written before it existed) are left to the timeout.
            cases["gave_up" if attempts >= max_attempts() else "requeued"].append(pk)
        elif status == PENDING and created < too_old:
            cases["never_started"].append(pk)
        elif status == PENDING and sent_at is None:
            cases["unsent"].append(pk)
    model = queryset.model
    changed = 0
    if cases["timed_out"]:
        changed += model.objects.filter(pk__in=cases["timed_out"], status=RUNNING, started_at__lt=too_long).update(
            **failed, error=timed_out_error
        )
    stale = model.objects.filter(status=RUNNING, heartbeat_at__lt=silent)
    if cases["gave_up"]:
        changed += stale.filter(pk__in=cases["gave_up"]).update(**failed, error=gave_up_error)
    if cases["requeued"]:
        requeued = stale.filter(pk__in=cases["requeued"], attempts__lt=max_attempts()).update(
            status=PENDING, sent_at=None
        )
        logger.warning("%s: %s interrupted row(s) put back in the queue", model.__name__, requeued)
        changed += requeued
        cases["unsent"] += cases["requeued"]
    if cases["never_started"]:
        changed += model.objects.filter(
            pk__in=cases["never_started"], status=PENDING, **{f"{created_field}__lt": too_old}
        ).update(**failed, error=never_started_error)
    if resend and cases["unsent"]:
        resend_unsent(model.objects.filter(pk__in=cases["unsent"]), task, created_field=created_field, now=now)
    return changed


def take(model, pk: int, *, finished_error, gave_up_error: str, on_fail: dict | None = None):
    """Give row `pk` to this worker: the row, now running under a new attempt number, or None when it is
    not this worker's to run (another worker's heartbeat is fresh: a duplicate delivery; or it was failed
    here after JOB_MAX_ATTEMPTS). A finished row raises `finished_error`."""
    now = timezone.now()
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=pk)
        if row.status in (DONE, FAILED):
            raise finished_error
        beat = row.heartbeat_at or row.started_at
        if row.status == RUNNING and beat and beat >= now - timedelta(seconds=heartbeat_seconds()):
            logger.warning("%s %s is running with a fresh heartbeat: duplicate task ignored", model.__name__, pk)
            return None
        if row.attempts >= max_attempts():
            model.objects.filter(pk=pk).update(status=FAILED, finished_at=now, error=gave_up_error, **(on_fail or {}))
            return None
        if row.status == RUNNING:
            logger.warning("%s %s: taking over from a worker that stopped beating", model.__name__, pk)
        row.status = RUNNING
        row.started_at = row.heartbeat_at = now
        row.sent_at = row.sent_at or now
        row.attempts += 1
        row.save(update_fields=["status", "started_at", "heartbeat_at", "sent_at", "attempts"])
    return row


def owns(model, pk: int, attempt: int) -> bool:
    """Inside the transaction that stores the result: lock the row and check that it is still this
    worker's (running, same attempt)."""
    return model.objects.select_for_update().filter(pk=pk, status=RUNNING, attempts=attempt).exists()


class Heartbeat:
    """Call it often (between indicators, between import batches); it writes heartbeat_at at most every
    `heartbeat_interval()` seconds, and raises Superseded when the row is no longer this worker's.

    Inside a transaction (the import's writes) an UPDATE would only be seen at commit: on PostgreSQL the
    heartbeat then goes through a connection of its own, in autocommit. Use it as a context manager, so
    that connection is closed."""

    def __init__(self, model, pk: int, attempt: int):
        self.model, self.pk, self.attempt = model, pk, attempt
        self.last = time.monotonic()
        self._side = None
        # Transactions opened after this point are the job's own (a test runs inside one already).
        self._depth = len(connection.atomic_blocks)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self._side is not None:
            self._side.close()
            self._side = None

    def __call__(self, *, force: bool = False, **fields) -> None:
        if not force and not fields and time.monotonic() - self.last < heartbeat_interval():
            return
        self.last = time.monotonic()
        now = timezone.now()
        inside = len(connection.atomic_blocks) > self._depth
        if inside and connection.vendor == "postgresql" and not fields:
            self._beat_aside(now)
            return
        mine = self.model.objects.filter(pk=self.pk, status=RUNNING, attempts=self.attempt)
        if not mine.update(heartbeat_at=now, **fields):
            raise Superseded(f"{self.model.__name__} {self.pk} was taken over by another worker")

    def _beat_aside(self, now) -> None:
        # The row count is not trusted here (a test's uncommitted row is invisible to this connection):
        # ownership is checked again, under lock, when the result is stored (`owns`).
        if self._side is None:
            self._side = connections.create_connection("default")
        table = connection.ops.quote_name(self.model._meta.db_table)
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET heartbeat_at = %s WHERE id = %s AND status = %s AND attempts = %s",
                [now, self.pk, RUNNING, self.attempt],
            )
