"""Imports uploaded from the web page: accept the file, then run the same importer as the command, in
the background (a Celery task that takes the job id)."""

import logging
import tempfile
import zipfile
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
from pathways.exchange.reading import SourceError, read_source
from pathways.models import FinishedImportJobError, ImportJob

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# An archive of CSV files shrinks about tenfold; past that ratio it is more likely a zip bomb than data.
UNPACKED_RATIO = 10
EXCHANGE_FILES = ", ".join(fmt.name for fmt in formats.FORMATS)


def can_use_exchange(user) -> bool:
    """Imports and exports of the exchange format are the administration's (roles.md)."""
    return user.is_authenticated and user.is_active and (user.is_superuser or user.is_administrator)


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def megabytes(size: int) -> str:
    """'50 Mo', '11,4 Mo': as a French reader writes sizes."""
    text = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
    return text.replace(".", ",") + " Mo"


def _check_archive(name: str, data: bytes) -> None:
    if not zipfile.is_zipfile(BytesIO(data)):
        raise ValidationError(f"« {name} » n'est pas une archive .zip lisible.")
    with zipfile.ZipFile(BytesIO(data)) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
    unpacked = sum(info.file_size for info in infos)
    if unpacked > UNPACKED_RATIO * max_bytes():
        raise ValidationError(
            f"L'archive « {name} » contient {megabytes(unpacked)} une fois décompressée : "
            f"la limite est de {megabytes(UNPACKED_RATIO * max_bytes())}."
        )
    if not any(PurePath(info.filename).name in formats.BY_NAME for info in infos):
        raise ValidationError(f"L'archive « {name} » ne contient aucun fichier du format d'échange ({EXCHANGE_FILES}).")


def import_job_create(*, upload, dry_run: bool, by) -> ImportJob:
    """Accept an uploaded .zip of the exchange folder (or one of its .csv files) and schedule its import
    once the request's transaction commits. Refuses, in French, what the importer could not read."""
    from pathways.tasks import import_job_run_task

    if not can_use_exchange(by):
        raise PermissionDenied("L'import est réservé à l'administration.")
    name = PurePath(upload.name or "").name
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
    transaction.on_commit(lambda: import_job_run_task.delay(job.pk))
    return job


def _files_of(job: ImportJob) -> dict[str, bytes]:
    if not job.file_name.lower().endswith(".zip"):
        return {job.file_name: bytes(job.content)}
    # read_source reads archives from disk, as the command gives it a path.
    with tempfile.NamedTemporaryFile(suffix=".zip") as archive:
        archive.write(job.content)
        archive.flush()
        return read_source(archive.name)


def _summary(report: ImportReport) -> list[str]:
    """The command's lines: the ignored files, then one line of counts per file."""
    lines = [f"Fichier ignoré : {name}" for name in report.ignored]
    lines += [f"{fmt.name} : {report.counts[fmt.name]}" for fmt in formats.FORMATS if fmt.name in report.counts]
    return lines


def _outcome(job: ImportJob) -> str:
    if job.error:
        return "échec"
    if job.errors:
        return f"refusé, {len(job.errors)} erreur(s)"
    return "simulation, rien n'a été écrit" if job.dry_run else "importé"


def import_job_run(*, job_id: int) -> ImportJob:
    """Import a pending job's file; invalid rows (nothing written) or a crash fail the job. A finished
    job is refused; a job already running (a redelivered task) is left alone."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            raise FinishedImportJobError("Un import terminé ne change plus : déposez le fichier à nouveau.")
        if job.status == ImportStatus.RUNNING:
            logger.warning("Import job %s is already running: duplicate task ignored", job_id)
            return job
        job.status = ImportStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])

    try:
        report = import_exchange(_files_of(job), dry_run=job.dry_run)
    except (SourceError, zipfile.BadZipFile) as error:
        logger.warning("Import job %s: unreadable archive: %s", job_id, error)
        job.error = f"L'archive « {job.file_name} » n'a pas pu être lue : elle est peut-être abîmée."
    except Exception as error:
        logger.exception("Import job %s failed", job_id)
        job.error = f"L'import a échoué : {error.__class__.__name__} : {error}"
    else:
        job.summary = _summary(report)
        job.errors = [{"file": e.file, "line": e.line, "column": e.column, "message": e.message} for e in report.errors]
    failed = bool(job.error or job.errors)
    job.status = ImportStatus.FAILED if failed else ImportStatus.DONE
    job.finished_at = timezone.now()
    job.content = b""  # the file may hold names: once imported, it is not kept
    with transaction.atomic():
        job.save(update_fields=["status", "finished_at", "summary", "errors", "error", "content"])
        audit_record(
            user=job.uploaded_by,
            action=Action.IMPORT,
            target="exchange",
            target_id=job.pk,
            detail=f"{job.file_name} (page web) : {_outcome(job)}",
        )
    return job


def import_jobs_fail_stuck() -> int:
    return ImportJob.objects.fail_stuck()
