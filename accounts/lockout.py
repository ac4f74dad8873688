"""Lock a user name for a while after repeated failed sign-ins (roles.md)."""

import math
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import LoginLock

MAX_FAILURES = 5
LOCK_MINUTES = 15


def _key(username: str) -> str:
    # Lower-cased so that changing the case of a name does not reset its counter.
    return (username or "").strip().lower()[:150]


def lock_minutes_left(username: str) -> int:
    """Whole minutes before `username` may try again; 0 when it is not locked."""
    locked_until = LoginLock.objects.filter(username=_key(username)).values_list("locked_until", flat=True).first()
    if locked_until is None:
        return 0
    seconds = (locked_until - timezone.now()).total_seconds()
    return math.ceil(seconds / 60) if seconds > 0 else 0


def locked_message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Compte verrouillé après {MAX_FAILURES} tentatives de connexion infructueuses : "
        f"réessayez dans {minutes} {unit}."
    )


@transaction.atomic
def login_failure_record(*, username: str) -> LoginLock:
    """Count one more failure; the MAX_FAILURES-th locks the name for LOCK_MINUTES and restarts the count."""
    now = timezone.now()
    lock, _ = LoginLock.objects.select_for_update().get_or_create(username=_key(username))
    if lock.locked_until and lock.locked_until <= now:
        lock.locked_until = None
    lock.failures += 1
    lock.last_failure_at = now
    if lock.failures >= MAX_FAILURES:
        lock.failures = 0
        lock.locked_until = now + timedelta(minutes=LOCK_MINUTES)
    lock.save()
    return lock


def login_success_record(*, username: str) -> None:
    LoginLock.objects.filter(username=_key(username)).delete()


def name_lock(*, username: str) -> None:
    """Lock the name at once for LOCK_MINUTES, as the MAX_FAILURES-th failed password does: used when the
    second-factor codes fail as often (accounts/second_factor.py)."""
    now = timezone.now()
    LoginLock.objects.update_or_create(
        username=_key(username),
        defaults={"failures": 0, "last_failure_at": now, "locked_until": now + timedelta(minutes=LOCK_MINUTES)},
    )
