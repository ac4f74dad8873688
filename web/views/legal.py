"""Pages every visitor reads without signing in: the accessibility statement (RGAA), the legal notice
and the personal-data page, linked from the footer of every page."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.decorators import no_names

# The statement's figures come from the last audit (tests/browser/test_accessibility.py runs axe-core on
# the main pages of every role); update them with the audit, never by hand alone.
AUDIT_DATE = "décembre 2026"


@require_GET
@no_names(reason="public legal page")
def accessibility(request):
    return render(
        request, "web/legal/accessibility.html", {"title": "Déclaration d'accessibilité", "audit_date": AUDIT_DATE}
    )


@require_GET
@no_names(reason="public legal page")
def legal_notice(request):
    return render(request, "web/legal/legal_notice.html", {"title": "Mentions légales"})


@require_GET
@no_names(reason="public legal page")
def personal_data(request):
    return render(request, "web/legal/personal_data.html", {"title": "Données personnelles"})
