"""Thin Celery tasks: they take ids and call notifications/emails.py and sweep.py."""

import logging

from celery import shared_task
from django.utils import timezone

from notifications import emails, stalled, sweep

logger = logging.getLogger(__name__)


def _countdown(retries: int) -> int:
    """1, 2, 4... minutes between attempts (no wait when tasks run in-process, without a broker)."""
    return 60 * 2**retries


def _attempts(task, send, ids):
    """Run `send(ids)` (it returns the ids that failed) and retry the failed ones, up to
    emails.max_attempts() in all; returns the ids still failing after the last attempt, or raises
    Retry for the worker to try again later. Without a broker (development, tests) tasks run in-process
    and Celery's retry would raise into the caller: the attempts then follow one another at once."""
    failed = send(ids)
    if task.request.is_eager:
        attempt = 1
        while failed and attempt < emails.max_attempts():
            failed, attempt = send(failed), attempt + 1
        return failed
    if failed and task.request.retries + 1 < emails.max_attempts():
        raise task.retry(args=[failed], countdown=_countdown(task.request.retries))
    return failed


@shared_task(bind=True, name="notifications.send_emails", max_retries=None)
def send_emails_task(self, ids: list[int]) -> int:
    """Send the emails of new items; a failed sending is retried, then the items are marked failed and
    the failure logged. Returns how many items failed for good."""
    failed = _attempts(self, emails.send_item_emails, ids)
    if failed:
        emails.give_up(failed)
    return len(failed)


@shared_task(bind=True, name="notifications.send_digests", max_retries=None)
def send_digests_task(self, user_ids: list[int] | None = None) -> int:
    """Celery beat, weekly (Monday morning): the digest of each person who chose it."""
    sent = []

    def send(ids):
        count, failed = emails.send_digests(ids)
        sent.append(count)
        return failed

    failed = _attempts(self, send, user_ids)
    if failed:
        logger.error("Digest emails given up after %s attempts: users %s", emails.max_attempts(), failed)
    return sum(sent)


@shared_task(name="notifications.detect_stalled")
def detect_stalled_task() -> int:
    """Celery beat, daily: an item for the followers of each pathway that became « bloqué »."""
    return stalled.stalled_detect(on=timezone.localdate()).made


@shared_task(name="notifications.sweep")
def sweep_task() -> int:
    """Celery beat, every 5 minutes: items done by opening, finished jobs whose failure sent no signal,
    emails the broker never received."""
    return sweep.notifications_sweep().total
