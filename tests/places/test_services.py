"""The life of a place through its services: vacancy, proposal, answers, occupancy, departure."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from pathways import services as pathway_services
from pathways.enums import HousingKind, Stage
from places import services
from places.enums import DeclineReason, OccupancyEnd, PlaceState, ProposalStatus, UnavailableReason
from places.models import Occupancy, Place, PlaceEvent, Proposal
from tests.accounts.factories import UserFactory
from tests.places.factories import make_place, oriented_pathway

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def coordinator():
    return UserFactory(role="coordinator", territories="departement:13")


def test_a_new_place_is_vacant_from_its_date_with_its_history_row():
    place = make_place(on=D(2024, 1, 2), persons_max=3)

    assert (place.state, place.vacant_since, place.pathway) == (PlaceState.VACANT, D(2024, 1, 2), None)
    assert list(place.events.values_list("state", "on")) == [(PlaceState.VACANT, D(2024, 1, 2))]
    assert place.kind == place.site.kind


def test_a_place_refuses_incoherent_sizes():
    with pytest.raises(ValidationError) as error:
        make_place(persons_min=3, persons_max=2)
    assert "persons_max" in error.value.message_dict


def test_proposal_moves_the_pathway_to_proposition_and_holds_the_place(coordinator):
    place = make_place()
    pathway = oriented_pathway()

    proposal = services.proposal_create(place=place, pathway=pathway, on=D(2024, 2, 1), by=coordinator)

    pathway.refresh_from_db()
    place.refresh_from_db()
    assert pathway.stage == Stage.PROPOSITION
    last = pathway.transitions.order_by("-seq").first()
    assert (last.stage, last.date, last.recorded_by) == (Stage.PROPOSITION, D(2024, 2, 1), coordinator)
    assert proposal.reference in last.reason
    assert (place.state, place.pathway, place.vacant_since) == (PlaceState.PROPOSED, pathway, D(2024, 1, 2))
    assert (proposal.status, proposal.proposed_by, proposal.waiting_since) == (
        ProposalStatus.PENDING,
        coordinator,
        D(2024, 1, 5),
    )
    assert AuditEvent.objects.filter(target="place", target_id=place.pk, household_id=pathway.household_id).exists()


def test_a_proposed_place_cannot_be_proposed_again(coordinator):
    place = make_place()
    services.proposal_create(place=place, pathway=oriented_pathway(), on=D(2024, 2, 1), by=coordinator)
    other = oriented_pathway()

    with pytest.raises(ValidationError) as error:
        services.proposal_create(place=place, pathway=other, on=D(2024, 2, 2), by=coordinator)

    assert "plus vacante" in error.value.message_dict["place"][0]
    other.refresh_from_db()
    assert other.stage == Stage.ORIENTE
    assert Proposal.objects.count() == 1


def test_the_database_refuses_two_pending_proposals_on_one_place(coordinator):
    place = make_place()
    first = services.proposal_create(place=place, pathway=oriented_pathway(), on=D(2024, 2, 1), by=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.create(
            place=place, pathway=oriented_pathway(), proposed_on=D(2024, 2, 1), waiting_since=D(2024, 1, 1)
        )
    assert Proposal.objects.get() == first


def test_the_database_refuses_two_open_occupancies_on_one_place():
    place = make_place()
    Occupancy.objects.create(place=place, pathway=oriented_pathway(), reserved_on=D(2024, 2, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Occupancy.objects.create(place=place, pathway=oriented_pathway(), reserved_on=D(2024, 2, 1))


def test_the_database_refuses_a_held_place_without_its_pathway():
    place = make_place()
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.filter(pk=place.pk).update(state=PlaceState.OCCUPIED, vacant_since=None)


def test_only_an_oriented_household_that_fits_is_proposed(coordinator):
    place = make_place(persons_min=1, persons_max=2)
    with pytest.raises(ValidationError) as error:
        services.proposal_create(
            place=place, pathway=oriented_pathway(adults=2, children=2), on=D(2024, 2, 1), by=coordinator
        )
    assert "de 1 à 2 personne" in error.value.message_dict["pathway"][0]
    from tests.pathways.factories import PathwayFactory

    with pytest.raises(ValidationError) as error:
        services.proposal_create(place=place, pathway=PathwayFactory(), on=D(2024, 2, 1), by=coordinator)
    assert "orienté" in error.value.message_dict["pathway"][0]
    place.refresh_from_db()
    assert place.state == PlaceState.VACANT


def test_decline_sends_the_household_back_with_its_wait_and_the_place_back_to_vacant(coordinator):
    place = make_place(on=D(2024, 1, 2))
    pathway = oriented_pathway(on=D(2024, 1, 5))
    proposal = services.proposal_create(place=place, pathway=pathway, on=D(2024, 2, 1), by=coordinator)

    services.proposal_answer(
        proposal=proposal,
        status=ProposalStatus.DECLINED_BY_HOUSEHOLD,
        reason=DeclineReason.LOCALISATION,
        note="Trop loin de l'école",
        on=D(2024, 2, 10),
        by=coordinator,
    )

    proposal.refresh_from_db()
    pathway.refresh_from_db()
    place.refresh_from_db()
    assert (proposal.status, proposal.decline_reason, proposal.answered_by, proposal.answered_on) == (
        ProposalStatus.DECLINED_BY_HOUSEHOLD,
        DeclineReason.LOCALISATION,
        coordinator,
        D(2024, 2, 10),
    )
    assert (pathway.stage, pathway.stage_on) == (Stage.ORIENTE, D(2024, 2, 10))
    assert (place.state, place.pathway, place.vacant_since, place.state_since) == (
        PlaceState.VACANT,
        None,
        D(2024, 1, 2),
        D(2024, 2, 10),
    )
    # Its wait is the one before the proposal: a second proposal keeps it.
    assert services.waiting_since_of(pathway) == D(2024, 1, 5)
    second = services.proposal_create(place=place, pathway=pathway, on=D(2024, 2, 11), by=coordinator)
    assert second.waiting_since == D(2024, 1, 5)


def test_a_decline_needs_a_reason_from_the_list_of_its_decliner(coordinator):
    proposal = services.proposal_create(
        place=make_place(), pathway=oriented_pathway(), on=D(2024, 2, 1), by=coordinator
    )
    for status, reason, field in [
        (ProposalStatus.DECLINED_BY_STRUCTURE, "", "reason"),
        # The household's own reason, not the structure's.
        (ProposalStatus.DECLINED_BY_STRUCTURE, DeclineReason.AUTRE_SOLUTION, "reason"),
        (ProposalStatus.DECLINED_BY_HOUSEHOLD, DeclineReason.AUTRE, "note"),
        ("peut-etre", "", "status"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.proposal_answer(proposal=proposal, status=status, reason=reason, on=D(2024, 2, 2), by=coordinator)
        assert field in error.value.message_dict
    proposal.refresh_from_db()
    assert proposal.is_pending


def test_accept_lease_entry_then_departure(coordinator):
    place = make_place(on=D(2024, 1, 2))
    pathway = oriented_pathway(on=D(2024, 1, 5))
    proposal = services.proposal_create(place=place, pathway=pathway, on=D(2024, 2, 1), by=coordinator)

    services.proposal_answer(proposal=proposal, status=ProposalStatus.ACCEPTED, on=D(2024, 2, 5), by=coordinator)

    place.refresh_from_db()
    occupancy = Occupancy.objects.get()
    assert (place.state, place.pathway, place.vacant_since) == (PlaceState.OCCUPIED, pathway, None)
    assert (occupancy.reserved_on, occupancy.started_on, occupancy.proposal) == (D(2024, 2, 5), None, proposal)

    pathway_services.pathway_transition(
        pathway=pathway,
        to_stage=Stage.BAIL_SIGNE,
        on=D(2024, 2, 20),
        by=coordinator,
        housing_kind=HousingKind.IML_SOUS_LOCATION,
        housing_commune=place.site.commune,
    )
    pathway_services.pathway_transition(pathway=pathway, to_stage=Stage.ENTREE, on=D(2024, 3, 1), by=coordinator)
    occupancy.refresh_from_db()
    assert occupancy.started_on == D(2024, 3, 1)

    services.place_declare_vacant(place=place, on=D(2024, 9, 1), by=coordinator)
    occupancy.refresh_from_db()
    place.refresh_from_db()
    assert (occupancy.ended_on, occupancy.end_reason, occupancy.ended_by) == (
        D(2024, 9, 1),
        OccupancyEnd.DEPART,
        coordinator,
    )
    assert (place.state, place.vacant_since, place.pathway) == (PlaceState.VACANT, D(2024, 9, 1), None)
    assert list(place.events.values_list("state", flat=True)) == [
        PlaceState.VACANT,
        PlaceState.PROPOSED,
        PlaceState.OCCUPIED,
        PlaceState.VACANT,
    ]


def test_a_closure_of_the_housed_pathway_frees_its_place(coordinator):
    place = make_place()
    pathway = oriented_pathway()
    proposal = services.proposal_create(place=place, pathway=pathway, on=D(2024, 2, 1), by=coordinator)
    services.proposal_answer(proposal=proposal, status=ProposalStatus.ACCEPTED, on=D(2024, 2, 5), by=coordinator)
    pathway_services.pathway_transition(
        pathway=pathway,
        to_stage=Stage.BAIL_SIGNE,
        on=D(2024, 2, 6),
        by=None,
        housing_kind=HousingKind.IML_SOUS_LOCATION,
        housing_commune=place.site.commune,
    )
    pathway_services.pathway_transition(pathway=pathway, to_stage=Stage.ENTREE, on=D(2024, 2, 7), by=None)
    pathway_services.pathway_transition(pathway=pathway, to_stage=Stage.DECES, on=D(2024, 6, 1), by=None)

    place.refresh_from_db()
    occupancy = Occupancy.objects.get()
    assert (occupancy.ended_on, occupancy.end_reason) == (D(2024, 6, 1), OccupancyEnd.FIN_SEJOUR)
    assert (place.state, place.vacant_since) == (PlaceState.VACANT, D(2024, 6, 1))


def test_a_pathway_moved_back_by_its_stage_form_withdraws_its_proposal(coordinator):
    place = make_place()
    pathway = oriented_pathway()
    proposal = services.proposal_create(place=place, pathway=pathway, on=D(2024, 2, 1), by=coordinator)

    pathway_services.pathway_transition(pathway=pathway, to_stage=Stage.ORIENTE, on=D(2024, 2, 3), by=coordinator)

    proposal.refresh_from_db()
    place.refresh_from_db()
    assert (proposal.status, proposal.answered_on) == (ProposalStatus.WITHDRAWN, D(2024, 2, 3))
    assert (place.state, place.pathway) == (PlaceState.VACANT, None)


def test_an_accepted_place_never_entered_is_freed_when_the_pathway_goes_back(coordinator):
    place = make_place()
    pathway = oriented_pathway()
    proposal = services.proposal_create(place=place, pathway=pathway, on=D(2024, 2, 1), by=coordinator)
    services.proposal_answer(proposal=proposal, status=ProposalStatus.ACCEPTED, on=D(2024, 2, 5), by=coordinator)

    pathway_services.pathway_transition(pathway=pathway, to_stage=Stage.ORIENTE, on=D(2024, 2, 9), by=coordinator)

    occupancy = Occupancy.objects.get()
    place.refresh_from_db()
    assert (occupancy.ended_on, occupancy.end_reason) == (D(2024, 2, 9), OccupancyEnd.NON_ENTREE)
    assert place.state == PlaceState.VACANT


def test_unavailable_then_back_in_service(coordinator):
    place = make_place(on=D(2024, 1, 2))
    services.place_mark_unavailable(place=place, on=D(2024, 1, 10), reason=UnavailableReason.TRAVAUX, by=coordinator)
    place.refresh_from_db()
    assert (place.state, place.unavailable_reason, place.vacant_since) == (
        PlaceState.UNAVAILABLE,
        UnavailableReason.TRAVAUX,
        None,
    )
    with pytest.raises(ValidationError):
        services.proposal_create(place=place, pathway=oriented_pathway(), on=D(2024, 2, 1), by=coordinator)

    services.place_declare_vacant(place=place, on=D(2024, 3, 1), by=coordinator)
    place.refresh_from_db()
    assert (place.state, place.vacant_since, place.unavailable_reason) == (PlaceState.VACANT, D(2024, 3, 1), "")
    assert PlaceEvent.objects.filter(place=place).count() == 3


def test_a_proposed_place_is_not_declared_freed_before_its_answer(coordinator):
    place = make_place()
    services.proposal_create(place=place, pathway=oriented_pathway(), on=D(2024, 2, 1), by=coordinator)
    with pytest.raises(ValidationError) as error:
        services.place_declare_vacant(place=place, on=D(2024, 2, 2), by=coordinator)
    assert "réponse" in error.value.message_dict["date"][0]


def test_a_stale_place_form_is_refused(coordinator):
    place = make_place()
    seen = place.version
    services.place_mark_unavailable(place=place, on=D(2024, 1, 10), reason=UnavailableReason.FERMEE, by=coordinator)
    with pytest.raises(services.StalePlaceError):
        services.place_declare_vacant(
            place=Place.objects.get(pk=place.pk), on=D(2024, 2, 1), by=coordinator, expected_version=seen
        )


def test_overdue_proposals_are_flagged_after_the_setting(coordinator, settings):
    settings.PROPOSAL_ANSWER_DAYS = 10
    proposal = services.proposal_create(
        place=make_place(), pathway=oriented_pathway(), on=D(2024, 2, 1), by=coordinator
    )

    assert list(Proposal.objects.overdue(on=D(2024, 2, 11))) == []
    assert list(Proposal.objects.overdue(on=D(2024, 2, 12))) == [proposal]
    assert proposal.is_overdue(D(2024, 2, 12)) and not proposal.is_overdue(D(2024, 2, 11))


def test_a_lease_on_a_place_still_proposed_accepts_the_proposal(coordinator):
    place = make_place()
    pathway = oriented_pathway()
    proposal = services.proposal_create(place=place, pathway=pathway, on=D(2024, 2, 1), by=coordinator)

    pathway_services.pathway_transition(
        pathway=pathway,
        to_stage=Stage.BAIL_SIGNE,
        on=D(2024, 2, 9),
        by=coordinator,
        housing_kind=HousingKind.IML_SOUS_LOCATION,
        housing_commune=place.site.commune,
    )
    pathway_services.pathway_transition(pathway=pathway, to_stage=Stage.ENTREE, on=D(2024, 2, 10), by=coordinator)

    proposal.refresh_from_db()
    place.refresh_from_db()
    occupancy = Occupancy.objects.get()
    assert (proposal.status, proposal.answered_on, proposal.answered_by) == (
        ProposalStatus.ACCEPTED,
        D(2024, 2, 9),
        coordinator,
    )
    assert (place.state, occupancy.reserved_on, occupancy.started_on) == (
        PlaceState.OCCUPIED,
        D(2024, 2, 9),
        D(2024, 2, 10),
    )
