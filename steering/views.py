"""« Pilotage mensuel »: monthly inflow and outflow of the active pathways of a territory, their balance
check, both breakdowns, the returns after housing and the time to housing (counts only, no household).
Thin: scope, validate the query string, compute, render or download."""

import re
from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.decorators import no_names
from facts.models import Entry, Exit
from facts.refresh import inactive_days
from project.months import last_complete_months, months_between
from quality.charts import month_label
from quality.perms import chosen_territory
from reports.charts import Series, bar_chart
from reports.exports.tables import make_cell
from steering.exports import csv_bytes, xlsx_bytes
from steering.flows import DIMENSIONS, monthly_flows
from steering.returns import returns_after_housing

# Column headers of the monthly table (short: the table has eleven columns); definitions in the docs.
ENTRY_HEADERS = {
    Entry.NEW: "Nouveaux parcours",
    Entry.AFTER_HOUSING: "Après un logement",
    Entry.AFTER_INACTIVITY: "Après inactivité",
}
EXIT_HEADERS = {Exit.HOUSED: "Logés", Exit.INACTIVE: "Inactifs", Exit.CLOSED: "Clôturés"}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 36
FIRST_YEAR = 2010


def can_steer(user) -> bool:
    """Coordinators and administrators (roles.md), and the superuser for France; aggregates only."""
    return user.is_authenticated and (user.is_superuser or user.is_coordinator or user.is_administrator)


def _month(raw: str, errors: list, label: str) -> date | None:
    match = MONTH.match(raw)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < FIRST_YEAR:
        errors.append(f"{label} « {raw[:20]} » invalide : indiquez un mois sous la forme AAAA-MM.")
        return None
    return date(int(match[1]), int(match[2]), 1)


def window_of(request, today: date) -> tuple[list, list[str]]:
    """The months asked for (`debut`, `fin`, AAAA-MM), or the last 24 complete months, and the errors."""
    errors, default = [], last_complete_months(today)
    raw_start, raw_end = request.GET.get("debut", "").strip(), request.GET.get("fin", "").strip()
    if not raw_start and not raw_end:
        return default, errors
    start = _month(raw_start, errors, "Début") if raw_start else default[0].first
    end = _month(raw_end, errors, "Fin") if raw_end else default[-1].first
    if start is None or end is None:
        return default, errors
    if end > default[-1].first:
        errors.append("Le mois en cours n'est pas terminé : la période s'arrête au mois précédent.")
        end = default[-1].first
    if start > end:
        errors.append("Le début est après la fin : les 24 derniers mois sont affichés.")
        return default, errors
    months = months_between(start, end)
    if len(months) > MAX_MONTHS:
        errors.append(f"Au plus {MAX_MONTHS} mois : les {MAX_MONTHS} derniers mois de la période sont affichés.")
        months = months[-MAX_MONTHS:]
    return months, errors


def cohort_of(request, today: date, errors: list) -> int:
    """The year whose move-ins make the returns' cohort (`cohorte`); by default the one three years ago,
    followed 24 months in full."""
    default = today.year - 3
    raw = request.GET.get("cohorte", "").strip()
    if not raw:
        return default
    if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= today.year:
        return int(raw)
    errors.append(f"Année de cohorte « {raw[:20]} » invalide : {default} est affichée.")
    return default


def flow_chart(flows, subject: str):
    labels = [f"{m.first:%m/%y}" for m in flows.months]
    return bar_chart(
        title=f"Entrées et sorties de la file active, par mois — {subject}",
        categories=labels,
        series=[
            Series("Entrées", [make_cell(f.inflow_total) for f in flows.total]),
            Series("Sorties", [make_cell(f.outflow_total) for f in flows.total]),
        ],
        stacked=False,
    )


@login_required
@no_names(reason="monthly counts of active pathways, returns and medians of a territory")
def flows(request):
    if not can_steer(request.user):
        raise PermissionDenied("Cette page n'est pas accessible avec votre rôle.")
    today = timezone.localdate()
    months, errors = window_of(request, today)
    cohort = cohort_of(request, today, errors)
    territory, territories = chosen_territory(request, errors)
    if territory is None:
        raise PermissionDenied("Aucun territoire n'est rattaché à votre compte.")
    result = monthly_flows(territory, months)
    subject = territory.name
    period = f"{month_label(months[0].first)} à {month_label(months[-1].first)}"
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        stamp = f"{territory.key.replace(':', '-')}-{months[0].key}-{months[-1].key}"
        if fmt == "csv":
            response = HttpResponse(csv_bytes(result), content_type="text/csv; charset=utf-8")
        else:
            content = xlsx_bytes(result, title=f"Flux mensuels de la file active — {subject}, {period}")
            response = HttpResponse(
                content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        response["Content-Disposition"] = f'attachment; filename="flux-mensuels-{stamp}.{fmt}"'
        return response
    returns = returns_after_housing(territory, date(cohort, 1, 1), date(cohort, 12, 31), today=today)
    pairs = [("debut", months[0].key), ("fin", months[-1].key), ("cohorte", cohort)]
    if len(territories) > 1:
        pairs.append(("territoire", territory.key))
    query = urlencode(pairs)
    breakdowns = [
        {
            "label": DIMENSIONS[dimension][0],
            "rows": [
                {
                    "label": DIMENSIONS[dimension][1].get(category, category),
                    "first": rows[0],
                    "last": rows[-1],
                    "inflow": sum(f.inflow_total for f in rows),
                    "outflow": sum(f.outflow_total for f in rows),
                    "balanced": all(f.balanced for f in rows),
                }
                for category, rows in categories.items()
            ],
        }
        for dimension, categories in result.by.items()
    ]
    return render(
        request,
        "steering/flows.html",
        {
            "title": "Pilotage mensuel",
            "subject": subject,
            "period": period,
            "errors": errors,
            "territory": territory,
            "territories": territories,
            "months": [{"label": month_label(f.month.first), "flow": f} for f in result.total],
            "flows": result,
            "entries": list(ENTRY_HEADERS.items()),
            "exits": list(EXIT_HEADERS.items()),
            "breakdowns": breakdowns,
            "chart": flow_chart(result, subject),
            "start_value": months[0].key,
            "end_value": months[-1].key,
            "cohort": cohort,
            "returns": returns,
            "query": query,
            "inactive_days": inactive_days(),
        },
    )
