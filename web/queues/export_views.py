"""The page of a background queue export (its state, then its download link) and the download."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from audit.decorators import audit_shown, audited, no_names
from audit.enums import Action, Target
from audit.models import AuditEvent
from project.background import pages_resend
from web.models import ExportStatus, QueueExport
from web.queues.exports import queue_exports_sweep
from web.queues.views import coordinator_required


def readable_exports(request):
    """The reader's own exports, settled first (an interrupted one is put back in the queue)."""
    exports = QueueExport.objects.visible_to(request.user)
    queue_exports_sweep(exports, resend=pages_resend())
    return exports


@coordinator_required
@no_names(reason="the state of an export, not its rows")
def export_job(request, pk):
    job = get_object_or_404(readable_exports(request).defer("content"), pk=pk)
    template = "web/queues/_export_status.html" if request.headers.get("HX-Request") else "web/queues/export.html"
    response = render(request, template, {"job": job, "title": "Export de la file d'attente"})
    if request.headers.get("HX-Request") and job.is_finished:
        response["HX-Refresh"] = "true"
    return response


@audited(Target.QUEUE, action=Action.EXPORT)
@coordinator_required
def export_download(request, pk):
    job = get_object_or_404(QueueExport.objects.visible_to(request.user).filter(status=ExportStatus.DONE), pk=pk)
    if job.is_expired or not job.file_size:
        raise Http404("Cet export a expiré : relancez l'export depuis la file.")
    # The file leaves the application: logged with the pathways it holds (those its worker logged).
    produced = (
        AuditEvent.objects.filter(action=Action.EXPORT, target=Target.QUEUE, target_id=job.pk, user=job.requested_by)
        .order_by("pk")
        .values_list("object_ids", flat=True)
        .first()
    )
    audit_shown(request, target_id=job.pk, object_ids=produced or [], detail=f"téléchargement de l'export n° {job.pk}")
    response = HttpResponse(bytes(job.content), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response
