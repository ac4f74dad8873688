"""Write the access log. Services call `audit_record` for changes, views for reads and exports."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.enums import RETENTION_DAYS
from audit.models import AuditEvent


def audit_record(
    *,
    user,
    action: str,
    target: str,
    target_id=None,
    household_id=None,
    detail: str = "",
    object_ids=None,
    changes: dict | None = None,
    ip_address: str | None = None,
    username: str = "",
) -> AuditEvent:
    """Log one event. Without a signed-in user (imports, demo data, commands) the event is logged as the
    system's; `username` names who tried when nobody is signed in (a failed sign-in)."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEvent.objects.create(
        user=user,
        username=(user.get_username() if user else username)[:150],
        action=action,
        target=target,
        target_id=target_id,
        household_id=household_id,
        detail=detail[:300],
        object_ids=list(object_ids or []),
        changes=changes or {},
        ip_address=ip_address,
    )


def changes_between(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields whose value differs (values as their str)."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@transaction.atomic
def audit_purge(*, now=None, retention_days: int = RETENTION_DAYS, dry_run: bool = False) -> int:
    """Delete events older than the retention period; return how many (would) go."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    old = AuditEvent.objects.older_than(cutoff)
    count = old.count()
    if not dry_run:
        old.delete()
    return count
