"""Lock sign-ins after repeated failures (roles.md), with django-axes.

Failures are counted per user name *and* address: 5 failures of one name from one address lock that name
at that address for 15 minutes (AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME), so that nobody can lock another
person's account from elsewhere; AXES_IP_FAILURE_LIMIT failures from one address, whatever the names,
lock the address (password spraying). Settings in project/settings.py, decisions in docs/roles.md."""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.template.response import TemplateResponse
from django.utils import timezone


def typed_username(request, credentials) -> str:
    """The name as axes counts it: lower-cased and trimmed, so that changing its case gives no fresh tries."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = getattr(request, "POST", {}).get("username")
    return (username or "").strip().lower()[:150]


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with PROXY_COUNT reverse proxies in front, the address the
    farthest trusted proxy saw (X-Forwarded-For, that many entries from the right; earlier ones can be
    forged by the client)."""
    count = getattr(settings, "PROXY_COUNT", 0)
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def _cool_off_start():
    return timezone.now() - get_cool_off()


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a different limit per lockout parameter: AXES_FAILURE_LIMIT for a name
    at an address, AXES_IP_FAILURE_LIMIT for an address. axes compares one number with AXES_FAILURE_LIMIT,
    so the address's count is scaled to it."""

    def get_failures(self, request, credentials=None) -> int:
        by_name, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return max(by_name, by_address * settings.AXES_FAILURE_LIMIT // settings.AXES_IP_FAILURE_LIMIT)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # A refused ProConnect identity guessed no secret of ours (accounts/oidc.py): not counted, or
        # five uninvited colleagues behind one address would lock everyone's ProConnect sign-in there.
        if "nonce" in (credentials or {}):
            return None
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A right password clears that name's failures at that address only: one known account must not
        # wipe the address's count of a spraying attempt.
        name_at_address = self.filter_user_attempts(request, credentials)[0]
        count, _ = name_at_address.delete()
        return count


def lock_minutes_left(request, username: str) -> int:
    """Whole minutes before `username` may try again from this request's address; 0 when not locked."""
    credentials = {"username": username}
    if not AxesProxyHandler.is_locked(request, credentials):
        return 0
    name = get_client_username(request, credentials)
    address = request.axes_ip_address
    recent = AccessAttempt.objects.filter(attempt_time__gte=_cool_off_start())
    by_name = recent.filter(username=name, ip_address=address).aggregate(
        total=Sum("failures_since_start"), last=Max("attempt_time")
    )
    if (by_name["total"] or 0) >= settings.AXES_FAILURE_LIMIT:
        last = by_name["last"]
    else:
        last = recent.filter(ip_address=address).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return 0
    seconds = (last + get_cool_off() - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def locked_message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Compte verrouillé après {settings.AXES_FAILURE_LIMIT} tentatives de connexion infructueuses : "
        f"réessayez dans {minutes} {unit}."
    )


def lockout_response(request, original_response, credentials):
    """What axes answers when it refuses a sign-in: the sign-in form itself already says why, in French
    (accounts/forms.py), so it is sent as it is; any other door gets a page with the same message."""
    if original_response is not None and getattr(original_response, "context_data", None):
        form = original_response.context_data.get("form")
        if form is not None and form.errors:
            return original_response
    minutes = lock_minutes_left(request, typed_username(request, credentials)) or math.ceil(
        get_cool_off().total_seconds() / 60
    )
    return TemplateResponse(
        request,
        "accounts/locked.html",
        {"title": "Compte verrouillé", "message": locked_message(minutes), "nav_items": []},
        status=429,
    )
