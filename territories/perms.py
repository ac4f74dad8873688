"""To which structures a person may hand pathways (roles.md): the target structures of household
creation, transfers and shares."""

from territories.models import Structure


def target_structures(user):
    """A caseworker: its own structures; a coordinator: the structures working in its territory
    (Structure.objects.working_in). Nobody else hands pathways, superusers included (operators)."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return Structure.objects.none()
    if user.is_caseworker:
        return Structure.objects.filter(pk__in=user.structure_ids).order_by("name")
    if user.is_coordinator:
        return Structure.objects.working_in(user.scope_territories).order_by("name")
    return Structure.objects.none()
