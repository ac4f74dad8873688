"""The periodic work: stalled detection (the queue's rule), the sweep, the command for cron."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications.enums import Cleared, EmailStatus, Kind
from notifications.models import Notification
from notifications.stalled import stalled_detect
from notifications.sweep import notifications_sweep
from pathways.models import Pathway
from reports.enums import PeriodKind, RunStatus
from reports.models import BilanRun

pytestmark = pytest.mark.django_db
LATER = datetime.date(2026, 1, 1)


def test_stalled_detection_follows_the_queues_rule(world):
    stalled = set(Pathway.objects.stalled(on=LATER).values_list("pk", flat=True))
    assert stalled == {world.pathway.pk, world.other.pk}
    outcome = stalled_detect(on=LATER)
    assert (outcome.stalled, outcome.made) == (2, 2)
    # Ana follows hers; Beta's pathway has no designated caseworker: Beta's caseworkers. Not Alex.
    pairs = set(Notification.objects.filter(kind=Kind.STALLED).values_list("recipient__username", "pathway"))
    assert pairs == {("ana", world.pathway.pk), ("bea", world.other.pk)}


def test_nothing_is_stalled_before_its_threshold(world):
    # The pathway waits for an orientation since 01/02/2024: 60 days.
    assert stalled_detect(on=datetime.date(2024, 3, 15)).made == 0


def test_a_stall_makes_one_item_however_often_it_is_detected(world):
    stalled_detect(on=LATER)
    Notification.objects.filter(recipient=world.ana).update(cleared_at=timezone.now(), cleared_how=Cleared.MANUAL)
    # Marked as done by hand, still stalled: not made again the next day.
    assert stalled_detect(on=LATER + datetime.timedelta(days=1)).made == 0
    assert Notification.objects.filter(kind=Kind.STALLED).count() == 2


def test_the_daily_emails_are_one_per_person(world, commit, geo):
    from tests.pathways.factories import PathwayFactory

    PathwayFactory(referent_structure=world.beta, commune=geo.aix, opened_on=datetime.date(2024, 1, 5))
    with commit():
        stalled_detect(on=LATER)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bea@example.org"]
    beas = next(m for m in mail.outbox if m.to == ["bea@example.org"])
    assert "2 nouveaux éléments" in beas.subject


def test_items_of_pathways_no_longer_stalled_go(world):
    stalled_detect(on=LATER)
    # An import moved the pathway (no signal): the next detection clears the item.
    Pathway.objects.filter(pk=world.pathway.pk).update(last_activity_on=LATER)
    outcome = stalled_detect(on=LATER)
    assert outcome.cleared == 1
    item = Notification.objects.get(recipient=world.ana)
    assert item.cleared_how == Cleared.RESOLVED


def test_stalled_dry_run_writes_nothing(world):
    outcome = stalled_detect(on=LATER, dry_run=True)
    assert outcome.made == 2
    assert not Notification.objects.exists()


def test_the_sweep_catches_a_bilan_failed_without_a_signal(world):
    run = BilanRun.objects.create(
        territory_kind="departement",
        territory_code="13",
        territory_name="Bouches-du-Rhône",
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        period_kind=PeriodKind.YEAR,
        requested_by=world.admin,
    )
    BilanRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now())
    assert not Notification.objects.exists()
    assert notifications_sweep().jobs == 1
    item = Notification.objects.get()
    assert (item.recipient, item.kind, item.summary.endswith("en échec.")) == (world.admin, Kind.BILAN_FINISHED, True)
    # Once made, never twice.
    assert notifications_sweep().jobs == 0


def test_the_sweep_sends_the_emails_the_broker_never_received(world):
    from tests.notifications.helpers import item_for

    item = item_for(world.ana, world.pathway)  # its on-commit send never ran (no commit in this test)
    Notification.objects.filter(pk=item.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=30))
    assert notifications_sweep().resent == 1
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    item.refresh_from_db()
    assert item.email_status == EmailStatus.SENT


def test_the_command_runs_each_job(world, capsys):
    call_command("notifications", "stalled", "--dry-run")
    assert "2 élément(s) « bloqué » seraient créés" in capsys.readouterr().out
    assert not Notification.objects.exists()
    call_command("notifications", "stalled")
    assert Notification.objects.count() == 2
    call_command("notifications", "digest")
    assert "0 récapitulatif(s) envoyés" in capsys.readouterr().out
    call_command("notifications", "sweep")
    assert "courriel(s) renvoyés" in capsys.readouterr().out


def test_the_beat_schedule_runs_the_periodic_tasks(settings):
    from project.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"notifications.sweep", "notifications.detect_stalled", "notifications.send_digests"} <= tasks
    app.loader.import_default_modules()
    assert {"notifications.sweep", "notifications.detect_stalled", "notifications.send_digests"} <= set(app.tasks)


def test_the_sweep_deletes_items_done_long_ago(world):
    from tests.notifications.helpers import item_for

    old = item_for(world.ana, world.pathway, key="old")
    recent = item_for(world.ana, world.pathway, key="recent")
    waiting = item_for(world.ana, world.pathway, key="waiting")
    Notification.objects.filter(pk=old.pk).update(cleared_at=timezone.now() - datetime.timedelta(days=200))
    Notification.objects.filter(pk=recent.pk).update(cleared_at=timezone.now() - datetime.timedelta(days=10))
    assert notifications_sweep().purged == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
