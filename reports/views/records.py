"""Drill-down: from a figure to the records behind it, by reference, never by name (administrators
see aggregates), and only those of the reader's scope (reports.perms.records_in_scope). A record whose
pathway the user may open anyway gets a link to its household page."""

from dataclasses import dataclass, replace

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse

from audit.decorators import audit_shown, audited
from audit.enums import Target
from pathways.models import Household, Pathway
from project.db_router import replica_reads
from reports import idlist, perms
from reports.catalogue import CATALOGUE
from reports.exports.tables import format_number
from reports.idlist import IdIn
from reports.models import BilanFigure
from reports.views.runs import readable_runs, run_finished_at

RECORDS_PER_PAGE = 100
# The casework area's household page (web/urls_casework.py), linked when the area is installed.
HOUSEHOLD_URL_NAME = "casework:household_detail"


@dataclass(frozen=True)
class RecordLine:
    reference: str
    detail: str
    pathway_id: int | None = None
    household_id: int | None = None
    url: str = ""


# Per record model: related rows to fetch with it, and its line.
DESCRIBERS = {
    "pathways.Pathway": (
        ("commune",),
        lambda p: RecordLine(p.reference, f"Ouvert le {p.opened_on:%d/%m/%Y} — {p.commune}", p.pk, p.household_id),
    ),
    "pathways.Transition": (
        ("pathway", "housing_commune"),
        lambda t: RecordLine(
            t.pathway.reference,
            f"{t.get_stage_display()} le {t.date:%d/%m/%Y}"
            + (f" — {t.get_housing_kind_display()}, {t.housing_commune}" if t.housing_commune_id else ""),
            t.pathway_id,
            t.pathway.household_id,
        ),
    ),
    "pathways.Measure": (
        ("pathway",),
        lambda m: RecordLine(
            m.pathway.reference, f"{m.get_kind_display()} depuis le {m.started_on:%d/%m/%Y}", m.pathway_id
        ),
    ),
    "pathways.Household": ((), lambda h: RecordLine(h.reference, f"{h.size} personne(s)", household_id=h.pk)),
    "territories.Site": (
        ("commune",),
        lambda s: RecordLine(
            str(s),
            f"{s.get_kind_display()}, {s.commune} — {format_number(s.places)} places, ouvert le {s.opened_on:%d/%m/%Y}",
        ),
    ),
    "territories.Label": (
        ("commune", "epci", "departement"),
        lambda label: RecordLine(
            label.territory_name,
            f"Depuis le {label.started_on:%d/%m/%Y}"
            + (f" jusqu'au {label.ended_on:%d/%m/%Y}" if label.ended_on else ""),
        ),
    ),
}


def household_url_name() -> str | None:
    try:
        reverse(HOUSEHOLD_URL_NAME, args=[1])
    except NoReverseMatch:
        return None
    return HOUSEHOLD_URL_NAME


def with_links(lines: list[RecordLine], user) -> list[RecordLine]:
    """Link the household page of the records whose pathway (or household) the user may open: never
    an administrator's case (they see no household), a superuser's or a coordinator's of its scope."""
    url_name = household_url_name()
    if url_name is None:
        return lines
    pathway_ids = {line.pathway_id for line in lines if line.pathway_id}
    household_ids = {line.household_id for line in lines if line.household_id and not line.pathway_id}
    openable_pathways = set(
        Pathway.objects.visible_to(user).filter(pk__in=pathway_ids).values_list("pk", flat=True) if pathway_ids else ()
    )
    openable_households = set(
        Household.objects.visible_to(user).filter(pk__in=household_ids).values_list("pk", flat=True)
        if household_ids
        else ()
    )
    linked = []
    for line in lines:
        if line.pathway_id in openable_pathways or (not line.pathway_id and line.household_id in openable_households):
            line = replace(line, url=reverse(url_name, args=[line.household_id]))
        linked.append(line)
    return linked


def listed_ids(figure: BilanFigure, ids: list[int], user) -> list[int]:
    """The sorted ids of `figure`'s records that `user` may list: all of them when the reader's scope cannot
    leave any out, else read once from the database for the figure and the reader, and kept
    DRILLDOWN_CACHE_SECONDS so that turning the pages does not read them again."""
    if not perms.scope_narrows(figure.record_model, user):
        return ids
    key = f"drilldown:{figure.pk}:{user.pk}"
    cached = cache.get(key)
    if cached is not None:
        return idlist.decode(cached)
    records = apps.get_model(figure.record_model).objects.filter(IdIn(ids))
    listed = list(
        perms.records_in_scope(figure.record_model, records, user).order_by("pk").values_list("pk", flat=True)
    )
    cache.set(key, idlist.encode(listed), settings.DRILLDOWN_CACHE_SECONDS)
    return listed


@login_required
@audited(Target.BILAN)
@replica_reads("Drill-down", since=run_finished_at)
def figure_records(request, pk, figure_pk):
    run = get_object_or_404(readable_runs(request.user), pk=pk)
    if not perms.can_drill_down(request.user):
        raise PermissionDenied("Le détail des chiffres est réservé à l'administration.")
    figure = get_object_or_404(BilanFigure.objects.filter(run=run), pk=figure_pk)
    related, describe = DESCRIBERS[figure.record_model]
    model = apps.get_model(figure.record_model)
    # The ids stored with the figure (as of the run); only the case files of the reader's scope are
    # listed (a coordinator reads the bilan of an EPCI across three départements): the page says how
    # many are left out. The page reads only its own records.
    ids = figure.record_id_list()
    listed = listed_ids(figure, ids, request.user)
    total = len(ids)
    page = Paginator(listed, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    records = model.objects.filter(pk__in=list(page.object_list)).select_related(*related).order_by("pk")
    page.object_list = list(records)
    lines = [describe(record) for record in page.object_list]
    lines = with_links(lines, request.user)
    # The records behind a figure are case files read by reference: logged with their pathway ids.
    audit_shown(
        request,
        object_ids=sorted({line.pathway_id for line in lines if line.pathway_id}),
        detail=f"détail du chiffre {figure_pk}",
    )
    indicator = CATALOGUE[figure.indicator_code]
    return render(
        request,
        "reports/figure_records.html",
        {
            "title": f"{indicator.label} — détail",
            "run": run,
            "figure": figure,
            "indicator": indicator,
            "page": page,
            "lines": lines,
            "total": total,
            "left_out": total - len(listed),
        },
    )
