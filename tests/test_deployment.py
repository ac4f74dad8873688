"""There is no Docker engine here: check that docker-compose.yml parses and names real commands."""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
    for service in ("web", "worker", "beat", *WORKERS):
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


# One worker service per Celery queue (project/celery.py): the long jobs never wait behind each other.
WORKERS = {"worker": "default", "worker-bilans": "bilans", "worker-imports": "imports", "worker-exports": "exports"}


def test_each_queue_has_its_worker_service_with_a_health_check_of_its_own():
    from project.celery import DEFAULT_QUEUE, QUEUES

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert set(WORKERS.values()) == {DEFAULT_QUEUE, *QUEUES.values()}
    for name, queue in WORKERS.items():
        words = services[name]["command"].split()
        assert words[:4] == ["celery", "-A", "project", "worker"], name
        assert words[words.index("-Q") + 1] == queue and words[words.index("-n") + 1] == f"{queue}@%h", name
        assert f"inspect ping -d {queue}@$$HOSTNAME" in " ".join(services[name]["healthcheck"]["test"]), name


def test_the_long_jobs_are_routed_to_their_queues_and_the_rest_to_the_default_queue():
    from project.celery import app

    app.loader.import_default_modules()
    routed = {
        name: app.amqp.router.route({}, name)["queue"].name for name in app.tasks if not name.startswith("celery.")
    }
    assert routed["reports.bilan_run"] == "bilans"
    assert routed["pathways.import_job_run"] == "imports"
    assert routed["web.queue_export_run"] == "exports"
    others = set(routed) - {"reports.bilan_run", "pathways.import_job_run", "web.queue_export_run"}
    assert others and {routed[name] for name in others} == {"default"}


def production_env(**extra) -> dict[str, str]:
    """The environment of a production server: nothing from the test settings or the shell's Django."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "SECURE_", "SERVE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        ALLOWED_HOSTS="example.org",
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


def make_run_environment() -> dict[str, str]:
    """The variables the Makefile's `run` target sets before runserver."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("RUN_ENV :="))
    return dict(word.split("=", 1) for word in line.removeprefix("RUN_ENV :=").split())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_make_run_server_answers_a_french_404_without_the_url_list_and_serves_css(tmp_path):
    env = production_env(SQLITE_PATH=str(tmp_path / "run.sqlite3"), **make_run_environment())
    env.pop("ALLOWED_HOSTS")
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # up to a minute: a loaded CI machine starts Django slowly
            try:
                status, _headers, page = fetch(f"{base}/adresse-inconnue/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("runserver did not start")
        assert status == 404
        assert "<title>Page introuvable — Parcours</title>" in page
        assert "URLconf" not in page and "admin/" not in page and "Traceback" not in page
        status, _headers, page = fetch(f"{base}/connexion/")
        assert status == 200
        css = re.findall(r'href="([^"]+\.css)"', page)
        assert "/static/css/parcours.css" in css
        for href in css:
            status, headers, _body = fetch(base + href)
            assert status == 200 and headers["Content-Type"].startswith("text/css"), href
    finally:
        server.terminate()
        server.wait(timeout=10)
