from accounts.enums import Role


def navigation(request):
    """The navigation entries of the signed-in person's role (names of URL patterns, French labels)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # A caseworker's and a coordinator's home is their first list (web/views/home.py redirects there): an
    # "Accueil" entry beside it would give one page two names.
    items = [] if user.is_caseworker or user.is_coordinator else [("home", "Accueil")]
    items += superuser_entries() if user.is_superuser else NAV_BY_ROLE.get(user.role, [])
    if user.is_staff:
        items.append(("admin:index", "Données de référence"))
    return {"nav_items": items}


# Filled by each area of the web app as it lands: (url name, French label).
NAV_BY_ROLE: dict[str, list[tuple[str, str]]] = {
    Role.CASEWORKER: [
        ("casework:pathway_list", "Mes parcours"),
        ("casework:household_new", "Nouveau ménage"),
        ("quality:overview", "Qualité"),
    ],
    Role.COORDINATOR: [
        ("casework:pathway_list", "Parcours du territoire"),
        ("casework:household_new", "Nouveau ménage"),
        ("queues:overview", "Vue d'ensemble"),
        ("queues:list", "Files d'attente"),
        ("queues:stalled", "Parcours bloqués"),
        ("reports:run_list", "Bilans"),
        ("steering:flows", "Pilotage"),
        ("quality:overview", "Qualité"),
    ],
    Role.ADMINISTRATOR: [
        ("reports:run_list", "Bilans"),
        ("steering:flows", "Pilotage"),
        ("exchange:job_list", "Import / export"),
        ("quality:overview", "Qualité"),
    ],
    Role.OBSERVER: [("reports:run_list", "Bilans publiés")],
}


def superuser_entries() -> list[tuple[str, str]]:
    """A superuser is an operator: reference data, accounts, the admin, the bilans (aggregates) and the
    exchange; no casework nor queue page, which would show households (Pathway.objects.visible_to)."""
    return list(NAV_BY_ROLE[Role.ADMINISTRATOR])
