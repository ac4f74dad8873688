"""Signing in and out is in the audit log, with the address (accounts/signals.py)."""

from django.urls import reverse

from audit.enums import Action, Target
from audit.models import AuditEvent
from tests.accounts.factories import UserFactory


def test_sign_in_failed_sign_in_and_sign_out_are_logged_with_the_address(client, db):
    user = UserFactory(username="camille")

    client.post(reverse("login"), {"username": " Camille ", "password": "mauvais"}, REMOTE_ADDR="10.4.4.4")
    client.post(reverse("login"), {"username": "camille", "password": "motdepasse-de-test"}, REMOTE_ADDR="10.4.4.4")
    client.post(reverse("logout"), REMOTE_ADDR="10.4.4.4")

    events = [
        (e.action, e.target, e.user_id, e.username, e.ip_address)
        for e in AuditEvent.objects.filter(target=Target.SESSION).order_by("pk")
    ]
    assert events == [
        (Action.SIGN_IN_FAILED, Target.SESSION, None, "camille", "10.4.4.4"),
        (Action.SIGN_IN, Target.SESSION, user.pk, "camille", "10.4.4.4"),
        (Action.SIGN_OUT, Target.SESSION, user.pk, "camille", "10.4.4.4"),
    ]
