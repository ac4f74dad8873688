import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts.second_factor import (
    REQUIRED_SESSION_KEY,
    has_confirmed_device,
    is_administrator_page,
    second_factor_required,
    session_verified,
)


class SecondFactorMiddleware:
    """Until a session that needs the second factor has entered a code, every page (the Django admin
    included) sends it to the second-factor pages: the password alone opens nothing. A session needs it
    when its account is an administrator's, a superuser's or has admin access, and any session at all
    once it reaches the admin or an administrator page. Signing out and static files stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SECOND_FACTOR_REQUIRED and request.user.is_authenticated and not self._reachable(request.path):
            if not request.session.get(REQUIRED_SESSION_KEY) and is_administrator_page(request.path_info):
                request.session[REQUIRED_SESSION_KEY] = True
            if second_factor_required(request.user, request) and not session_verified(request):
                return self._to_second_factor(request)
        return self.get_response(request)

    @staticmethod
    def _to_second_factor(request):
        name = "accounts:second_factor" if has_confirmed_device(request.user) else "accounts:second_factor_enrol"
        url = reverse(name)
        if request.method == "GET":
            # Back to the page asked for once the code is right; a form sent meanwhile is not replayed.
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)

    @staticmethod
    def _reachable(path: str) -> bool:
        second_factor_pages = (reverse("accounts:second_factor"), reverse("accounts:second_factor_enrol"))
        sign_out = (reverse("logout"), reverse("admin:logout"))
        return path in second_factor_pages or path in sign_out or path.startswith(settings.STATIC_URL)


# When a session's expiry was last pushed ahead (epoch seconds, in the session itself).
REFRESHED_SESSION_KEY = "refreshed_at"
REFRESH_AFTER_SECONDS = 60


class SlidingSessionMiddleware:
    """A session expires SESSION_COOKIE_AGE after its last request (30 minutes idle, roles.md) without
    writing the session row on every request: it is saved again, with its expiry pushed ahead, once
    the last save is more than a minute old. A session thus ends between 29 and 30 minutes idle, and a
    page costs no write (three queries: begin, update, commit) for the requests in between. After the
    session middleware, so that its mark is there before the session is saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response  # no session, or signed out by this request: nothing to keep alive
        now = int(time.time())
        if session.modified or now - session.get(REFRESHED_SESSION_KEY, 0) >= REFRESH_AFTER_SECONDS:
            session[REFRESHED_SESSION_KEY] = now
        return response
