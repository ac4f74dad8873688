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


# Records of case files: a drill-down lists them only inside the reader's scope. Sites and labels are
# reference data, published anyway: listed whatever the scope.
CASE_FILE_MODELS = ("pathways.Pathway", "pathways.Transition", "pathways.Measure", "pathways.Household")


def pathways_in_scope(user):
    """The pathways a bilan reader's drill-down may list (by reference): a coordinator's are those it
    sees (Pathway.objects.visible_to), an administrator's those of its territory (France for a
    superuser)."""
    from pathways.models import Pathway

    if user.is_coordinator and not user.is_superuser:
        return Pathway.objects.visible_to(user)
    scope = user_scope(user)
    if scope is None or not (user.is_superuser or user.is_administrator):
        return Pathway.objects.none()
    return Pathway.objects.in_territory(scope)


def scope_narrows(record_model: str, user) -> bool:
    """Can records_in_scope leave out some of a figure's records for this reader? Not for records that
    are not case files, nor for an administrator of France."""
    if record_model not in CASE_FILE_MODELS:
        return False
    if user.is_coordinator and not user.is_superuser:
        return True
    scope = user_scope(user)
    return scope is None or scope.kind != "france" or not (user.is_superuser or user.is_administrator)


def records_in_scope(record_model: str, records, user):
    """`records` (rows of `record_model` behind a figure) narrowed to the user's scope."""
    from django.db.models import Exists, OuterRef

    if record_model not in CASE_FILE_MODELS:
        return records
    pathways = pathways_in_scope(user)
    if record_model == "pathways.Household":
        return records.filter(Exists(pathways.filter(household=OuterRef("pk"))))
    if record_model == "pathways.Pathway":
        return records.filter(pk__in=pathways.values("pk"))
    return records.filter(pathway__in=pathways.values("pk"))
