"""Bilan runs under faults: the broker down when a bilan is requested, a worker killed mid-run, a
redelivered task, a worker that lost its run to another."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from project.celery import app as celery_app
from reports import services
from reports.enums import PeriodKind, RunStatus
from reports.models import BilanFigure, BilanRun
from reports.tasks import fail_stuck_runs_task
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.exchange.broker import (
    broker_down,  # noqa: F401 (a fixture: Celery sending to an unreachable broker)
    reset_pools,
)
from tests.reports.bilan_scenario import END as PLAN_END
from tests.reports.bilan_scenario import START as PLAN_START
from tests.reports.bilan_scenario import make_scenario
from tests.reports.test_celery_worker import ROOT, database_url

pytestmark = [pytest.mark.django_db, pytest.mark.faults, pytest.mark.usefixtures("integrity_after")]

BROKER_DOWN = "Le traitement démarrera dès que le service de tâches sera de nouveau disponible."
# One year of a département: a short run (the year, its total, its sub-territories).
TERRITORY, START, END = "departement:13", date(2021, 1, 1), date(2021, 12, 31)


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


def pending_run(admin, **fields) -> BilanRun:
    return BilanRun.objects.create(
        territory_kind="departement",
        territory_code="13",
        territory_name="Bouches-du-Rhône",
        start=START,
        end=END,
        period_kind=PeriodKind.YEAR,
        requested_by=admin,
        **fields,
    )


def running_run(admin, *, beat_seconds_ago: int, attempts: int = 1) -> BilanRun:
    now = timezone.now()
    return pending_run(
        admin,
        status=RunStatus.RUNNING,
        requested_at=now - timedelta(seconds=beat_seconds_ago + 10),
        sent_at=now - timedelta(seconds=beat_seconds_ago + 9),
        started_at=now - timedelta(seconds=beat_seconds_ago + 5),
        heartbeat_at=now - timedelta(seconds=beat_seconds_ago),
        attempts=attempts,
    )


def test_with_the_broker_down_a_request_succeeds_and_the_beat_sends_the_run_later(
    client,
    scenario,
    admin,
    broker_down,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:run_request"), {"territory": TERRITORY, "period_kind": "year", "year": 2021}
        )
    assert response.status_code == 302  # not a 500
    page = client.get(response.url).content.decode()
    assert "Le service de tâches est momentanément indisponible." in page
    run = BilanRun.objects.get()
    assert (run.status, run.sent_at, run.attempts) == (RunStatus.PENDING, None, 0)

    BilanRun.objects.filter(pk=run.pk).update(requested_at=timezone.now() - timedelta(minutes=1))
    fail_stuck_runs_task.apply()  # still down: nothing changes, nothing raises
    run.refresh_from_db()
    assert (run.status, run.sent_at) == (RunStatus.PENDING, None)

    broker_down()  # back
    fail_stuck_runs_task.apply()
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.DONE, 1), run.error
    assert run.sent_at is not None and run.figures.exists()


@pytest.mark.django_db(transaction=True)
def test_the_request_page_says_at_once_that_the_computation_will_start_later(
    client,
    geo,
    broker_down,  # noqa: F811
):
    # Outside a test transaction the on-commit send runs before the view answers, as in production.
    admin = UserFactory(username="dreets", administrator=True)
    client.force_login(admin)
    response = client.post(
        reverse("reports:run_request"), {"territory": TERRITORY, "period_kind": "year", "year": 2021}
    )
    assert response.status_code == 302
    assert f"Bilan demandé. {BROKER_DOWN}" in client.get(response.url).content.decode()
    assert BilanRun.objects.get().sent_at is None


def test_a_run_whose_worker_stopped_beating_is_queued_again_then_computed(client, scenario, admin):
    run = running_run(admin, beat_seconds_ago=61)
    alive = running_run(admin, beat_seconds_ago=20)
    client.force_login(admin)
    page = client.get(reverse("reports:run_status", args=[run.pk])).content.decode()
    assert "Interrompu, relancé automatiquement (tentative 2/3)" in page
    assert "<progress" not in page
    run.refresh_from_db()
    assert (run.status, run.sent_at, run.attempts) == (RunStatus.PENDING, None, 1)

    fail_stuck_runs_task.apply()
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.DONE, 2), run.error
    page = client.get(reverse("reports:run_status", args=[alive.pk])).content.decode()
    assert "En cours de calcul" in page and "tentative" not in page


def test_after_the_last_attempt_the_run_fails_with_a_clear_message(client, admin, geo):
    run = running_run(admin, beat_seconds_ago=61, attempts=3)
    assert fail_stuck_runs_task.apply().get() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == (
        "Le calcul a été interrompu 3 fois (arrêt du service de tâches) : il est abandonné. Demandez un nouveau bilan."
    )
    client.force_login(admin)
    page = client.get(reverse("reports:run_status", args=[run.pk])).content.decode()
    assert "Le bilan n'a pas pu être calculé" in page and "hx-get" not in page


def test_a_redelivered_task_takes_over_a_stale_run_and_drops_a_live_one(scenario, admin):
    live, stale = running_run(admin, beat_seconds_ago=10), running_run(admin, beat_seconds_ago=90)
    assert services.bilan_run_execute(run_id=live.pk).status == RunStatus.RUNNING
    live.refresh_from_db()
    assert live.attempts == 1 and not live.figures.exists()

    taken = services.bilan_run_execute(run_id=stale.pk)
    assert (taken.status, taken.attempts) == (RunStatus.DONE, 2), taken.error
    assert taken.figures.exists()


def test_a_redelivered_task_for_a_run_past_its_attempts_fails_it(admin, geo):
    run = running_run(admin, beat_seconds_ago=90, attempts=3)
    assert services.bilan_run_execute(run_id=run.pk).status == RunStatus.FAILED


def test_a_running_bilan_writes_its_heartbeat_between_indicators(scenario, admin, monkeypatch, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0  # every call writes
    beats = []
    real_call = services.background.Heartbeat.__call__

    def counted(self, **fields):
        beats.append(fields)
        return real_call(self, **fields)

    monkeypatch.setattr(services.background.Heartbeat, "__call__", counted)
    run = services.bilan_run_execute(run_id=pending_run(admin).pk)
    assert run.status == RunStatus.DONE, run.error
    steps = [fields for fields in beats if fields]
    assert len(steps) == run.steps_total == len(services.CATALOGUE)  # the progress, one per indicator
    assert run.heartbeat_at > run.started_at


def test_a_worker_whose_run_was_taken_over_stores_nothing(scenario, admin, monkeypatch):
    run = pending_run(admin)
    real_compute = services.compute_cells

    def then_lose_the_run(*args):
        # Meanwhile the sweep gave the run to another worker (attempt 2).
        BilanRun.objects.filter(pk=run.pk).update(attempts=2)
        return real_compute(*args)

    monkeypatch.setattr(services, "compute_cells", then_lose_the_run)
    result = services.bilan_run_execute(run_id=run.pk)
    assert (result.status, result.attempts) == (RunStatus.RUNNING, 2)  # the other worker's
    assert not BilanFigure.objects.filter(run=run).exists()


# --- a real worker killed mid-run (PostgreSQL and Redis) ----------------------------------------------


def _start_worker(queue: str, url: str, redis_url: str, log):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "SECRET_KEY": "celery-worker-test",
        "DB_CONN_MAX_AGE": "0",
        "JOB_HEARTBEAT_SECONDS": "2",
    }
    command = [sys.executable, "-m", "celery", "-A", "project", "worker", "--pool=solo", "-Q", queue]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait(predicate, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.celery_worker
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_is_replaced_and_the_run_computed_once(geo, settings, tmp_path):
    redis_url = os.environ.get("REDIS_URL")
    url = database_url()
    if not redis_url or url is None:
        pytest.skip("Needs PostgreSQL and a real Redis broker (REDIS_URL), as test_celery_worker.py.")
    settings.JOB_HEARTBEAT_SECONDS = 2
    make_scenario(geo)
    admin = UserFactory(username="dreets", administrator=True)
    queue = f"parcours-test-{uuid.uuid4().hex[:8]}"
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_default_queue, conf.broker_url)
    conf.task_always_eager, conf.task_default_queue, conf.broker_url = False, queue, redis_url
    reset_pools()
    log = open(tmp_path / "workers.log", "w")  # noqa: SIM115 (closed in finally)
    # Another session holds the figures table: the first worker computes, then blocks on storing.
    blocker = connections.create_connection("default")
    workers = []
    try:
        with blocker.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("LOCK TABLE reports_bilanfigure IN ACCESS EXCLUSIVE MODE")
        workers.append(_start_worker(queue, url, redis_url, log))
        run = services.bilan_run_request(
            territory=parse_territory("region:93"), start=PLAN_START, end=PLAN_END, by=admin
        )
        assert run.sent is True

        def computed():
            run.refresh_from_db()
            return run.status == RunStatus.RUNNING and run.steps_total and run.steps_done == run.steps_total

        assert _wait(computed), "the first worker never got to storing the figures"
        workers[0].send_signal(signal.SIGKILL)  # kill -9, mid-run
        workers[0].wait(timeout=30)
        with blocker.cursor() as cursor:
            cursor.execute("ROLLBACK")

        # Its heartbeat goes stale; the sweep (beat) puts the run back in the queue and sends it.
        time.sleep(2.5)
        assert _wait(lambda: services.runs_sweep() or BilanRun.objects.get(pk=run.pk).status == RunStatus.PENDING, 30)
        workers.append(_start_worker(queue, url, redis_url, log))
        assert _wait(lambda: BilanRun.objects.get(pk=run.pk).is_finished), "the second worker never finished"
        run.refresh_from_db()
        assert (run.status, run.attempts) == (RunStatus.DONE, 2), run.error
        # Computed once: the killed worker's figures were rolled back with its connection.
        assert run.figures.filter(indicator_code="places_iml_creees", scope="total").count() == 1
        assert run.figures.get(indicator_code="attributions_total", scope="total").count_value == 9
    finally:
        conf.task_always_eager, conf.task_default_queue, conf.broker_url = saved
        reset_pools()
        blocker.close()
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
        log.close()
        print((tmp_path / "workers.log").read_text())  # shown by pytest when the test fails
