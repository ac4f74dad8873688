"""An item leaves the list once done: its pathway opened or acted on, the stall ended, by hand."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from notifications.enums import Cleared, Kind
from notifications.models import Notification
from notifications.services import notifications_settle
from notifications.stalled import stalled_detect
from pathways import services
from pathways.enums import ContactKind, Stage

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def waiting(user):
    return Notification.objects.filter(recipient=user).waiting()


def transfer_to_beta(world):
    services.pathway_assign(pathway=world.pathway, structure=world.beta, by=world.coord)
    return Notification.objects.get(kind=Kind.TRANSFER, recipient=world.bea)


def test_opening_the_household_page_clears_the_transfer_without_a_write_on_the_page(world):
    item = transfer_to_beta(world)
    assert list(waiting(world.bea)) == [item]
    response = client_of(world.bea).get(reverse("casework:household_detail", args=[world.pathway.household_id]))
    assert response.status_code == 200
    # Done at once for the list and the count (read from the audit log) ...
    assert not waiting(world.bea).exists()
    # ... and written by the sweep.
    assert Notification.objects.get(pk=item.pk).cleared_at is None
    assert notifications_settle() == 1
    item.refresh_from_db()
    assert item.cleared_how == Cleared.OPENED and item.cleared_at is not None


def test_someone_else_opening_the_page_clears_nothing(world):
    from tests.accounts.factories import UserFactory

    transfer_to_beta(world)
    colleague = UserFactory(username="bruno", caseworker=True, structures=[world.beta])
    client_of(colleague).get(reverse("casework:household_detail", args=[world.pathway.household_id]))
    assert waiting(world.bea).count() == 1


def test_a_page_read_before_the_item_does_not_clear_it(world):
    client_of(world.bea)  # nothing read yet
    client_of(world.coord).get(reverse("casework:household_detail", args=[world.pathway.household_id]))
    item = transfer_to_beta(world)
    assert list(waiting(world.bea)) == [item]


def test_acting_on_the_pathway_clears_the_orientation(world):
    services.pathway_transition(
        pathway=world.pathway, to_stage=Stage.ORIENTE, on=datetime.date(2024, 3, 1), by=world.coord
    )
    assert waiting(world.ana).count() == 1
    services.contact_record(
        pathway=world.pathway, on=datetime.date(2024, 3, 2), kind=ContactKind.ENTRETIEN, by=world.ana
    )
    assert not waiting(world.ana).exists()


def test_the_stalled_item_goes_when_the_pathway_moves(world):
    stalled_detect(on=datetime.date(2026, 1, 1))
    item = Notification.objects.get(kind=Kind.STALLED, recipient=world.ana)
    # Opening the page is not enough: the pathway must move.
    client_of(world.ana).get(reverse("casework:household_detail", args=[world.pathway.household_id]))
    assert waiting(world.ana).filter(pk=item.pk).exists()
    services.pathway_transition(
        pathway=world.pathway, to_stage=Stage.EVALUATION, on=datetime.date(2024, 3, 1), by=world.ana
    )
    item.refresh_from_db()
    assert item.cleared_how == Cleared.ACTED


def test_the_stalled_item_goes_with_a_contact(world):
    stalled_detect(on=datetime.date(2026, 1, 1))
    services.contact_record(pathway=world.other, on=datetime.date(2024, 3, 2), kind=ContactKind.TELEPHONE, by=world.bea)
    assert not waiting(world.bea).filter(kind=Kind.STALLED).exists()
    assert waiting(world.ana).filter(kind=Kind.STALLED).exists()


def test_marking_as_done_by_hand(world):
    item = transfer_to_beta(world)
    response = client_of(world.bea).post(reverse("notifications:clear", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.cleared_how == Cleared.MANUAL


def test_nobody_else_may_clear_an_item(world):
    item = transfer_to_beta(world)
    response = client_of(world.ana).post(reverse("notifications:clear", args=[item.pk]))
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.cleared_at is None


def test_opening_from_the_list_clears_and_leads_to_the_page(world):
    item = transfer_to_beta(world)
    response = client_of(world.bea).get(reverse("notifications:open", args=[item.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/menages/{world.pathway.household_id}/#parcours-{world.pathway.pk}"
    item.refresh_from_db()
    assert item.cleared_how == Cleared.OPENED


def test_opening_a_stalled_item_keeps_it(world):
    stalled_detect(on=datetime.date(2026, 1, 1))
    item = Notification.objects.get(kind=Kind.STALLED, recipient=world.ana)
    client_of(world.ana).get(reverse("notifications:open", args=[item.pk]))
    item.refresh_from_db()
    assert item.cleared_at is None


def test_the_end_of_a_share_takes_the_items_from_who_no_longer_sees_the_pathway(world):
    from tests.notifications.helpers import item_for

    services.pathway_share(pathway=world.pathway, structure=world.beta, by=world.coord)
    item = item_for(world.bea, world.pathway)
    services.pathway_unshare(pathway=world.pathway, structure=world.beta, by=world.coord)
    item.refresh_from_db()
    assert item.cleared_how == Cleared.RESOLVED
    assert not waiting(world.bea).exists()
