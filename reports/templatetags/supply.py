"""The supply figures of the coordination (places.figures), for the places summary page: the
territories of a coordinator or an administrator, the 365 days up to today (docs/indicateurs.md,
« Annexe : offre et propositions »). Aggregates only: no household is named."""

from datetime import timedelta

from django import template
from django.utils import timezone

from places.figures import build_annex, supply_figures

register = template.Library()

DAYS = 365


@register.inclusion_tag("reports/_annex_places_block.html")
def supply_block(user):
    if not (user.is_coordinator or user.is_administrator) or user.is_superuser:
        return {"blocks": []}
    end = timezone.localdate()
    start = end - timedelta(days=DAYS - 1)
    blocks = [build_annex(supply_figures(territory, start, end), secrecy=False) for territory in user.scope_territories]
    return {"blocks": blocks, "start": start, "end": end}
