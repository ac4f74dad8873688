"""Who may change what (roles.md). Who may *see* a record is `Model.objects.visible_to(user)`: these rules
apply to records the user already sees."""

from accounts.enums import Role
from pathways.enums import Stage

CASEWORK_ROLES = (Role.CASEWORKER, Role.COORDINATOR)


def can_do_casework(user) -> bool:
    """Create households and pathways, record situations, contacts, measures and transitions."""
    # Not superusers: operators, who read no case file (Pathway.objects.visible_to).
    return user.is_authenticated and not user.is_superuser and user.role in CASEWORK_ROLES


def can_record_stage(user, to_stage: str) -> bool:
    """Caseworkers record every stage but the orientation decision, which is the coordinators'."""
    if not can_do_casework(user):
        return False
    if to_stage == Stage.ORIENTE:
        return can_coordinate(user)
    return True


def can_coordinate(user) -> bool:
    """Orientation decisions, assignment and transfer, bulk actions on queues."""
    return user.is_authenticated and not user.is_superuser and user.role == Role.COORDINATOR


def can_see_names(user, household) -> bool:
    """A confidential household shows its names only inside its referent structures (roles.md), and
    so its free texts (transition reasons, transfer and contact notes), which may tell as much: the one
    rule of every page that shows either. `household.referent_structure_ids` may be prefetched;
    otherwise it is read here."""
    # No exception for superusers: they are operators, outside every structure.
    if not household.confidential:
        return True
    structure_ids = getattr(household, "referent_structure_ids", None)
    if structure_ids is None:
        structure_ids = set(household.pathways.values_list("referent_structure_id", flat=True))
    return bool(set(structure_ids) & set(user.structure_ids))
