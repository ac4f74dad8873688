"""The audit trail of signing in and out (roles.md): sign-ins, failed sign-ins with the name typed, lockouts
and sign-outs, each with the address. Connected in accounts/apps.py."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from accounts.lockout import client_ip, typed_username
from accounts.models import User
from accounts.services import account_sessions_end
from audit.enums import Action, Target
from audit.services import audit_record


def _ip(request):
    return client_ip(request) if request is not None and hasattr(request, "META") else None


@receiver(user_logged_in, dispatch_uid="accounts_audit_sign_in")
def audit_sign_in(sender, request, user, **kwargs):
    # A ProConnect sign-in says so, and whether the identity provider checked a second factor (accounts/oidc.py).
    audit_record(
        user=user,
        action=Action.SIGN_IN,
        target=Target.SESSION,
        target_id=user.pk,
        detail=getattr(user, "sign_in_detail", ""),
        ip_address=_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="accounts_audit_sign_in_failed")
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    # A refused ProConnect identity: the address the provider gave, and why (accounts/oidc.py).
    refusal = getattr(request, "oidc_refusal", None)
    audit_record(
        user=None,
        action=Action.SIGN_IN_FAILED,
        target=Target.SESSION,
        username=refusal.email.lower() if refusal else typed_username(request, credentials),
        detail=refusal.detail if refusal else "",
        ip_address=_ip(request),
    )


@receiver(user_logged_out, dispatch_uid="accounts_audit_sign_out")
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            user=user, action=Action.SIGN_OUT, target=Target.SESSION, target_id=user.pk, ip_address=_ip(request)
        )


@receiver(user_locked_out, dispatch_uid="accounts_audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    audit_record(
        user=None,
        action=Action.LOCKOUT,
        target=Target.SESSION,
        username=username or "",
        ip_address=ip_address,
        detail="connexion refusée : trop d'échecs",
    )


@receiver(m2m_changed, sender=User.structures.through, dispatch_uid="accounts_structures_end_sessions")
def end_sessions_on_structures_change(sender, instance, action, reverse, pk_set, **kwargs):
    # A caseworker's scope is its structures: a change ends its sessions, like a change of role.
    if action not in ("post_add", "post_remove", "post_clear") or (action != "post_clear" and not pk_set):
        return
    users = [instance] if not reverse else User.objects.filter(pk__in=pk_set or [])
    for user in users:
        account_sessions_end(user=user)
