"""Who sees what of the data quality (roles.md): caseworkers the files of their structures, coordinators
those of their territories, with the lists behind the counts; administrators (and superusers, operators who
see the national aggregates) the counts of their territory only; observers nothing."""

from reports.models import user_scope


def can_see_quality(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.is_caseworker or user.is_coordinator or user.is_administrator
    )


def can_list_files(user) -> bool:
    """The lists behind the counts name households: casework roles only."""
    return user.is_authenticated and not user.is_superuser and (user.is_caseworker or user.is_coordinator)


def territories_of(user) -> list:
    """The territories a reader picks from: a coordinator's, an administrator's one (France for a
    superuser); none for a caseworker, whose scope is its structures."""
    if user.is_superuser or user.is_administrator:
        scope = user_scope(user)
        return [scope] if scope is not None else []
    if user.is_coordinator:
        return list(user.scope_territories)
    return []


def chosen_territory(request, errors: list) -> tuple:
    """The territory asked for by `?territoire=` among the reader's (the first by default), and the
    reader's territories; a key out of scope adds a French message to `errors` and keeps the default."""
    territories = territories_of(request.user)
    territory = territories[0] if territories else None
    wanted = request.GET.get("territoire", "").strip()
    if wanted and territories:
        match = [t for t in territories if t.key == wanted]
        if match:
            territory = match[0]
        else:
            errors.append(f"Territoire « {wanted[:50]} » hors de votre périmètre : {territory} est affiché.")
    return territory, territories
