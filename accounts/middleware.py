from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts.second_factor import has_confirmed_device, second_factor_required, session_verified


class SecondFactorMiddleware:
    """Until an administrator or a superuser has entered a code in this session, every page (the Django
    admin included) sends them to the second-factor pages: the password alone opens nothing. Signing out
    and static files stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.SECOND_FACTOR_REQUIRED
            and second_factor_required(request.user)
            and not session_verified(request)
            and not self._reachable(request.path)
        ):
            name = "accounts:second_factor" if has_confirmed_device(request.user) else "accounts:second_factor_enrol"
            url = reverse(name)
            if request.method == "GET":
                # Back to the page asked for once the code is right; a form sent meanwhile is not replayed.
                url += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(url)
        return self.get_response(request)

    @staticmethod
    def _reachable(path: str) -> bool:
        second_factor_pages = (reverse("accounts:second_factor"), reverse("accounts:second_factor_enrol"))
        sign_out = (reverse("logout"), reverse("admin:logout"))
        return path in second_factor_pages or path in sign_out or path.startswith(settings.STATIC_URL)
