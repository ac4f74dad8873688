"""The administrators' stall-threshold overrides (territories.models.StallThreshold), read once a minute
per process instead of once per page: a handful of rows that every queue page and the stalled figures turn
into one SQL expression (pathways.models.stall_threshold).

A change saved or deleted through the ORM (the admin) forgets the copy of the process that made it at
once; the other processes pick it up within CACHE_SECONDS (docs/coordination.md, « Seuils de blocage »)."""

from django.core.cache import cache

CACHE_KEY = "territories:stall-threshold-overrides"
CACHE_SECONDS = 60
FIELDS = ("stage", "days", "dalo_days", "commune_id", "epci_id", "departement_id", "region_id")


def threshold_overrides() -> list[dict]:
    rows = cache.get(CACHE_KEY)
    if rows is None:
        from territories.models import StallThreshold

        rows = list(StallThreshold.objects.order_by("pk").values(*FIELDS))
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return rows


def forget_overrides(**kwargs) -> None:
    cache.delete(CACHE_KEY)
