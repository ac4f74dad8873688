"""Per-token request limits (docs/api.md). The rates are read from the settings at each request, so an
operator (or a test) changes them without a restart of DRF's class attributes."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """API_THROTTLE_RATE requests per token (e.g. "120/minute"), counted in the default cache."""

    scope = "token"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonymousRateThrottle(SimpleRateThrottle):
    """API_ANONYMOUS_THROTTLE_RATE requests per client address without a valid token (the schema, the
    documentation, and guesses at tokens)."""

    scope = "anonymous"

    def get_rate(self):
        return settings.API_ANONYMOUS_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
