"""The permission group of administrators in the Django admin (roles.md: reference data and accounts,
no pathway data)."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

REFERENCE_DATA_GROUP = "Administration des référentiels"


def reference_data_group() -> Group:
    """Create or refresh the group: structures, sites, labels, thresholds and accounts; the geography
    read-only, since it comes from the official files."""
    group, _ = Group.objects.get_or_create(name=REFERENCE_DATA_GROUP)
    managed = Q(content_type__app_label="accounts") | Q(
        content_type__app_label="territories",
        content_type__model__in=["structure", "site", "label", "stallthreshold"],
    )
    geography = Q(
        content_type__app_label="territories",
        content_type__model__in=["region", "departement", "epci", "commune", "arrondissement"],
        codename__startswith="view_",
    )
    group.permissions.set(Permission.objects.filter(managed | geography))
    return group
