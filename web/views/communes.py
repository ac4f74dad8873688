"""Commune suggestions for the commune search field: options for its <datalist>, or JSON."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from audit.decorators import no_names
from territories.forms import commune_label, suggest_communes


@login_required
@no_names(reason="communes only")
def commune_suggestions(request):
    # The field sends its own value under its own name (htmx), and names it in `champ`.
    text = request.GET.get("q") or request.GET.get(request.GET.get("champ", ""), "")
    communes = suggest_communes(text)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"results": [{"code": c.code, "name": c.name, "label": commune_label(c)} for c in communes]}
        )
    return render(
        request,
        "web/casework/_commune_suggestions.html",
        {"suggestions": [commune_label(c) for c in communes]},
    )
