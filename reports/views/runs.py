"""Bilan runs: list, request, status, the bilan page, publication and downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.decorators import audit_shown, audited, no_names
from audit.enums import Action, Target
from places.figures import bilan_annex
from project.background import BROKER_DOWN_MESSAGE, pages_resend
from project.db_router import replica_reads
from reports import perms
from reports.charts import bilan_charts
from reports.enums import RunStatus
from reports.exports.csvfile import csv_bytes
from reports.exports.pdf import pdf_bytes
from reports.exports.tables import run_table
from reports.exports.xlsx import xlsx_bytes
from reports.forms import BilanRequestForm
from reports.models import BilanRun
from reports.services import bilan_run_publish, bilan_run_request, runs_sweep

RUNS_PER_PAGE = 30


def run_finished_at(request, pk, **kwargs):
    """When the URL's run finished (on the primary): a replica serves its pages once it has replayed it."""
    return BilanRun.objects.filter(pk=pk).values_list("finished_at", flat=True).first()


def readable_runs(user):
    """Runs the user may read; a role without bilans is refused (403) rather than shown nothing."""
    if not perms.can_read_bilans(user):
        raise PermissionDenied("Les bilans sont réservés à l'administration, à la coordination et aux observateurs.")
    return BilanRun.objects.visible_to(user)


@login_required
@no_names(reason="the list of bilans")
def run_list(request):
    runs = readable_runs(request.user)
    runs_sweep(runs, resend=pages_resend())
    territories = runs.order_by().values_list("territory_kind", "territory_code", "territory_name").distinct()
    choices = sorted(
        {(f"{kind}:{code}" if code else kind, name) for kind, code, name in territories}, key=lambda c: c[1]
    )
    chosen = request.GET.get("territoire", "")
    if chosen:
        kind, _, code = chosen.partition(":")
        runs = runs.filter(territory_kind=kind, territory_code=code)
    page = Paginator(runs.select_related("requested_by", "published_by"), RUNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/run_list.html",
        {
            # Observers only ever see published bilans: the page says so, as their menu does.
            "title": "Bilans publiés" if request.user.is_observer else "Bilans",
            "page": page,
            "territory_choices": choices,
            "chosen": chosen,
            "can_request": perms.can_set_targets(request.user),
        },
    )


@login_required
@no_names(reason="the request form")
def run_request(request):
    if not perms.can_set_targets(request.user):
        raise PermissionDenied("Seule l'administration demande des bilans.")
    form = BilanRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = bilan_run_request(
                territory=data["territory_obj"],
                start=data["start_day"],
                end=data["end_day"],
                by=request.user,
                period_kind=data["period_kind"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if run.sent is False:
                messages.warning(request, f"Bilan demandé. {BROKER_DOWN_MESSAGE}")
            else:
                messages.info(request, "Bilan demandé : le calcul est lancé.")
            return redirect("reports:run_detail", pk=run.pk)
    return render(request, "reports/run_request.html", {"title": "Demander un bilan", "form": form})


@login_required
@no_names(reason="aggregates only")
def run_detail(request, pk):
    run = get_object_or_404(readable_runs(request.user).select_related("requested_by", "published_by"), pk=pk)
    context = {"title": str(run), "run": run}
    if run.status == RunStatus.DONE:
        table = run_table(run, secrecy=not perms.sees_exact_figures(request.user))
        table.annex = bilan_annex(run.territory, run.start, run.end, secrecy=table.secrecy)
        context |= {
            "table": table,
            "charts": bilan_charts(table),
            "can_publish": perms.can_publish_bilan(request.user, run) and not run.is_published,
            "can_drill_down": perms.can_drill_down(request.user),
        }
    return render(request, "reports/run_detail.html", context)


@login_required
@no_names(reason="the status of a run")
def run_status(request, pk):
    """Polled by htmx while the run is pending or running; once it is finished, the page reloads."""
    runs = readable_runs(request.user)
    runs_sweep(runs, resend=False)  # sending again is the list page's and the beat's, not every poll's
    run = get_object_or_404(runs, pk=pk)
    response = render(request, "reports/_run_status.html", {"run": run})
    if run.is_finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@no_names(reason="the publication confirmation")
def run_publish(request, pk):
    """GET asks for confirmation (publication cannot be undone), only the POST of that page publishes:
    two steps that work without JavaScript."""
    run = get_object_or_404(readable_runs(request.user), pk=pk)
    if not perms.can_publish_bilan(request.user, run):
        raise PermissionDenied("Seule l'administration du territoire publie ses bilans.")
    if request.method == "GET":
        if run.is_published or run.status != RunStatus.DONE:
            messages.info(
                request, "Ce bilan est déjà publié." if run.is_published else "Seul un bilan terminé peut être publié."
            )
            return redirect("reports:run_detail", pk=run.pk)
        return render(
            request, "reports/run_publish.html", {"title": f"Publier le bilan — {run.territory_name}", "run": run}
        )
    try:
        bilan_run_publish(run=run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Bilan publié : les observateurs de {run.territory_name} peuvent le consulter.")
    return redirect("reports:run_detail", pk=run.pk)


EXPORTS = {
    "xlsx": (xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (csv_bytes, "text/csv; charset=utf-8"),
    "pdf": (pdf_bytes, "application/pdf"),
}


@login_required
# A downloaded bilan leaves the application: who took which one is logged.
@audited(Target.BILAN, action=Action.EXPORT)
@replica_reads("Bilan export", since=run_finished_at)
def run_export(request, pk, fmt):
    if fmt not in EXPORTS:
        raise Http404("Format inconnu.")
    run = get_object_or_404(readable_runs(request.user).filter(status=RunStatus.DONE), pk=pk)
    audit_shown(request, detail=f"{fmt.upper()} — {run}"[:300])
    render_file, content_type = EXPORTS[fmt]
    table = run_table(run, secrecy=not perms.sees_exact_figures(request.user))
    table.annex = bilan_annex(run.territory, run.start, run.end, secrecy=table.secrecy)
    table.generated_at = timezone.now()
    name = f"bilan-{run.territory_key.replace(':', '-')}-{run.start:%Y%m%d}-{run.end:%Y%m%d}.{fmt}"
    response = HttpResponse(render_file(table), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
