"""Email goes through Django's backend, configured from the environment (docs/configuration.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import json, project.settings as s; print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, "
    "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL, s.INVITATION_DAYS]))"
)


def settings_with(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEFAULT_FROM", "INVITATION"))}
    clean.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_development_prints_mail_on_the_console():
    assert settings_with(DEBUG="true")[0] == "django.core.mail.backends.console.EmailBackend"


def test_production_sends_by_smtp_from_the_environment():
    assert settings_with(
        SECRET_KEY="x",
        EMAIL_HOST="smtp.exemple.invalid",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="parcours",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="Parcours <parcours@exemple.invalid>",
        INVITATION_DAYS="3",
    ) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.exemple.invalid",
        587,
        "parcours",
        "secret",
        True,
        "Parcours <parcours@exemple.invalid>",
        3,
    ]


def test_the_tests_keep_mail_in_memory():
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
