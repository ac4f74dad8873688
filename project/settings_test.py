"""Test settings: strict templates, fast hashing, no secure cookies."""

import os

# The suite runs on production defaults (HSTS, secure headers...) whatever the shell says: `make` exports
# DEBUG=true for the commands it runs, and a test must not pass or fail by the way it was started.
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "test-secret-key")
os.environ.setdefault("SECURE_COOKIES", "false")
# The test client speaks plain HTTP: no redirect to HTTPS (HSTS is only sent on HTTPS anyway).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from project.settings import *  # noqa: E402,F403
from project.settings import TEMPLATES  # noqa: E402


class InvalidTemplateVariable(str):
    """Any unknown variable in a template fails the test that renders it."""

    def __mod__(self, name):
        raise NameError(f"Unknown template variable: {name}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the apps' folders: tests run without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests sign administrators in with force_login; the second-factor tests turn it back on.
SECOND_FACTOR_REQUIRED = False
# A real OpenID Connect provider for the ProConnect tests (tests/oidc_provider/, served by the live server
# under a test URL conf only); the fixture of tests/oidc_provider/fixtures.py sets its RSA key.
INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider", "tests.oidc_provider"]  # noqa: F405
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "PKCE_REQUIRED": False,
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validator.ProConnectLikeValidator",
    "SCOPES": {
        "openid": "Identifiant technique",
        "email": "Adresse électronique",
        "given_name": "Prénoms",
        "usual_name": "Nom d'usage",
        "siret": "SIRET de l'organisation",
        "uid": "Identifiant chez le fournisseur",
        "idp_id": "Fournisseur d'identité",
    },
}
