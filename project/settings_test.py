"""Test settings: strict templates, fast hashing, no secure cookies."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key")
os.environ.setdefault("SECURE_COOKIES", "false")

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
