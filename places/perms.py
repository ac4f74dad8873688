"""Who may change what on places (docs/places.md). Who may *see* a place is Place.objects.visible_to."""

from pathways.perms import can_coordinate, can_do_casework


def can_manage_places(user) -> bool:
    """Declare places, freed or unavailable: the operating structure's caseworkers and the coordinators,
    on the places they see."""
    return can_do_casework(user)


def can_propose(user) -> bool:
    """Propose a household on a place: the coordination."""
    return can_coordinate(user)


def can_answer(user) -> bool:
    """Record the answer of the operating structure or of the household, on a place the user sees."""
    return can_do_casework(user)


def can_read_place_summary(user) -> bool:
    """The counts of places by state (no household): every role with a territory, not the superuser."""
    return (
        user.is_authenticated
        and not user.is_superuser
        and (user.is_caseworker or user.is_coordinator or user.is_administrator)
    )
