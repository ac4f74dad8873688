"""Emails: after commit, as each person chose, never a name, retried then logged when sending fails."""

import datetime
import logging

import pytest
from django.core import mail

from notifications.emails import send_digests
from notifications.enums import EmailStatus, Kind
from notifications.models import Notification, Preference
from notifications.services import preferences_set
from pathways import services
from pathways.enums import OrientationTarget, Stage
from tests.notifications import backends
from tests.notifications.conftest import NAMES, no_name_in

pytestmark = pytest.mark.django_db


def orient(world, pathway=None):
    return services.pathway_transition(
        pathway=pathway or world.pathway,
        to_stage=Stage.ORIENTE,
        on=datetime.date(2024, 3, 1),
        by=world.coord,
        orientation=OrientationTarget.UN_CHEZ_SOI_DABORD,
    )


def test_nothing_is_sent_before_the_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        orient(world)
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_the_email_names_no_one_and_links_the_item(world, commit, settings):
    settings.SITE_URL = "https://parcours.example.gouv.fr"
    with commit():
        orient(world)
    item = Notification.objects.get()
    message = mail.outbox[0]
    text = message.subject + message.body
    # The household's names are nowhere: its references and a link are.
    household_names = [*world.pathway.household.members.values_list("last_name", "first_name")][0]
    assert set(household_names) <= set(NAMES)
    assert no_name_in(text)
    assert world.pathway.reference in text and f"M-{world.pathway.household_id:06d}" in text
    assert f"https://parcours.example.gouv.fr/a-traiter/{item.pk}/ouvrir/" in message.body
    assert "https://parcours.example.gouv.fr/a-traiter/preferences/" in message.body
    item.refresh_from_db()
    assert item.email_status == EmailStatus.SENT and item.emailed_at is not None


def test_every_kind_of_email_names_no_one(world, commit):
    """A transfer, an orientation, a stall: the summaries are written from references only."""
    from notifications.stalled import stalled_detect

    with commit():
        services.pathway_assign(pathway=world.other, structure=world.alpha, caseworker=world.ana, by=world.coord)
        orient(world)
        stalled_detect(on=datetime.date(2026, 1, 1))
    assert {n.kind for n in Notification.objects.all()} == {Kind.TRANSFER, Kind.ORIENTATION, Kind.STALLED}
    assert mail.outbox
    for message in mail.outbox:
        assert no_name_in(message.subject + message.body), message.body
    for item in Notification.objects.all():
        assert no_name_in(item.summary + item.reference)


def test_a_kind_turned_off_sends_no_email_but_keeps_the_item(world, commit):
    preferences_set(user=world.ana, choices={Kind.ORIENTATION: (False, False)})
    with commit():
        orient(world)
    assert mail.outbox == []
    item = Notification.objects.get()
    assert item.cleared_at is None and item.email_status == EmailStatus.SKIPPED


def test_an_account_without_address_is_skipped(world, commit):
    world.ana.email = ""
    world.ana.save()
    with commit():
        orient(world)
    assert mail.outbox == []
    assert Notification.objects.get().email_status == EmailStatus.SKIPPED


def test_a_failed_send_is_retried_then_sent(world, commit, settings, caplog):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    backends.FAILURES["left"] = 2
    with caplog.at_level(logging.WARNING, logger="notifications.emails"), commit():
        orient(world)
    # Two failures logged, then the third attempt delivered (tasks run in-process here: no wait).
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 2
    assert len(mail.outbox) == 1
    item = Notification.objects.get()
    assert (item.email_status, item.email_attempts) == (EmailStatus.SENT, 3)


def test_a_send_failing_every_time_is_given_up_and_logged_without_failing_the_request(world, commit, settings, caplog):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    settings.NOTIFICATION_EMAIL_ATTEMPTS = 3
    backends.FAILURES["left"] = 100
    try:
        with caplog.at_level(logging.WARNING), commit():
            orient(world)  # no exception: the orientation stands
    finally:
        backends.FAILURES["left"] = 0
    item = Notification.objects.get()
    assert (item.email_status, item.email_attempts) == (EmailStatus.FAILED, 3)
    assert any(r.levelno == logging.ERROR and "given up" in r.getMessage() for r in caplog.records)
    assert mail.outbox == []


def test_the_digest_lists_what_still_waits_of_the_chosen_kinds(world, commit):
    from notifications.stalled import stalled_detect

    with commit():
        orient(world)
        stalled_detect(on=datetime.date(2026, 1, 1))
    mail.outbox.clear()
    # Nobody chose the digest: none sent.
    assert send_digests() == (0, [])
    preferences_set(user=world.ana, choices={Kind.ORIENTATION: (True, True), Kind.STALLED: (True, False)})
    assert send_digests() == (1, [])
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    assert "récapitulatif" in message.subject and "1 élément" in message.subject
    assert "Orientations décidées : 1" in message.body and "Parcours bloqués" not in message.body
    assert no_name_in(message.subject + message.body)
    # A cleared item is no longer in it; nothing left, no email.
    Notification.objects.filter(kind=Kind.ORIENTATION).update(
        cleared_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    mail.outbox.clear()
    assert send_digests() == (0, [])
    assert mail.outbox == []


def test_the_digest_dry_run_sends_nothing(world):
    orient(world)
    preferences_set(user=world.ana, choices={Kind.ORIENTATION: (True, True)})
    mail.outbox.clear()
    assert send_digests(dry_run=True) == (1, [])
    assert mail.outbox == []


def test_preferences_are_per_person_and_kind(world):
    preferences_set(user=world.ana, choices={Kind.ORIENTATION: (False, True), Kind.IMPORT_FINISHED: (False, True)})
    rows = {(p.user.username, p.kind): (p.email, p.digest) for p in Preference.objects.all()}
    # A kind the role never receives is not stored.
    assert rows == {("ana", Kind.ORIENTATION): (False, True)}


def test_anymail_settings_are_read_from_the_environment():
    """An HTTP API provider (django-anymail) is configured by environment variables only."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings_test",
        "EMAIL_BACKEND": "anymail.backends.brevo.EmailBackend",
        "ANYMAIL_BREVO_API_KEY": "xkeysib-test",
    }
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.ANYMAIL)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "anymail.backends.brevo.EmailBackend {'BREVO_API_KEY': 'xkeysib-test'}"


def test_items_made_without_emails_send_none(world, commit):
    from notifications.services import without_emails

    with commit(), without_emails():
        orient(world)
    assert mail.outbox == []
    assert Notification.objects.get().email_status == EmailStatus.SKIPPED
