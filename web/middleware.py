"""Request hygiene for every page: refuse NUL characters before any view or query sees them, and keep
pages with personal data out of every cache."""

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

NUL = "\x00"


def _has_nul(values) -> bool:
    return any(NUL in value for value in values)


def request_has_nul(request) -> bool:
    """True when the path, a query or form field (name or value) or a cookie holds a NUL character.
    File contents are not read here: the import checks its files itself."""
    if NUL in request.path:
        return True
    for data in (request.GET, request.COOKIES):
        if _has_nul(data.keys()) or _has_nul(value for values in _lists(data) for value in values):
            return True
    if request.method == "POST":
        post = request.POST
        if _has_nul(post.keys()) or _has_nul(value for values in _lists(post) for value in values):
            return True
        if _has_nul(request.FILES.keys()) or _has_nul(f.name or "" for f in request.FILES.values()):
            return True
    return False


def _lists(data):
    if hasattr(data, "lists"):
        return (values for _key, values in data.lists())
    return ([value] for value in data.values())


class RefuseNulMiddleware:
    """PostgreSQL refuses NUL in text: a NUL typed into a filter, a form or an address would reach a
    query and fail with a server error. Refused here, once, with a French page (status 400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            return HttpResponseBadRequest(render_to_string("errors/nul_character.html"))
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and files carry names and case notes: no browser or proxy may keep a copy (a shared
    computer, a back button after signing out). Static files are answered by WhiteNoise before this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
