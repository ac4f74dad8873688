"""The household page's timeline tells each proposal of a place, its answer and the end of the occupancy."""

import datetime

import pytest
from django.urls import reverse

from accounts.enums import Role
from places import services
from places.enums import DeclineReason, ProposalStatus
from tests.accounts.factories import UserFactory
from tests.places.factories import make_place, oriented_pathway

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_timeline_shows_proposals_answers_and_who(client, geo):
    coordinator = UserFactory(username="coord13", role=Role.COORDINATOR, territories="departement:13")
    place = make_place(label="T3 Tilleuls")
    pathway = oriented_pathway(commune=geo.marseille)
    first = services.proposal_create(place=place, pathway=pathway, on=D(2024, 2, 1), by=coordinator)
    services.proposal_answer(
        proposal=first,
        status=ProposalStatus.DECLINED_BY_STRUCTURE,
        reason=DeclineReason.COMPOSITION,
        note="Studio trop petit",
        on=D(2024, 2, 3),
        by=coordinator,
    )
    client.force_login(coordinator)

    url = reverse("casework:household_detail", args=[pathway.household_id])
    page = client.get(url, {"chronologie": "propositions"}).content.decode()

    assert page.count('data-kind="proposition"') == 2
    assert "Proposé sur la place « T3 Tilleuls »" in page
    assert "Proposition refusée par la structure : Composition du ménage incompatible avec la place" in page
    assert "Précisions : Studio trop petit" in page
    assert str(coordinator) in page
    # The other kinds are filtered out.
    assert 'data-kind="contact"' not in page and 'data-kind="étape"' not in page
