"""Which accounts an administrator manages (docs/roles.md): those inside their own territory only.

A coordinator's, observer's or administrator's account is inside when each of its territories is the
administrator's territory or lies within it; a caseworker's when it has structures and each is in a commune
of that territory. Superusers manage every account; nobody but a superuser touches a superuser's."""

from reports.models import user_scope
from reports.perms import territory_within
from territories.models import Structure
from territories.territory import Territory


def administrator_scope(user) -> Territory | None:
    """The territory whose accounts `user` manages (France for a superuser); None for anyone else."""
    if not user.is_authenticated or not (user.is_superuser or user.is_administrator):
        return None
    return user_scope(user)


def territories_within(codes_territories: list[Territory], scope: Territory) -> bool:
    return bool(codes_territories) and all(territory_within(t, scope) for t in codes_territories)


def structure_ids_within(scope: Territory) -> set[int]:
    return set(Structure.objects.filter(scope.commune_q("commune")).values_list("pk", flat=True))


def account_within(account, scope: Territory, inside_structures: set[int] | None = None) -> bool:
    """`inside_structures`: structure_ids_within(scope), when the caller checks many accounts."""
    if account.is_superuser:
        return False
    if account.is_caseworker:
        ids = {s.pk for s in account.structures.all()}
        inside = structure_ids_within(scope) if inside_structures is None else inside_structures
        return bool(ids) and ids <= inside
    return territories_within(account.scope_territories, scope)


def manageable_account_ids(admin) -> set[int] | None:
    """Ids of the accounts `admin` manages, their own included (None: all, for a superuser)."""
    if admin.is_superuser:
        return None
    from accounts.models import User

    scope = administrator_scope(admin)
    ids = {admin.pk}
    if scope is None:
        return ids
    candidates = User.objects.filter(is_superuser=False).exclude(role="").prefetch_related("structures")
    inside = structure_ids_within(scope)
    ids |= {account.pk for account in candidates if account_within(account, scope, inside)}
    return ids


def can_manage_account(admin, account) -> bool:
    if admin.is_superuser:
        return True
    if account.is_superuser:
        return False
    if account.pk == admin.pk:
        return True
    scope = administrator_scope(admin)
    return scope is not None and account_within(account, scope)
