"""Import jobs under faults: broker down, killed workers, concurrent imports, a database outage, and
bad files (NUL bytes, archives that lie, a million errors, hostile names)."""

import io
import struct
import zipfile
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection, connections
from django.urls import reverse
from django.utils import timezone

from audit.enums import Action
from audit.models import AuditEvent
from pathways.enums import ImportStatus
from pathways.exchange import importer, jobs
from pathways.exchange.lock import BUSY_MESSAGE, LOCK_KEY, import_lock
from pathways.exchange.reading import SourceError, read_source
from pathways.models import ImportJob, Pathway
from pathways.tasks import fail_stuck_import_jobs_task, purge_import_jobs_task
from tests.accounts.factories import UserFactory
from tests.exchange.folders import content, replace_line, write_folder
from tests.exchange.test_import import nothing_written
from tests.exchange.uploads import folder_zip, upload, zip_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.faults, pytest.mark.usefixtures("integrity_after")]

BROKER_DOWN = "Le traitement démarrera dès que le service de tâches sera de nouveau disponible."
# structures.csv alone: its own errors only, none from the files that refer to it.
ONLY_STRUCTURES = {
    f"{name}_csv": None
    for name in ("sites", "households", "pathways", "situations", "transitions", "contacts", "measures", "labels")
}


@pytest.fixture
def admin(client, geo):
    user = UserFactory(username="dreets", administrator=True)
    client.force_login(user)
    return user


def job_of(admin, data: bytes, name: str = "echange.zip", **fields) -> ImportJob:
    """A job as the upload page leaves it, without the upload's checks (what a worker may be given)."""
    return ImportJob.objects.create(uploaded_by=admin, file_name=name, file_size=len(data), content=data, **fields)


def age(job, **delta) -> None:
    """Move a job's clock back, as if uploaded (and sent) that long ago."""
    ImportJob.objects.filter(pk=job.pk).update(uploaded_at=timezone.now() - timedelta(**delta))


# --- broker down: the outbox ------------------------------------------------------------------------


def test_with_the_broker_down_the_upload_succeeds_and_the_beat_sends_the_job_later(
    client, admin, tmp_path, broker_down, django_capture_on_commit_callbacks
):
    response, job = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path))
    assert response.status_code == 302  # not a 500
    page = client.get(response["Location"]).content.decode()
    assert BROKER_DOWN in page
    job.refresh_from_db()
    assert (job.status, job.sent_at, job.attempts) == (ImportStatus.PENDING, None, 0)
    assert bytes(job.content)  # kept until it is imported, or failed after JOB_PENDING_MAX_HOURS
    status = client.get(reverse("exchange:job_status", args=[job.pk])).content.decode()
    assert "le service de tâches est momentanément indisponible" in status

    # Still down: the beat's sweep tries, fails quietly, and the job waits.
    age(job, minutes=1)
    fail_stuck_import_jobs_task.apply()
    job.refresh_from_db()
    assert (job.status, job.sent_at) == (ImportStatus.PENDING, None)

    broker_down()  # the broker is back (here: tasks run on sending, as in development)
    fail_stuck_import_jobs_task.apply()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    assert job.sent_at is not None and job.attempts == 1
    assert Pathway.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_upload_page_says_at_once_that_the_import_will_start_later(client, geo, tmp_path, broker_down):
    # Outside a test transaction the on-commit send runs before the view answers, as in production.
    client.force_login(UserFactory(username="dreets", administrator=True))
    response = client.post(reverse("exchange:upload"), {"file": folder_zip(tmp_path)})
    assert response.status_code == 302
    assert f"Fichier reçu. {BROKER_DOWN}" in client.get(response.url).content.decode()
    assert ImportJob.objects.get().sent_at is None


def test_the_list_page_sends_again_what_the_broker_did_not_take(client, admin, tmp_path, broker_down, monkeypatch):
    job = job_of(admin, zip_bytes(write_folder(tmp_path / "in")))
    age(job, minutes=1)
    sent = []
    monkeypatch.setattr("project.background.send", lambda task, model, pk: sent.append(pk) or False)
    assert client.get(reverse("exchange:job_list")).status_code == 200
    assert sent == [job.pk]
    # The status fragment, polled every 2 seconds, does not.
    client.get(reverse("exchange:job_status", args=[job.pk]))
    assert sent == [job.pk]


def test_a_new_job_is_left_to_its_request_for_ten_seconds_then_sent_by_the_beat(admin, monkeypatch):
    job = job_of(admin, b"abc")
    sent = []
    monkeypatch.setattr("project.background.send", lambda task, model, pk: sent.append(pk) or True)
    fail_stuck_import_jobs_task.apply()
    assert sent == []  # its request is sending it at this very moment: no duplicate
    age(job, seconds=11)
    fail_stuck_import_jobs_task.apply()
    assert sent == [job.pk]


def test_a_job_that_never_reached_a_worker_is_failed_after_a_day_and_drops_its_file(admin, tmp_path, broker_down):
    stale, recent = job_of(admin, b"abc", "a.zip"), job_of(admin, b"abc", "b.zip")
    age(stale, hours=25)
    age(recent, hours=23)
    fail_stuck_import_jobs_task.apply()
    stale.refresh_from_db()
    recent.refresh_from_db()
    assert stale.status == ImportStatus.FAILED
    assert stale.error == (
        "L'import n'a pas pu démarrer en 24 heures : le service de tâches est resté indisponible. "
        "Déposez le fichier à nouveau."
    )
    assert bytes(stale.content) == b""
    assert recent.status == ImportStatus.PENDING and bytes(recent.content) == b"abc"


# --- killed workers: heartbeat, attempts, takeover -----------------------------------------------------


def running(admin, data=b"abc", *, beat_seconds_ago: int, attempts: int = 1) -> ImportJob:
    now = timezone.now()
    return job_of(
        admin,
        data,
        status=ImportStatus.RUNNING,
        started_at=now - timedelta(seconds=beat_seconds_ago + 5),
        heartbeat_at=now - timedelta(seconds=beat_seconds_ago),
        sent_at=now - timedelta(seconds=beat_seconds_ago + 6),
        attempts=attempts,
    )


def test_a_job_whose_worker_stopped_beating_is_queued_again_and_imported(client, admin, tmp_path):
    job = running(admin, zip_bytes(write_folder(tmp_path / "in")), beat_seconds_ago=61)
    alive = running(admin, beat_seconds_ago=30)
    ImportJob.objects.filter(pk=job.pk).update(uploaded_at=timezone.now() - timedelta(minutes=2))

    # The status page, polled meanwhile, says what happened instead of spinning.
    status_url = reverse("exchange:job_status", args=[job.pk])
    page = client.get(status_url).content.decode()
    assert "Interrompu, relancé automatiquement (tentative 2/3)" in page
    job.refresh_from_db()
    assert (job.status, job.sent_at) == (ImportStatus.PENDING, None)

    fail_stuck_import_jobs_task.apply()  # the beat sends it again; a worker takes it
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportStatus.DONE, 2), job.error
    assert Pathway.objects.count() == 2
    alive.refresh_from_db()
    assert (alive.status, alive.attempts) == (ImportStatus.RUNNING, 1)  # its worker is alive


def test_after_the_last_attempt_the_job_fails_with_a_clear_message_and_drops_its_file(admin):
    job = running(admin, beat_seconds_ago=61, attempts=3)
    assert fail_stuck_import_jobs_task.apply().get() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error == (
        "L'import a été interrompu 3 fois (arrêt du service de tâches) : il est abandonné, rien n'a été "
        "importé. Déposez le fichier à nouveau."
    )
    assert bytes(job.content) == b""


def test_a_redelivered_task_takes_over_a_stale_job_and_drops_a_live_one(admin, tmp_path):
    data = zip_bytes(write_folder(tmp_path / "in"))
    stale, live = running(admin, data, beat_seconds_ago=90), running(admin, data, beat_seconds_ago=10)

    assert jobs.import_job_run(job_id=live.pk).status == ImportStatus.RUNNING
    live.refresh_from_db()
    assert live.attempts == 1 and bytes(live.content) == data
    assert Pathway.objects.count() == 0

    taken = jobs.import_job_run(job_id=stale.pk)
    assert (taken.status, taken.attempts) == (ImportStatus.DONE, 2), taken.error
    assert Pathway.objects.count() == 2


def test_a_worker_whose_job_was_taken_over_stores_nothing(admin, tmp_path, monkeypatch, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0  # every heartbeat writes
    job = job_of(admin, zip_bytes(write_folder(tmp_path / "in")))
    real_read = jobs.read_source

    def read_then_lose_the_job(*args, **kwargs):
        files = real_read(*args, **kwargs)
        # Meanwhile the sweep gave the job to another worker (attempt 2).
        ImportJob.objects.filter(pk=job.pk).update(attempts=2)
        return files

    monkeypatch.setattr(jobs, "read_source", read_then_lose_the_job)
    result = jobs.import_job_run(job_id=job.pk)
    assert (result.status, result.attempts) == (ImportStatus.RUNNING, 2)  # the other worker's
    nothing_written()
    assert not AuditEvent.objects.filter(action=Action.IMPORT).exists()


@pytest.mark.django_db(transaction=True)
def test_a_running_import_writes_its_heartbeat(admin, tmp_path, monkeypatch, settings):
    """The whole import runs in its transaction: on PostgreSQL its heartbeats go through a connection
    of their own, which sees only committed rows (hence a committed job here)."""
    settings.JOB_HEARTBEAT_SECONDS = 0
    beats = []
    real_call = jobs.background.Heartbeat.__call__

    def counted(self, **kwargs):
        beats.append(self.pk)
        return real_call(self, **kwargs)

    monkeypatch.setattr(jobs.background.Heartbeat, "__call__", counted)
    job = job_of(admin, zip_bytes(write_folder(tmp_path / "in")))
    result = jobs.import_job_run(job_id=job.pk)
    assert result.status == ImportStatus.DONE
    # Between files (9), after validation, and between the writer's batches.
    assert len(beats) > 15 and set(beats) == {job.pk}
    assert result.heartbeat_at > result.started_at


# --- one import at a time ------------------------------------------------------------------------------


class _OtherImport:
    """Another process holding the instance's import lock."""

    def __enter__(self):
        if connection.vendor == "postgresql":
            self.other = connections.create_connection("default")
            with self.other.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                assert cursor.fetchone()[0]
        else:
            self.other = import_lock()
            self.other.__enter__()
        return self

    def __exit__(self, *exc_info):
        if connection.vendor == "postgresql":
            self.other.close()  # the server releases a session's locks with it
        else:
            self.other.__exit__(*exc_info)


def test_a_second_import_is_refused_at_once_in_french(admin, tmp_path):
    folder = write_folder(tmp_path / "in")
    job = job_of(admin, zip_bytes(folder))
    with _OtherImport():
        with pytest.raises(CommandError, match="Un autre import est en cours sur cette instance"):
            call_command("import_exchange", str(folder), stdout=StringIO(), stderr=StringIO())
        result = jobs.import_job_run(job_id=job.pk)
    assert result.status == ImportStatus.FAILED
    assert result.error == BUSY_MESSAGE
    nothing_written()
    # Once the other import is over, the lock is free again.
    call_command("import_exchange", str(folder), stdout=StringIO())
    assert Pathway.objects.count() == 2


def test_a_database_outage_during_the_command_is_a_french_message(geo, tmp_path, monkeypatch):
    def outage(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("pathways.management.commands.import_exchange.import_exchange", outage)
    with pytest.raises(CommandError) as failure:
        call_command("import_exchange", str(write_folder(tmp_path / "in")), stdout=StringIO())
    assert str(failure.value).startswith("La base de données ne répond plus : l'import a été interrompu.")
    assert "server closed" not in str(failure.value)


# --- the audit event commits with the import ---------------------------------------------------------


def test_the_command_writes_its_audit_event_inside_the_import_transaction(geo, tmp_path, monkeypatch):
    from audit import services

    real_record = services.audit_record
    depth = len(connection.atomic_blocks)

    def failing_record(**kwargs):
        assert len(connection.atomic_blocks) > depth  # inside the import's transaction
        real_record(**kwargs)
        raise RuntimeError("the command dies here")

    monkeypatch.setattr("pathways.management.commands.import_exchange.audit_record", failing_record)
    with pytest.raises(RuntimeError):
        call_command("import_exchange", str(write_folder(tmp_path / "in")), stdout=StringIO())
    # Rolled back together: no rows without their audit event, no audit event without its rows.
    nothing_written()
    assert not AuditEvent.objects.filter(action=Action.IMPORT).exists()

    monkeypatch.setattr("pathways.management.commands.import_exchange.audit_record", real_record)
    call_command("import_exchange", str(write_folder(tmp_path / "in")), stdout=StringIO())
    assert Pathway.objects.count() == 2
    assert AuditEvent.objects.filter(action=Action.IMPORT).count() == 1


def test_the_web_job_commits_its_rows_its_outcome_and_its_audit_event_together(admin, tmp_path, monkeypatch):
    real_record = jobs.audit_record
    calls = []

    def failing_once(**kwargs):
        calls.append(kwargs["detail"])
        real_record(**kwargs)
        if len(calls) == 1:
            raise RuntimeError("the worker dies here")

    monkeypatch.setattr(jobs, "audit_record", failing_once)
    job = job_of(admin, zip_bytes(write_folder(tmp_path / "in")))
    result = jobs.import_job_run(job_id=job.pk)
    nothing_written()  # the import's transaction was rolled back with its audit event
    assert result.status == ImportStatus.FAILED
    assert calls == ["echange.zip (page web) : importé", "echange.zip (page web) : échec"]
    assert list(AuditEvent.objects.filter(action=Action.IMPORT).values_list("detail", flat=True)) == [
        "echange.zip (page web) : échec"
    ]


# --- bad files -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text, line",
    [
        ("header", "id,na\x00me,kind,commune\nS1,SIAO 13,siao,13055\n", 1),
        ("cell", "id,name,kind,commune\nS1,SIAO\x0013,siao,13055\n", 2),
    ],
)
def test_a_nul_byte_is_refused_with_a_french_error_line(client, admin, tmp_path, name, text, line):
    folder = write_folder(tmp_path / "in", structures_csv=text, **ONLY_STRUCTURES)
    job = job_of(admin, zip_bytes(folder))
    result = jobs.import_job_run(job_id=job.pk)
    assert result.status == ImportStatus.FAILED  # finished, not stuck running
    assert result.errors == [
        {
            "file": "structures.csv",
            "line": line,
            "column": "-",
            "message": "Caractère nul (octet 0) : ce n'est pas un fichier CSV texte. "
            "Enregistrez-le au format CSV UTF-8.",
        }
    ]
    assert client.get(reverse("exchange:job_detail", args=[job.pk])).status_code == 200
    # The command says the same.
    err = StringIO()
    with pytest.raises(CommandError, match="erreur"):
        call_command("import_exchange", str(folder), stdout=StringIO(), stderr=err)
    assert f"structures.csv:{line}: -: Caractère nul (octet 0)" in err.getvalue()


def test_a_nul_byte_in_the_uploaded_file_name_is_dropped(client, admin, tmp_path, django_capture_on_commit_callbacks):
    file = folder_zip(tmp_path)
    file.name = "ech\x00ange.zip"
    response, job = upload(client, django_capture_on_commit_callbacks, file)
    assert response.status_code == 302
    assert job.file_name == "echange.zip"


def test_an_archive_is_stopped_at_the_unpacked_limit_counted_while_reading(admin, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 10_000  # unpacked: 100 000 bytes at most
    folder = write_folder(tmp_path / "in")
    (folder / "contacts.csv").write_text(content("contacts.csv") + "P1,2020-07-02,visite\n" * 6000)
    data = zip_bytes(folder)
    assert len(data) < 10_000

    with pytest.raises(SourceError, match="contient plus de 0,1 Mo une fois décompressée"):
        read_source(_written(tmp_path, data), max_unpacked=100_000, name="gros.zip")
    result = jobs.import_job_run(job_id=job_of(admin, data, "gros.zip").pk)
    assert result.status == ImportStatus.FAILED
    assert result.error == (
        "L'archive « gros.zip » contient plus de 0,1 Mo une fois décompressée : c'est la limite. "
        "Déposez-la en plusieurs fois."
    )
    nothing_written()


def _written(tmp_path, data: bytes):
    path = tmp_path / "archive.zip"
    path.write_bytes(data)
    return path


def test_an_archive_that_lies_about_its_sizes_is_refused_in_french(
    client, admin, tmp_path, django_capture_on_commit_callbacks
):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("structures.csv", content("structures.csv") + "S9,x,siao,13055\n" * 200_000)
    data = bytearray(buffer.getvalue())
    # Declare 100 bytes unpacked, in the local header and in the central directory.
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, 100)
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 100)

    # The declared sizes pass the upload's check; the worker finds out.
    response, job = upload(client, django_capture_on_commit_callbacks, SimpleUploadedFile("menteur.zip", bytes(data)))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error == "L'archive « menteur.zip » n'a pas pu être lue : elle est peut-être abîmée."


def test_a_million_errors_are_not_stored_nor_shown(client, admin, tmp_path, settings):
    settings.IMPORT_MAX_ERRORS = 1000
    columns = ",".join(f"c{i}" for i in range(5000))
    folder = write_folder(tmp_path / "in", structures_csv=f"id,name,kind,commune,{columns}\n", **ONLY_STRUCTURES)
    job = job_of(admin, zip_bytes(folder))
    result = jobs.import_job_run(job_id=job.pk)
    assert result.status == ImportStatus.FAILED
    assert len(result.errors) == 1000
    assert result.error_count == 5000

    page = client.get(reverse("exchange:job_detail", args=[job.pk])).content.decode()
    assert len(page) < 200_000
    assert "5000 erreurs : rien n'a été importé" in page
    assert "… et 4000 autres erreurs, non listées." in page
    assert page.count("<tr><td>structures.csv</td>") == 100  # one page of errors
    assert "<td>c0</td>" in page and "<td>c100</td>" not in page
    second = client.get(reverse("exchange:job_detail", args=[job.pk]), {"page": 2}).content.decode()
    assert "<td>c100</td>" in second and "<td>c0</td>" not in second
    assert "2 / 10" in second

    err = StringIO()
    with pytest.raises(CommandError, match="5000 erreur"):
        call_command("import_exchange", str(folder), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 1001 and lines[-1] == "… et 4000 autre(s) erreur(s), non listée(s)."


def test_the_error_download_name_keeps_safe_characters_only(client, admin):
    job = job_of(
        admin,
        b"",
        'pi"ege\r\nX-Injected: 1; "x.zip',
        status=ImportStatus.FAILED,
        errors=[{"file": "structures.csv", "line": 2, "column": "kind", "message": "Type inconnu."}],
        error_count=1,
    )
    response = client.get(reverse("exchange:job_errors_csv", args=[job.pk]))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="erreurs-import-{job.pk}-pi-ege-X-Injected-1-x.csv"'
    )
    assert "X-Injected" not in response.headers


# --- what the jobs keep, and for how long ------------------------------------------------------------


def test_a_rejected_birth_date_is_not_kept_in_the_job_errors(admin, tmp_path):
    folder = write_folder(
        tmp_path / "in",
        households_csv=replace_line("households.csv", "Durand,Alex,1980-05-04", "Durand,Alex,31/02/1980"),
    )
    result = jobs.import_job_run(job_id=job_of(admin, zip_bytes(folder)).pk)
    assert result.errors == [
        {
            "file": "households.csv",
            "line": 2,
            "column": "birth_date",
            "message": "Date invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA).",
        }
    ]
    assert "1980" not in str(result.errors) and "Durand" not in str(result.errors)


def test_jobs_older_than_twelve_months_are_purged_with_their_errors(admin, settings):
    assert settings.IMPORT_JOB_RETENTION_DAYS == 365
    assert settings.CELERY_BEAT_SCHEDULE["purge-import-jobs"]["task"] == purge_import_jobs_task.name
    errors = [{"file": "households.csv", "line": 2, "column": "id", "message": "Identifiant « M1 » en double."}]
    old = job_of(admin, b"", "ancien.zip", status=ImportStatus.FAILED, errors=errors, error_count=1)
    recent = job_of(admin, b"", "recent.zip", status=ImportStatus.FAILED, errors=errors, error_count=1)
    age(old, days=366)
    age(recent, days=364)

    out = StringIO()
    call_command("purge_import_jobs", "--dry-run", stdout=out)
    assert out.getvalue() == "1 import(s) de plus de 365 jours seraient supprimés (simulation).\n"
    assert ImportJob.objects.count() == 2
    assert purge_import_jobs_task.apply().get() == 1
    assert list(ImportJob.objects.values_list("file_name", flat=True)) == ["recent.zip"]


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="The side connection is PostgreSQL's.")
@pytest.mark.django_db(transaction=True)
def test_during_the_writes_the_heartbeat_commits_on_a_connection_of_its_own(geo, tmp_path, monkeypatch, settings):
    """Inside the import's transaction an UPDATE of the job would only be seen at commit: the other
    processes (the sweep) must see the heartbeat while the rows are being written."""
    settings.JOB_HEARTBEAT_SECONDS = 0
    admin = UserFactory(username="dreets", administrator=True)
    job = job_of(admin, zip_bytes(write_folder(tmp_path / "in")))
    seen = []
    real_analyze = importer._analyze

    def look_from_outside(models):
        assert connection.in_atomic_block  # the writes are not committed yet
        if seen:  # called before the read model is refreshed, then after
            return real_analyze(models)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT started_at, heartbeat_at FROM pathways_importjob WHERE id = %s", [job.pk])
                seen.append(cursor.fetchone())
                cursor.execute("SELECT count(*) FROM pathways_pathway")
                seen.append(cursor.fetchone()[0])
        finally:
            other.close()
        real_analyze(models)

    monkeypatch.setattr(importer, "_analyze", look_from_outside)
    assert jobs.import_job_run(job_id=job.pk).status == ImportStatus.DONE
    (started_at, heartbeat_at), pathways_seen = seen
    assert heartbeat_at > started_at
    assert pathways_seen == 0  # what the heartbeat's connection committed is the heartbeat alone
