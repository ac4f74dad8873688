"""Imports uploaded from the web page: accept the file, then run the same importer as the command, in
the background (a Celery task that takes the job id), robust to a broker outage and to a killed worker
(project/background.py)."""

import logging
import re
import tempfile
import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.enums import Action
from audit.services import audit_record
from pathways.enums import ImportStatus
from pathways.exchange import formats
from pathways.exchange.importer import ImportReport, import_exchange
from pathways.exchange.lock import ImportBusy
from pathways.exchange.reading import SourceError, megabytes, read_source
from pathways.models import FinishedImportJobError, ImportJob, import_job_timeout_minutes
from project import background

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# An archive of CSV files shrinks about tenfold; past that ratio it is more likely a zip bomb than data.
UNPACKED_RATIO = 10
EXCHANGE_FILES = ", ".join(fmt.name for fmt in formats.FORMATS)
# Control characters (NUL included, which PostgreSQL refuses in text) have no place in a file name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def can_use_exchange(user) -> bool:
    """Imports and exports of the exchange format are the administration's (roles.md)."""
    return user.is_authenticated and user.is_active and (user.is_superuser or user.is_administrator)


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_unpacked() -> int:
    return UNPACKED_RATIO * max_bytes()


def _check_archive(name: str, data: bytes) -> None:
    """What the archive declares; the job counts again what it really unpacks (reading.read_source)."""
    if not zipfile.is_zipfile(BytesIO(data)):
        raise ValidationError(f"« {name} » n'est pas une archive .zip lisible.")
    with zipfile.ZipFile(BytesIO(data)) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
    unpacked = sum(info.file_size for info in infos)
    if unpacked > max_unpacked():
        raise ValidationError(
            f"L'archive « {name} » contient {megabytes(unpacked)} une fois décompressée : "
            f"la limite est de {megabytes(max_unpacked())}."
        )
    if not any(PurePath(info.filename).name in formats.BY_NAME for info in infos):
        raise ValidationError(f"L'archive « {name} » ne contient aucun fichier du format d'échange ({EXCHANGE_FILES}).")


def import_job_create(*, upload, dry_run: bool, by) -> ImportJob:
    """Accept an uploaded .zip of the exchange folder (or one of its .csv files) and send its import to
    the workers once the request's transaction commits (`job.sent` then says whether the broker took
    it). Refuses, in French, what the importer could not read."""
    from pathways.tasks import import_job_run_task

    if not can_use_exchange(by):
        raise PermissionDenied("L'import est réservé à l'administration.")
    name = _CONTROL.sub("", PurePath(upload.name or "").name)[:255]
    suffix = PurePath(name).suffix.lower()
    if suffix not in (".zip", ".csv"):
        raise ValidationError(f"Déposez une archive .zip ou un fichier .csv (et non « {name} »).")
    if suffix == ".csv" and name not in formats.BY_NAME:
        raise ValidationError(
            f"« {name} » n'est pas un fichier du format d'échange : son nom doit être l'un de {EXCHANGE_FILES}."
        )
    if not upload.size:
        raise ValidationError(f"Le fichier « {name} » est vide.")
    if upload.size > max_bytes():
        raise ValidationError(
            f"Le fichier « {name} » pèse {megabytes(upload.size)} : la limite est de {megabytes(max_bytes())}."
        )
    data = upload.read()
    if suffix == ".zip":
        _check_archive(name, data)
    job = ImportJob.objects.create(uploaded_by=by, file_name=name, file_size=len(data), content=data, dry_run=dry_run)
    # The row is the outbox: created unsent in this transaction, sent once it commits, sent again by
    # import_jobs_sweep while the broker is down.
    background.send_on_commit(import_job_run_task, job)
    return job


def _files_of(job: ImportJob) -> dict[str, bytes]:
    if not job.file_name.lower().endswith(".zip"):
        return {job.file_name: bytes(job.content)}
    # read_source reads archives from disk, as the command gives it a path.
    with tempfile.NamedTemporaryFile(suffix=".zip") as archive:
        archive.write(job.content)
        archive.flush()
        return read_source(archive.name, max_unpacked=max_unpacked(), name=job.file_name)


def _summary(report: ImportReport) -> list[str]:
    """The command's lines: the ignored files, then one line of counts per file."""
    lines = [f"Fichier ignoré : {name}" for name in report.ignored]
    lines += [f"{fmt.name} : {report.counts[fmt.name]}" for fmt in formats.FORMATS if fmt.name in report.counts]
    return lines


def _outcome(job: ImportJob) -> str:
    if job.error:
        return "échec"
    if job.error_count:
        return f"refusé, {job.error_count} erreur(s)"
    return "simulation, rien n'a été écrit" if job.dry_run else "importé"


def _gave_up() -> str:
    return (
        f"L'import a été interrompu {background.max_attempts()} fois (arrêt du service de tâches) : il est "
        "abandonné, rien n'a été importé. Déposez le fichier à nouveau."
    )


FINISHED_FIELDS = ["status", "finished_at", "summary", "errors", "error_count", "error", "content"]


def _finish(job: ImportJob, attempt: int, report: ImportReport | None) -> bool:
    """Store the outcome and its audit event, inside the caller's transaction, if the job is still this
    worker's; False when another worker took it over."""
    if not background.owns(ImportJob, job.pk, attempt):
        return False
    if report is not None:
        job.summary = _summary(report)
        job.errors = [{"file": e.file, "line": e.line, "column": e.column, "message": e.message} for e in report.errors]
        job.error_count = report.errors.total
    job.status = ImportStatus.FAILED if job.error or job.error_count else ImportStatus.DONE
    job.finished_at = timezone.now()
    job.content = b""  # the file may hold names: once imported, it is not kept
    job.save(update_fields=FINISHED_FIELDS)
    audit_record(
        user=job.uploaded_by,
        action=Action.IMPORT,
        target="exchange",
        target_id=job.pk,
        detail=f"{job.file_name} (page web) : {_outcome(job)}",
    )
    return True


def import_job_run(*, job_id: int) -> ImportJob:
    """Import a pending job's file; invalid rows (nothing written) or a crash fail the job. A finished
    job is refused; a job another worker is importing (fresh heartbeat: a redelivered task) is left
    alone; a job whose worker stopped beating is taken over. A successful import commits its rows, the
    job's outcome and the audit event together."""
    job = background.take(
        ImportJob,
        job_id,
        finished_error=FinishedImportJobError("Un import terminé ne change plus : déposez le fichier à nouveau."),
        gave_up_error=_gave_up(),
        on_fail={"content": b""},
    )
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    attempt = job.attempts
    report = None
    try:
        with background.Heartbeat(ImportJob, job_id, attempt) as heartbeat:
            report = import_exchange(
                _files_of(job),
                dry_run=job.dry_run,
                heartbeat=heartbeat,
                before_commit=lambda report: _commit_or_supersede(job, attempt, report),
            )
        if job.status == ImportStatus.DONE:  # stored by before_commit, with the rows
            job.refresh_from_db()
            return job
    except background.Superseded:
        logger.warning("Import job %s: attempt %s superseded, its result is dropped", job_id, attempt)
        return ImportJob.objects.get(pk=job_id)
    except ImportBusy as error:
        job.error = str(error)
    except (SourceError, zipfile.BadZipFile) as error:
        logger.warning("Import job %s: unreadable archive: %s", job_id, error)
        job.error = (
            str(error)
            if isinstance(error, SourceError)
            else f"L'archive « {job.file_name} » n'a pas pu être lue : elle est peut-être abîmée."
        )
    except Exception:
        logger.exception("Import job %s failed", job_id)
        job.error = (
            "L'import a échoué à cause d'une erreur inattendue, signalée à l'équipe technique : rien n'a été importé."
        )
    with transaction.atomic():
        if not _finish(job, attempt, report):
            logger.warning("Import job %s: attempt %s superseded, its result is dropped", job_id, attempt)
    job.refresh_from_db()
    return job


def _commit_or_supersede(job: ImportJob, attempt: int, report: ImportReport) -> None:
    if not _finish(job, attempt, report):
        raise background.Superseded(f"ImportJob {job.pk} was taken over")


def import_jobs_sweep(jobs=None, *, resend: bool = True) -> int:
    """Settle the jobs nobody works on (project/background.py sweep): too long, interrupted, never
    started; send again the unsent ones. A failed job drops its file, which may hold names. `jobs`: a
    list page sweeps only the jobs its reader sees."""
    from pathways.tasks import import_job_run_task

    minutes, hours = import_job_timeout_minutes(), background.pending_max_hours()
    return background.sweep(
        ImportJob.objects.all() if jobs is None else jobs,
        task=import_job_run_task,
        created_field="uploaded_at",
        timeout_minutes=minutes,
        timed_out_error=f"L'import n'a pas abouti en {minutes} minutes : il a été interrompu. Déposez le fichier à nouveau.",
        gave_up_error=_gave_up(),
        never_started_error=(
            f"L'import n'a pas pu démarrer en {hours} heures : le service de tâches est resté indisponible. "
            "Déposez le fichier à nouveau."
        ),
        on_fail={"content": b""},
        resend=resend,
    )


def retention_days() -> int:
    return getattr(settings, "IMPORT_JOB_RETENTION_DAYS", 365)


def import_jobs_purge(*, now=None, dry_run: bool = False) -> int:
    """Delete the import jobs uploaded more than IMPORT_JOB_RETENTION_DAYS ago, with their errors and
    file: a rejected row may be a person's. Returns how many (would be) deleted."""
    now = now or timezone.now()
    old = ImportJob.objects.filter(uploaded_at__lt=now - timedelta(days=retention_days()))
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted
