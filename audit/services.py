"""Write the access log. Services call `audit_record` for changes, views for reads and exports."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.enums import RETENTION_DAYS
from audit.models import AuditEvent


def audit_record(*, user, action: str, target: str, target_id=None, household_id=None, detail: str = "") -> None:
    """Log one event. Without a signed-in user (imports, demo data, commands) the event is logged as the
    system's."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    AuditEvent.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        target=target,
        target_id=target_id,
        household_id=household_id,
        detail=detail[:300],
    )


@transaction.atomic
def audit_purge(*, now=None, retention_days: int = RETENTION_DAYS, dry_run: bool = False) -> int:
    """Delete events older than the retention period; return how many (would) go."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    old = AuditEvent.objects.older_than(cutoff)
    count = old.count()
    if not dry_run:
        old.delete()
    return count
