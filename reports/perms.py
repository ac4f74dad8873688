"""Who may do what with bilans (roles.md). Who may *see* a run is `BilanRun.objects.visible_to(user)`."""

from reports.models import BilanRun, user_scope
from territories.territory import Territory


def can_read_bilans(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.is_administrator or user.is_observer or user.is_coordinator
    )


def sees_exact_figures(user) -> bool:
    """Administrators and coordinators (who see the case files themselves) work on exact figures;
    observers get the published ones, under statistical secrecy."""
    return user.is_superuser or user.is_administrator or user.is_coordinator


def can_drill_down(user) -> bool:
    return sees_exact_figures(user)


def territory_within(territory: Territory, scope: Territory) -> bool:
    """Is `territory` the scope itself or one of its départements, EPCI or communes?"""
    from territories.models import Departement

    if scope.kind == "france" or territory.key == scope.key:
        return True
    if territory.kind == "commune":
        return scope.communes().filter(code=territory.code).exists()
    if territory.kind == "departement" and scope.kind == "region":
        return Departement.objects.filter(code=territory.code, region_id=scope.code).exists()
    if territory.kind == "epci" and scope.kind in ("region", "departement"):
        return scope.communes().filter(epci_id=territory.code).exists()
    return False


def can_request_bilan(user, territory: Territory) -> bool:
    if not user.is_authenticated or not (user.is_superuser or user.is_administrator):
        return False
    scope = user_scope(user)
    return scope is not None and territory_within(territory, scope)


def can_publish_bilan(user, run: BilanRun) -> bool:
    return can_request_bilan(user, run.territory)


def can_set_targets(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_administrator)
