"""Import and export of the exchange format from the web (administrators and superusers): upload a
folder, follow its import, read or download its errors; download a territory's folder as a .zip."""

import re
import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from audit.decorators import audit_nothing_shown, audit_shown, audited, no_names
from audit.enums import Action, Target
from pathways.enums import ImportStatus
from pathways.exchange.exporter import export_exchange
from pathways.exchange.jobs import can_use_exchange, import_job_create, import_jobs_sweep
from pathways.models import ImportJob
from project.background import BROKER_DOWN_MESSAGE, pages_resend
from project.spreadsheets import french_csv
from web.forms.base import error_items
from web.forms.exchange import ExportForm, ImportUploadForm

JOBS_PER_PAGE = 30
ERRORS_PER_PAGE = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
ERRORS_CSV_HEADER = ["fichier", "ligne", "colonne", "message"]


def visible_jobs(user):
    """The jobs the user may open; a role without imports is refused (403) rather than shown nothing."""
    if not can_use_exchange(user):
        raise PermissionDenied("L'import et l'export du format d'échange sont réservés à l'administration.")
    return ImportJob.objects.visible_to(user)


@login_required
@no_names(reason="file names and counts of the jobs")
def job_list(request):
    jobs = visible_jobs(request.user)
    import_jobs_sweep(jobs, resend=pages_resend())
    # The list never needs the files (up to IMPORT_MAX_BYTES each) nor the full lists of errors.
    jobs = jobs.defer("content", "errors", "summary").select_related("uploaded_by")
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/exchange/job_list.html",
        {"title": "Import et export", "page": page, "show_uploader": request.user.is_superuser},
    )


@login_required
@no_names(reason="the upload form")
def upload(request):
    visible_jobs(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                upload=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"], by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            if job.sent is False:
                messages.warning(request, f"Fichier reçu. {BROKER_DOWN_MESSAGE}")
            else:
                started = "la simulation est lancée" if job.dry_run else "l'import est lancé"
                messages.info(request, f"Fichier reçu : {started}.")
            return redirect("exchange:job_detail", pk=job.pk)
    return render(
        request,
        "web/exchange/upload.html",
        {"title": "Importer des données", "form": form, "errors": error_items(form)},
    )


@login_required
# The errors quote the rejected cells, names among them.
@audited(Target.EXCHANGE)
def job_detail(request, pk):
    job = get_object_or_404(visible_jobs(request.user).defer("content").select_related("uploaded_by"), pk=pk)
    audit_shown(request, detail=f"import {job.file_name}"[:300])
    errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    # At most IMPORT_MAX_ERRORS are stored; jobs older than the count have it as their list's length.
    total = job.error_count or len(job.errors)
    return render(
        request,
        "web/exchange/job_detail.html",
        {
            "title": f"Import de {job.file_name}",
            "job": job,
            "errors_page": errors,
            "error_total": total,
            "errors_not_stored": total - len(job.errors),
        },
    )


@login_required
@no_names(reason="the status of a job")
def job_status(request, pk):
    """Polled by htmx while the job is pending or running; once it is finished, the page reloads."""
    jobs = visible_jobs(request.user)
    import_jobs_sweep(jobs, resend=False)  # sending again is the list page's and the beat's, not every poll's
    job = get_object_or_404(jobs.defer("content", "errors", "summary"), pk=pk)
    response = render(request, "web/exchange/_job_status.html", {"job": job})
    if job.is_finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
@audited(Target.EXCHANGE, action=Action.EXPORT)
def job_errors_csv(request, pk):
    job = get_object_or_404(
        visible_jobs(request.user).defer("content").filter(status=ImportStatus.FAILED).exclude(errors=[]), pk=pk
    )
    audit_shown(request, detail=f"erreurs de l'import {job.file_name}"[:300])
    response = HttpResponse(
        french_csv(ERRORS_CSV_HEADER, ([e["file"], e["line"], e["column"], e["message"]] for e in job.errors)),
        content_type="text/csv; charset=utf-8",
    )
    # Only safe characters from the uploaded name: it came from the browser (quotes, CR LF...).
    stem = _UNSAFE.sub("-", Path(job.file_name).stem).strip("-")[:60] or "fichier"
    response["Content-Disposition"] = f'attachment; filename="erreurs-import-{job.pk}-{stem}.csv"'
    return response


@login_required
@audited(Target.EXCHANGE, action=Action.EXPORT, id_kwarg=None)
def export(request):
    visible_jobs(request.user)
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        territory = form.cleaned_data["territory_obj"]
        with_personal_data = request.user.is_superuser and form.cleaned_data.get("with_personal_data", False)
        # FileResponse closes (and so deletes) the archive once it is sent.
        archive = tempfile.TemporaryFile()  # noqa: SIM115
        with tempfile.TemporaryDirectory() as folder:
            written = export_exchange(folder, territory=territory, with_personal_data=with_personal_data)
            with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
                for name in written:
                    bundle.write(Path(folder) / name, arcname=name)
        archive.seek(0)
        audit_shown(
            request, detail=f"{territory.key}{' avec données personnelles' if with_personal_data else ''} (page web)"
        )
        name = f"echange-{territory.key.replace(':', '-')}-{timezone.localdate():%Y%m%d}.zip"
        return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
    audit_nothing_shown(request)
    return render(
        request,
        "web/exchange/export.html",
        {
            "title": "Exporter des données",
            "form": form,
            "errors": error_items(form),
            "can_export_names": request.user.is_superuser,
        },
    )
