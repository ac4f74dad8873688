"""« Qualité des données »: the counts, shares and scores of the checks for the reader's scope (stored each
night, live when none is recent), the monthly trend, and the list of files behind each check (casework roles
only, always live). Thin: scope, validate, compute, render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from audit.decorators import audit_shown, audited, no_names
from audit.enums import Target
from facts.models import in_territory
from pathways.models import Pathway
from quality.charts import month_label, score_chart
from quality.checks import CHECKS, CHECKS_BY_CODE, active, conditions, late_days, stale_days
from quality.daily import stored_day
from quality.figures import figures_of, quality_figures
from quality.perms import can_list_files, can_see_quality, chosen_territory
from quality.snapshots import stored_trend
from quality.trend import TrendPoint, month_ends
from territories.models import Structure
from web.queues.views import decorate, page_of

# What a structure does to clear a file from each list (French, shown above the list).
HINTS = {
    "situation_inconnue": "Aucune situation résidentielle n'est enregistrée : indiquez où vivait le ménage à "
    "l'ouverture du parcours (les indicateurs la lisent à la date du bail et de l'entrée).",
    "situation_tardive": "La première situation commence après l'ouverture : la situation du ménage à "
    "l'ouverture est inconnue. Enregistrez celle du premier contact, datée au plus tard de l'ouverture.",
    "naissance_manquante": "Au moins une personne du ménage n'a pas de date de naissance : complétez la "
    "composition du ménage.",
    "date_avant_ouverture": "Un contact ou une mesure d'accompagnement est daté d'avant l'ouverture du "
    "parcours : vérifiez la date saisie.",
    "dossier_inactif": "Ni changement d'étape ni contact depuis plus de {stale} jours : enregistrez le dernier "
    "contact, ou clôturez le parcours.",
    "doublon_probable": "Une personne du ménage (même nom et même date de naissance) est aussi suivie dans un "
    "dossier actif d'une autre structure : rapprochez-vous de la coordination.",
    "saisie_tardive": "Un changement d'étape enregistré dans les 365 derniers jours l'a été plus de {lag} jours "
    "après sa date : les chiffres des mois passés ont changé après coup.",
}


def _reader_required(request, *, lists: bool = False) -> None:
    allowed = can_list_files(request.user) if lists else can_see_quality(request.user)
    if not allowed:
        raise PermissionDenied("Cette page n'est pas accessible avec votre rôle.")


def scope_of(request) -> dict:
    """The reader's files (not narrowed to active ones), the territory chosen, the errors of the query
    string (French), and the structure chosen (an id, validated by the caller against the figures)."""
    user, errors = request.user, []
    territory, territories = chosen_territory(request, errors)
    # A superuser reads the aggregates of France whatever role it also holds (perms.territories_of):
    # Pathway.objects.visible_to is empty for it.
    # `snapshots`: the same files among the rows of the stored figures (QualityMonth's and QualityDay's columns).
    nothing = Q(pk__in=[])
    if user.is_superuser:
        files = Pathway.objects.in_territory(territory) if territory else Pathway.objects.none()
        snapshots = in_territory(territory) if territory else nothing
    elif user.is_caseworker:
        files = Pathway.objects.visible_to(user).filter(referent_structure__in=user.structure_ids)
        snapshots = Q(structure_id__in=user.structure_ids)
    elif user.is_coordinator:
        files = Pathway.objects.visible_to(user).in_territory(territory) if territory else Pathway.objects.none()
        snapshots = in_territory(territory) if territory else nothing
    else:
        files = Pathway.objects.in_territory(territory) if territory else Pathway.objects.none()
        snapshots = in_territory(territory) if territory else nothing
    structure = None
    raw = request.GET.get("structure", "").strip()
    if raw:
        if raw.isascii() and raw.isdigit() and len(raw) < 19:
            structure = int(raw)
        else:
            errors.append(f"Structure « {raw[:50]} » invalide : toutes les structures sont affichées.")
    return {
        "files": files,
        "snapshots": snapshots,
        "territory": territory,
        "territories": territories,
        "structure": structure,
        "errors": errors,
    }


def _query(scope, *, structure=None) -> str:
    from urllib.parse import urlencode

    pairs = []
    if scope["territory"] is not None and len(scope["territories"]) > 1:
        pairs.append(("territoire", scope["territory"].key))
    if structure is not None:
        pairs.append(("structure", structure))
    return f"?{urlencode(pairs)}" if pairs else ""


@login_required
@no_names(reason="counts, shares and scores per check and structure")
def overview(request):
    _reader_required(request)
    today, stale, lag = timezone.localdate(), stale_days(), late_days()
    scope = scope_of(request)
    # The figures of the day: stored each night (quality/daily.py), live when none is recent enough.
    stored = stored_day(scope["snapshots"], today=today)
    if stored is not None:
        figures = figures_of(stored.rows)
    else:
        figures = quality_figures(scope["files"].filter(active()), today=today, stale=stale, lag=lag)
    chosen = None
    if scope["structure"] is not None:
        chosen = next((s for s in figures.structures if s.structure_id == scope["structure"]), None)
        if chosen is None:
            scope["errors"].append(
                "Cette structure n'a aucun dossier actif ici : toutes les structures sont affichées."
            )
    # The trend: the monthly snapshots of the scope (quality/snapshots.py), None for a month not computed.
    days = month_ends(today)
    snapshots = scope["snapshots"] & Q(structure_id=chosen.structure_id) if chosen else scope["snapshots"]
    trend = stored_trend(days, snapshots)
    points = [point or TrendPoint(day, 0, 0) for day, point in zip(days, trend, strict=True)]
    lists = can_list_files(request.user)
    shown = chosen or figures
    query = _query(scope, structure=chosen.structure_id if chosen else None)
    checks = [
        {
            "figure": figure,
            "url": f"{reverse('quality:files', args=[figure.check.code])}{query}" if lists and figure.count else "",
        }
        for figure in shown.checks
    ]
    subject = chosen.name if chosen else (scope["territory"].name if scope["territory"] else "vos structures")
    return render(
        request,
        "quality/overview.html",
        {
            "title": "Qualité des données",
            "subject": subject,
            "errors": scope["errors"],
            "territory": scope["territory"],
            "territories": scope["territories"],
            "structures": [
                {"figure": s, "url": f"{reverse('quality:overview')}{_query(scope, structure=s.structure_id)}"}
                for s in figures.structures
            ],
            "chosen": chosen,
            "shown": shown,
            # The day of the figures, and the moment they were stored (None: computed for this request).
            "figures_day": stored.day if stored is not None else today,
            "computed_at": stored.computed_at if stored is not None else None,
            "lists": lists,
            "checks": checks,
            "points": [
                {"label": month_label(p.day), "point": p, "computed": s is not None}
                for p, s in zip(points, trend, strict=True)
            ],
            "uncomputed": any(s is None for s in trend),
            "chart": score_chart(title=f"Score de qualité à chaque fin de mois — {subject}", points=points),
            "stale": stale,
            "lag": lag,
            "base_query": _query(scope),
        },
    )


@audited(Target.PATHWAY, id_kwarg=None)
@login_required
def files(request, code):
    _reader_required(request, lists=True)
    check = CHECKS_BY_CODE.get(code)
    if check is None:
        raise Http404("Vérification inconnue.")
    today, stale, lag = timezone.localdate(), stale_days(), late_days()
    scope = scope_of(request)
    queryset = scope["files"].filter(active())
    structure_name = ""
    if scope["structure"] is not None:
        structure = Structure.objects.filter(pk=scope["structure"]).first()
        if structure is None:
            scope["errors"].append("Structure inconnue : toutes les structures sont affichées.")
        else:
            queryset, structure_name = queryset.filter(referent_structure=structure), structure.name
    queryset = queryset.filter(conditions(today=today, stale=stale, lag=lag)[code])
    keys = queryset.with_stall_threshold().with_days_inactive(today).order_by("pk")
    page, rows = page_of(keys, request.GET.get("page"), user=request.user, today=today)
    rows = decorate(rows, request.user)
    audit_shown(request, object_ids=[row.pk for row in rows], detail=f"qualité des données : {code}")
    subject = structure_name or (scope["territory"].name if scope["territory"] else "vos structures")
    return render(
        request,
        "quality/files.html",
        {
            "title": f"{check.label} — {subject}",
            "check": check,
            "hint": HINTS[code].format(stale=stale, lag=lag),
            "errors": scope["errors"],
            "page_obj": page,
            "rows": rows,
            "overview_url": f"{reverse('quality:overview')}{_query(scope)}",
            "checks": CHECKS,
        },
    )
