"""Exports of a filtered queue to XLSX (typed cells) and CSV (for French spreadsheets).

One code path for the content (`build`); a small export is answered at once, a large one (more than
QUEUE_EXPORT_IMMEDIATE_ROWS rows) becomes a `QueueExport` job built by a worker on the `exports` queue,
with the reliability of the other background jobs (project/background.py: outbox, heartbeat, sweep),
downloaded from its page by its requester until it expires. Both read from the streaming replica when
there is a usable one (project/db_router.py)."""

import io
import logging
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from audit.decorators import audit_shown
from audit.enums import Action, Target
from audit.services import audit_record
from pathways.enums import Stage
from pathways.perms import can_coordinate
from project import background
from project.db_router import reading_from_replica
from project.spreadsheets import french_csv, neutralise, sheet_filter, sheet_layout
from web.models import ExportStatus, QueueExport
from web.queues.rows import confidential_structures, may_see_any_name, row_residence, shown_name

logger = logging.getLogger(__name__)

STAGE_LABELS = dict(Stage.choices)
DATE_FORMAT = "DD/MM/YYYY"
CHUNK = 2000


def columns(user) -> list[str]:
    heads = ["Parcours", "Ménage"]
    if may_see_any_name(user):
        heads.append("Nom de la personne de référence")
    heads += [
        "Étape",
        "Depuis le",
        "Jours d'attente",
        "Bloqué",
        "DALO",
        "Structure référente",
        "Référent ou référente",
        "Code commune",
        "Commune",
        "Situation actuelle",
    ]
    return heads


def rows(queryset, user, heartbeat=None):
    """One list of typed values per pathway. `queryset` is the filtered queue; the confidential
    households' structures are read in one query, the rows in one query streamed by chunks.
    `heartbeat`: called every row (a background job's, which writes at most every few seconds)."""
    structures = confidential_structures(queryset.values("household_id"))
    with_names = may_see_any_name(user)
    for pathway in queryset.iterator(chunk_size=CHUNK):
        if heartbeat is not None:
            heartbeat()
        row = [pathway.reference, pathway.household.reference]
        if with_names:
            row.append(shown_name(pathway, user, structures))
        row += [
            STAGE_LABELS[pathway.stage],
            pathway.stage_on,
            pathway.days_waiting,
            "Oui" if pathway.is_stalled else "Non",
            "Oui" if pathway.dalo else "Non",
            pathway.referent_structure.name,
            str(pathway.caseworker) if pathway.caseworker else "",
            pathway.commune.code,
            pathway.commune.name,
            row_residence(pathway),
        ]
        yield [neutralise(value) for value in row]


def date_cell(sheet, value: date) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


# Column widths (characters) by heading: references and dates short, names and structures wide.
WIDTHS = {
    "Parcours": 12,
    "Ménage": 12,
    "Nom de la personne de référence": 30,
    "Étape": 28,
    "Depuis le": 12,
    "Jours d'attente": 10,
    "Bloqué": 9,
    "DALO": 8,
    "Structure référente": 32,
    "Référent ou référente": 24,
    "Code commune": 10,
    "Commune": 24,
    "Situation actuelle": 30,
}


def to_xlsx(queryset, user, heartbeat=None) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("File d'attente")
    titles = columns(user)
    # A write-only sheet takes its layout before its rows, its filter (over the rows written) after them.
    sheet_layout(sheet, header_row=1, widths=[WIDTHS[title] for title in titles])
    header = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    written = 1
    for values in rows(queryset, user, heartbeat):
        sheet.append([date_cell(sheet, value) if isinstance(value, date) else value for value in values])
        written += 1
    sheet_filter(sheet, header_row=1, columns=len(titles), last_row=written)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(queryset, user, heartbeat=None) -> bytes:
    return french_csv(
        columns(user),
        (
            [f"{value:%d/%m/%Y}" if isinstance(value, date) else value for value in values]
            for values in rows(queryset, user, heartbeat)
        ),
    )


BUILDERS = {"xlsx": to_xlsx, "csv": to_csv}


def build(fmt: str, queryset, user, heartbeat=None) -> bytes:
    """The file's content, the same whether answered at once or built by a worker."""
    return BUILDERS[fmt](queryset, user, heartbeat)


def immediate_rows() -> int:
    return getattr(settings, "QUEUE_EXPORT_IMMEDIATE_ROWS", 5000)


def retention_hours() -> int:
    return getattr(settings, "QUEUE_EXPORT_RETENTION_HOURS", 24)


def timeout_minutes() -> int:
    return getattr(settings, "QUEUE_EXPORT_TIMEOUT_MINUTES", 30)


def export_response(request, *, fmt: str, queryset, housed: bool, detail: str):
    """The export view's answer: the file, or (a large queue) a background job and its page. An export
    reads many case files at once: logged with the ids of every pathway it holds (roles.md), here by the
    view, for a job by the worker that writes the file."""
    with reading_from_replica("Queue export"):
        ids = list(queryset.order_by().values_list("pk", flat=True))
        if len(ids) > immediate_rows():
            job = queue_export_request(by=request.user, fmt=fmt, query=request.GET.urlencode(), housed=housed)
            return redirect("queues:export_job", pk=job.pk)
        audit_shown(request, object_ids=ids, detail=detail)
        content = build(fmt, queryset, request.user)
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response = HttpResponse(content, content_type=QueueExport(format=fmt).content_type)
    response["Content-Disposition"] = f'attachment; filename="file-attente-{stamp}.{fmt}"'
    return response


def queue_export_request(*, by, fmt: str, query: str, housed: bool) -> QueueExport:
    """Create a pending export job; its task is sent once the request's transaction commits (the row
    is the outbox, sent again by the sweep while the broker is down)."""
    from web.tasks import queue_export_run_task

    job = QueueExport.objects.create(requested_by=by, format=fmt, query=query, housed=housed)
    background.send_on_commit(queue_export_run_task, job)
    return job


class FinishedExportError(Exception):
    pass


class ExportRefused(Exception):
    """The export cannot be built for a reason its requester can read (French)."""


def _gave_up() -> str:
    return (
        f"L'export a été interrompu {background.max_attempts()} fois (arrêt du service de tâches) : "
        "il est abandonné. Relancez l'export depuis la file."
    )


def _request_for(job: QueueExport) -> HttpRequest:
    """The export URL's request as the filters read it: its parameters and its user."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(job.query)
    request.user = job.requested_by
    return request


def queue_export_run(*, export_id: int) -> QueueExport:
    """Build a pending export's file (reading from the replica when usable) and store it with its
    audit event; a crash or a refusal fails the job with a French message."""
    from web.queues.views import filtered_queue

    job = background.take(
        QueueExport,
        export_id,
        finished_error=FinishedExportError("Un export terminé ne change plus : relancez l'export."),
        gave_up_error=_gave_up(),
    )
    if job is None:
        return QueueExport.objects.get(pk=export_id)
    attempt, user = job.attempts, job.requested_by
    try:
        if not user.is_active or not can_coordinate(user):
            raise ExportRefused("Vous ne faites plus partie de la coordination : l'export n'a pas été produit.")
        with (
            background.Heartbeat(QueueExport, export_id, attempt) as heartbeat,
            reading_from_replica(f"Queue export {export_id}") as database,
        ):
            filterset, queryset = filtered_queue(_request_for(job), housed=job.housed)
            if not filterset.is_valid():
                raise ExportRefused("Les filtres de cette file sont invalides : corrigez-les sur la page de la file.")
            ids = list(queryset.order_by().values_list("pk", flat=True))
            content = build(job.format, queryset, user, heartbeat)
        now = timezone.now()
        with transaction.atomic():
            if not background.owns(QueueExport, export_id, attempt):
                raise background.Superseded(f"QueueExport {export_id} was taken over")
            QueueExport.objects.filter(pk=export_id).update(
                status=ExportStatus.DONE,
                content=content,
                file_size=len(content),
                rows=len(ids),
                finished_at=now,
                expires_at=now + timedelta(hours=retention_hours()),
            )
            audit_record(
                user=user,
                action=Action.EXPORT,
                target=Target.QUEUE,
                target_id=export_id,
                object_ids=ids,
                detail=f"{job.format.upper()} {_filters(job)} (export n° {export_id}, en arrière-plan)".strip(),
            )
        logger.info("Queue export %s: %s rows read from the %s database", export_id, len(ids), database)
    except background.Superseded:
        logger.warning("Queue export %s: attempt %s superseded, its result is dropped", export_id, attempt)
    except Exception as error:
        if isinstance(error, ExportRefused):
            message = str(error)
        else:
            logger.exception("Queue export %s failed", export_id)
            message = "L'export a échoué à cause d'une erreur inattendue, signalée à l'équipe technique."
        QueueExport.objects.filter(pk=export_id, status=ExportStatus.RUNNING, attempts=attempt).update(
            status=ExportStatus.FAILED, error=message, finished_at=timezone.now(), content=b"", file_size=0
        )
    return QueueExport.objects.get(pk=export_id)


def _filters(job: QueueExport) -> str:
    """The filters of the job, as the immediate export's audit detail gives them."""
    from web.queues.views import NOT_FILTERS

    pairs = QueryDict(job.query).lists()
    return urlencode([(key, value) for key, values in pairs if key not in NOT_FILTERS for value in values if value])


def queue_exports_sweep(jobs=None, *, resend: bool = True, now=None) -> int:
    """Settle the jobs nobody works on (project/background.py), then empty the expired files (and drop
    the jobs of more than 30 days). Returns how many jobs changed."""
    from web.tasks import queue_export_run_task

    now = now or timezone.now()
    jobs = QueueExport.objects.all() if jobs is None else jobs
    minutes, hours = timeout_minutes(), background.pending_max_hours()
    changed = background.sweep(
        jobs,
        task=queue_export_run_task,
        created_field="requested_at",
        timeout_minutes=minutes,
        timed_out_error=f"L'export n'a pas abouti en {minutes} minutes : il a été interrompu. Relancez l'export.",
        gave_up_error=_gave_up(),
        never_started_error=(
            f"L'export n'a pas pu démarrer en {hours} heures : le service de tâches est resté indisponible. "
            "Relancez l'export."
        ),
        resend=resend,
        now=now,
    )
    changed += jobs.filter(status=ExportStatus.DONE, expires_at__lte=now, file_size__gt=0).update(
        content=b"", file_size=0
    )
    jobs.filter(requested_at__lt=now - timedelta(days=30)).exclude(
        status__in=(ExportStatus.PENDING, ExportStatus.RUNNING)
    ).delete()
    return changed
