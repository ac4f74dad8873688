"""Each event makes items for the people it concerns, and for nobody else."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.invitations import invitation_accept, invitation_send
from notifications.enums import Kind
from notifications.models import Notification
from pathways import services
from pathways.enums import ImportStatus, OrientationTarget, Stage
from pathways.models import ImportJob
from tests.accounts.factories import UserFactory
from tests.notifications.conftest import no_name_in

pytestmark = pytest.mark.django_db


def recipients(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def orient(world, pathway, by):
    return services.pathway_transition(
        pathway=pathway,
        to_stage=Stage.ORIENTE,
        on=datetime.date(2024, 3, 1),
        by=by,
        orientation=OrientationTarget.LOGEMENT_ORDINAIRE,
    )


def test_an_orientation_is_for_the_designated_caseworker_only(world, commit):
    with commit():
        transition = orient(world, world.pathway, world.coord)
    item = Notification.objects.get(kind=Kind.ORIENTATION)
    assert item.recipient == world.ana
    assert item.key == f"transition:{transition.pk}"
    assert item.reference == world.pathway.reference
    assert item.link == f"/menages/{world.pathway.household_id}/#parcours-{world.pathway.pk}"
    assert no_name_in(item.summary)
    # Emailed after commit, to Ana alone.
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]


def test_an_orientation_without_designated_caseworker_is_for_the_structure(world):
    services.pathway_transition(
        pathway=world.other, to_stage=Stage.ORIENTE, on=datetime.date(2024, 3, 1), by=world.coord
    )
    assert recipients(Kind.ORIENTATION) == {"bea"}


def test_other_stages_make_no_orientation_item(world):
    services.pathway_transition(
        pathway=world.pathway, to_stage=Stage.EVALUATION, on=datetime.date(2024, 3, 1), by=world.ana
    )
    assert not Notification.objects.exists()


def test_a_transfer_is_for_the_new_structures_caseworkers_not_the_old_ones(world, commit):
    with commit():
        services.pathway_assign(pathway=world.pathway, structure=world.beta, by=world.coord)
    assert recipients(Kind.TRANSFER) == {"bea"}
    item = Notification.objects.get(kind=Kind.TRANSFER)
    assert "Bailleur Beta" in item.summary and no_name_in(item.summary)
    assert [m.to for m in mail.outbox] == [["bea@example.org"]]


def test_a_transfer_to_a_designated_caseworker_reaches_the_structure_too(world):
    bob = UserFactory(username="bob", caseworker=True, structures=[world.beta])
    services.pathway_assign(pathway=world.pathway, structure=world.beta, caseworker=bob, by=world.coord)
    assert recipients(Kind.TRANSFER) == {"bea", "bob"}


def test_a_change_of_caseworker_in_the_structure_is_for_the_new_caseworker(world):
    services.pathway_assign(pathway=world.pathway, structure=world.alpha, caseworker=world.alex, by=world.coord)
    assert recipients(Kind.TRANSFER) == {"alex"}


def test_who_makes_the_transfer_gets_no_item(world):
    services.pathway_assign(pathway=world.pathway, structure=world.alpha, caseworker=world.alex, by=world.alex)
    assert not Notification.objects.exists()


def test_opening_a_pathway_is_no_transfer(world, geo):
    from tests.pathways.factories import PathwayFactory

    PathwayFactory(referent_structure=world.beta, commune=geo.aix)
    assert not Notification.objects.filter(kind=Kind.TRANSFER).exists()


def test_a_transfer_away_clears_the_old_structures_items(world):
    orient(world, world.pathway, world.coord)
    assert Notification.objects.get(kind=Kind.ORIENTATION).cleared_at is None
    services.pathway_assign(pathway=world.pathway, structure=world.beta, by=world.coord)
    assert Notification.objects.get(kind=Kind.ORIENTATION).cleared_at is not None


def test_an_import_finished_is_for_its_uploader(world, commit):
    job = ImportJob.objects.create(uploaded_by=world.admin, file_name="Zébulonovitch.csv", file_size=1, content=b"")
    assert not Notification.objects.exists()
    job.status, job.finished_at = ImportStatus.DONE, timezone.now()
    with commit():
        job.save(update_fields=["status", "finished_at"])
    item = Notification.objects.get()
    assert (item.recipient, item.kind, item.link) == (world.admin, Kind.IMPORT_FINISHED, f"/echange/imports/{job.pk}/")
    # The file's name is chosen by whoever made it: neither on the item nor in the email.
    assert "Zébulonovitch" not in item.summary
    assert no_name_in(mail.outbox[0].subject + mail.outbox[0].body)


def test_a_bilan_done_is_for_its_requester(world, geo):
    from reports.enums import PeriodKind
    from reports.services import bilan_run_execute, bilan_run_request
    from territories.territory import parse_territory

    run = bilan_run_request(
        territory=parse_territory("departement:13"),
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        by=world.admin,
        period_kind=PeriodKind.YEAR,
    )
    bilan_run_execute(run_id=run.pk)
    item = Notification.objects.get(kind=Kind.BILAN_FINISHED)
    assert item.recipient == world.admin and item.target_id == run.pk


def test_an_accepted_invitation_is_for_who_sent_it(world):
    newcomer = UserFactory(username="newcomer", caseworker=True, email="new@example.org")
    invitation = invitation_send(user=newcomer, by=world.admin, base_url="http://testserver")
    assert not Notification.objects.exists()
    invitation_accept(invitation=invitation, password="un mot de passe très long")
    item = Notification.objects.get()
    assert (item.recipient, item.kind, item.target_id) == (world.admin, Kind.INVITATION_ACCEPTED, newcomer.pk)


def test_one_event_seen_twice_makes_one_item(world):
    from notifications.receivers import on_assignment
    from pathways.models import Assignment

    assignment = services.pathway_assign(pathway=world.pathway, structure=world.beta, by=world.coord)
    on_assignment(Assignment, assignment, created=True)
    assert Notification.objects.filter(kind=Kind.TRANSFER).count() == 1
