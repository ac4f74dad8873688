"""The demo's sites have places: some vacant, some proposed, some occupied, declines with their reason."""

import pytest
from django.db.models import Count

from pathways.demo import seed_demo
from pathways.enums import Stage
from pathways.integrity import integrity_check
from pathways.models import Pathway
from places.enums import DECLINED_STATUSES, PlaceState, ProposalStatus
from places.models import Place, Proposal
from territories.geography import load_geography


@pytest.mark.django_db
def test_the_demo_has_places_in_every_state_through_the_services():
    load_geography()
    report = seed_demo(households=150, seed=2026)

    states = dict(Place.objects.values_list("state").annotate(n=Count("pk")))
    assert report.place_units == Place.objects.count() > 0
    assert {PlaceState.VACANT, PlaceState.PROPOSED, PlaceState.OCCUPIED} <= set(states), states
    assert Proposal.objects.filter(status__in=DECLINED_STATUSES).exclude(decline_reason="").exists()
    # A held place names its pathway at the stage that holds it; the report counts the moved pathways.
    for place in Place.objects.filter(state__in=[PlaceState.PROPOSED, PlaceState.OCCUPIED]).select_related("pathway"):
        assert place.pathway.stage == Stage.PROPOSITION
    assert dict(Pathway.objects.values_list("stage").annotate(n=Count("id"))) == report.stages
    assert Proposal.objects.filter(status=ProposalStatus.PENDING).count() == states[PlaceState.PROPOSED]
    # The coordinator still has households to propose.
    assert Pathway.objects.filter(stage=Stage.ORIENTE).exists()
    assert integrity_check().ok
