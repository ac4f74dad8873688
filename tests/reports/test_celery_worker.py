"""A real Celery worker (a subprocess on Redis) computes a bilan requested through the service."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from project.celery import app as celery_app
from reports import services
from reports.enums import RunStatus
from reports.models import BilanRun
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.reports.bilan_scenario import END, START, make_scenario

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


def database_url() -> str | None:
    """The test database as a DATABASE_URL for the worker; None when the worker cannot reach it."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return None  # SQLite test databases live in this process's memory
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


@pytest.fixture
def worker_queue():
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is unset: this test needs a real Redis broker (CI sets it for the PostgreSQL run).")
    url = database_url()
    if url is None:
        pytest.skip("A Celery worker subprocess cannot reach an in-memory SQLite test database: run on PostgreSQL.")
    # A queue of our own, so that no other worker on this Redis takes the task.
    queue = f"parcours-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "SECRET_KEY": "celery-worker-test",
        "DB_CONN_MAX_AGE": "0",
    }
    command = [sys.executable, "-m", "celery", "-A", "project", "worker", "--pool=solo", "-Q", queue]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False  # the sending side really sends
    celery_app.conf.task_default_queue = queue
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output)  # shown by pytest when the test fails


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_a_requested_run(geo, worker_queue):
    make_scenario(geo)
    admin = UserFactory(administrator=True)
    run = services.bilan_run_request(territory=parse_territory("region:93"), start=START, end=END, by=admin)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished or worker_queue.poll() is not None:
            break
        time.sleep(0.5)
    assert worker_queue.poll() is None, "the worker stopped early"
    assert run.status == RunStatus.DONE, run.error or run.status
    assert run.figures.get(indicator_code="places_iml_creees", scope="total").count_value == 160
    assert run.figures.get(indicator_code="attributions_total", scope="total").count_value == 9
    assert BilanRun.objects.get(pk=run.pk).finished_at is not None
