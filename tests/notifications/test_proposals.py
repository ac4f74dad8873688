"""A proposal of a place waits for the answer of the place's structure and of the household's followers."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications.enums import Cleared, Kind
from notifications.models import Notification
from pathways import services
from pathways.enums import Stage
from places.enums import ProposalStatus
from places.services import proposal_answer, proposal_create
from tests.notifications.conftest import no_name_in
from tests.places.factories import make_place
from tests.territories.factories import SiteFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 3, 1)


@pytest.fixture
def proposal(world, geo, commit):
    place = make_place(site=SiteFactory(structure=world.beta, commune=geo.aix, name="Résidence des Tilleuls"))
    services.pathway_transition(pathway=world.pathway, to_stage=Stage.ORIENTE, on=DAY, by=world.coord)
    Notification.objects.all().delete()
    mail.outbox.clear()
    with commit():
        return proposal_create(place=place, pathway=world.pathway, on=DAY, by=world.coord)


def items():
    return Notification.objects.filter(kind=Kind.PROPOSAL)


def test_a_proposal_is_for_the_places_structure_and_the_households_follower(world, proposal):
    assert set(items().values_list("recipient__username", flat=True)) == {"bea", "ana"}
    item = items().get(recipient=world.bea)
    assert item.link == f"/places/propositions/{proposal.pk}/"
    assert item.reference == proposal.reference and "Résidence des Tilleuls" in item.summary
    assert no_name_in(item.summary)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bea@example.org"]
    assert all(no_name_in(m.subject + m.body) for m in mail.outbox)


def test_the_places_structure_sees_it_in_its_list(world, proposal):
    client = Client()
    client.force_login(world.bea)
    response = client.get(reverse("notifications:list"))
    assert [g["kind"] for g in response.context["groups"]] == [Kind.PROPOSAL]
    assert client.get(reverse("notifications:count")).context["count"] == 1


def test_the_answer_clears_the_items(world, proposal):
    proposal_answer(proposal=proposal, status=ProposalStatus.ACCEPTED, on=DAY, by=world.bea)
    assert not items().filter(cleared_at__isnull=True).exists()
    assert set(items().values_list("cleared_how", flat=True)) == {Cleared.ACTED}


def test_a_declined_proposal_back_to_oriente_is_no_new_orientation(world, proposal):
    proposal_answer(
        proposal=proposal, status=ProposalStatus.DECLINED_BY_STRUCTURE, reason="typologie", on=DAY, by=world.bea
    )
    world.pathway.refresh_from_db()
    assert world.pathway.stage == Stage.ORIENTE
    assert not Notification.objects.filter(kind=Kind.ORIENTATION).exists()


def test_a_withdrawn_proposal_clears_the_items(world, proposal):
    world.pathway.refresh_from_db()
    services.pathway_transition(pathway=world.pathway, to_stage=Stage.ORIENTE, on=DAY, by=world.coord, reason="x")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert not items().filter(cleared_at__isnull=True).exists()
