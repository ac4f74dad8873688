"""Writes on accounts that go beyond one row: privileges derived from the role, sessions ended on a change of
rights, the audit trail of every account change."""

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.enums import Role
from accounts.groups import REFERENCE_DATA_GROUP, reference_data_group
from audit.enums import Target
from audit.services import audit_record, changes_between


def account_privileges_sync(*, user) -> None:
    """Groups follow from the role: an administrator is in the reference-data group and only there; any
    other account is in none (a superuser needs none)."""
    if user.role == Role.ADMINISTRATOR:
        group = Group.objects.filter(name=REFERENCE_DATA_GROUP).first() or reference_data_group()
        if list(user.groups.values_list("pk", flat=True)) != [group.pk]:
            user.groups.set([group])
    elif user.groups.exists():
        user.groups.clear()
    if user.user_permissions.exists():
        user.user_permissions.clear()


def account_sessions_end(*, user) -> int:
    """Delete every live session of `user`: after a change of role, scope or activation, the person signs in
    again with the rights they now hold. Returns how many sessions ended."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def account_snapshot(user) -> dict:
    """What the audit log compares before and after a change of an account."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "territories": user.territories,
        "structures": ", ".join(str(pk) for pk in sorted(user.structures.values_list("pk", flat=True)))
        if user.pk
        else "",
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
    }


def account_audit(*, by, user, action: str, detail: str = "", before: dict | None = None, ip_address=None) -> None:
    """One audit event on an account; with `before`, the fields that changed since."""
    changes = changes_between(before, account_snapshot(user)) if before is not None else None
    audit_record(
        user=by,
        action=action,
        target=Target.ACCOUNT,
        target_id=user.pk,
        detail=detail,
        changes=changes,
        ip_address=ip_address,
    )
