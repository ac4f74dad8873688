"""Two coordinators proposing two households on the same place at the same moment: one wins, the other
is told the place is no longer vacant, and its household stays in the queue."""

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from pathways.enums import Stage
from pathways.models import Pathway
from places import services
from places.enums import PlaceState, ProposalStatus
from places.models import Place, Proposal
from tests.pathways.threads import in_threads
from tests.places.factories import make_place, oriented_pathway

pytestmark = [
    pytest.mark.faults,
    pytest.mark.usefixtures("integrity_after"),
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks (select_for_update is a no-op): run on PostgreSQL (DATABASE_URL).",
    ),
]

DAY = datetime.date(2024, 2, 1)


def propose_all(place_id: int, pathway_ids: list[int]) -> list:
    def propose(index, barrier):
        barrier.wait()
        try:
            with transaction.atomic():
                proposal = services.proposal_create(
                    place=Place.objects.get(pk=place_id),
                    pathway=Pathway.objects.get(pk=pathway_ids[index]),
                    on=DAY,
                    by=None,
                )
                # Keep the locks a moment so that the others surely wait on them.
                time.sleep(0.3)
                return proposal
        except ValidationError as error:
            return error

    return in_threads(propose, len(pathway_ids), timeout=30)


def test_parallel_proposals_on_one_place_one_wins():
    place = make_place()
    pathways = [oriented_pathway() for _ in range(4)]

    results = propose_all(place.pk, [p.pk for p in pathways])

    won = [r for r in results if isinstance(r, Proposal)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert (len(won), len(lost)) == (1, 3), results
    assert all("plus vacante" in error.message_dict["place"][0] for error in lost)
    place.refresh_from_db()
    assert (place.state, place.pathway_id) == (PlaceState.PROPOSED, won[0].pathway_id)
    assert Proposal.objects.filter(place=place, status=ProposalStatus.PENDING).count() == 1
    stages = dict(Pathway.objects.filter(pk__in=[p.pk for p in pathways]).values_list("pk", "stage"))
    assert sorted(stages.values()) == sorted([Stage.PROPOSITION, Stage.ORIENTE, Stage.ORIENTE, Stage.ORIENTE])
    assert stages[won[0].pathway_id] == Stage.PROPOSITION


def test_one_household_proposed_on_two_places_at_once_gets_one():
    places = [make_place(label="A"), make_place(label="B")]
    pathway = oriented_pathway()

    def propose(index, barrier):
        barrier.wait()
        try:
            with transaction.atomic():
                proposal = services.proposal_create(
                    place=Place.objects.get(pk=places[index].pk),
                    pathway=Pathway.objects.get(pk=pathway.pk),
                    on=DAY,
                    by=None,
                )
                time.sleep(0.3)
                return proposal
        except ValidationError as error:
            return error

    results = in_threads(propose, 2, timeout=30)

    assert sorted(type(r).__name__ for r in results) == ["Proposal", "ValidationError"], results
    assert Proposal.objects.filter(pathway=pathway).count() == 1
    assert sorted(Place.objects.values_list("state", flat=True)) == [PlaceState.PROPOSED, PlaceState.VACANT]


def test_parallel_answers_record_one():
    place = make_place()
    proposal = services.proposal_create(place=place, pathway=oriented_pathway(), on=DAY, by=None)

    def answer(index, barrier):
        barrier.wait()
        try:
            with transaction.atomic():
                result = services.proposal_answer(
                    proposal=Proposal.objects.get(pk=proposal.pk),
                    status=[ProposalStatus.ACCEPTED, ProposalStatus.DECLINED_BY_STRUCTURE][index],
                    reason=["", "composition"][index],
                    on=DAY,
                    by=None,
                )
                time.sleep(0.3)
                return result
        except ValidationError as error:
            return error

    results = in_threads(answer, 2, timeout=30)

    assert sorted(type(r).__name__ for r in results) == ["Proposal", "ValidationError"], results
    proposal.refresh_from_db()
    place.refresh_from_db()
    expected = PlaceState.OCCUPIED if proposal.status == ProposalStatus.ACCEPTED else PlaceState.VACANT
    assert place.state == expected
