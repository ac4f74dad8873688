from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from audit.decorators import no_names


def _url(name: str) -> str | None:
    """The URL of an area built elsewhere, or None while it does not exist."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@login_required
@no_names(reason="links to the areas of the role")
def home(request):
    user = request.user
    if user.is_caseworker:
        return redirect("casework:pathway_list")
    if user.is_coordinator:
        return redirect(_url("queues:overview") or reverse("casework:pathway_list"))
    links = []
    if user.is_administrator or user.is_superuser:
        if user.is_staff:
            links.append(
                (
                    reverse("admin:index"),
                    "Données de référence",
                    "Structures, sites et places, labels, seuils, utilisateurs.",
                )
            )
        if bilans := _url("reports:run_list"):
            links.append((bilans, "Bilans", "Produire, vérifier et publier les bilans du plan."))
    if user.is_observer and (published := _url("reports:published") or _url("reports:run_list")):
        links.append((published, "Bilans publiés", "Les bilans publiés de votre territoire."))
    return render(request, "web/home.html", {"title": "Accueil", "links": links})
