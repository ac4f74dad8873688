"""The database settings survive a database restart: persistent connections are health-checked."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_settings(url: str) -> dict:
    """DATABASES["default"] as a fresh process builds it from DATABASE_URL (settings are read once)."""
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "DATABASE_URL": url}
    code = "import json, project.settings as s; print(json.dumps(s.DATABASES['default'], default=str))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_postgresql_url_checks_persistent_connections_before_reusing_them():
    # Without the check, each worker's kept connection fails its first request after a restart (a 500).
    database = database_settings("postgres://parcours@db.example:5432/parcours")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
