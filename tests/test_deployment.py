"""There is no Docker engine here: check that docker-compose.yml parses and names real commands."""

import shutil
from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_runs_web_worker_beat_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name


def test_every_command_of_the_compose_file_exists():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    commands = get_commands()
    venv_bin = ROOT / ".venv" / "bin"
    for service in ("web", "worker", "beat"):
        command = compose["services"][service]["command"]
        for part in command.replace('"', " ").split("&&"):
            words = part.split()
            if words[0] == "sh":
                words = words[2:]
            if words[:2] == ["python", "manage.py"]:
                assert words[2] in commands, f"{service}: manage.py {words[2]}"
            else:
                assert shutil.which(words[0]) or (venv_bin / words[0]).exists(), f"{service}: {words[0]}"
    assert (ROOT / "Dockerfile").exists()
