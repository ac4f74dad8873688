"""Lockout after repeated failed sign-ins (django-axes, accounts/lockout.py): per name at an address, and
per address."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from audit.enums import Action
from audit.models import AuditEvent
from tests.accounts.factories import UserFactory

PASSWORD = "motdepasse-de-test"
LOCKED_15 = "Compte verrouillé après 5 tentatives de connexion infructueuses : réessayez dans 15 minutes."
WRONG = "Identifiant ou mot de passe incorrect. Vérifiez les majuscules et les minuscules."
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


@pytest.fixture
def user(db):
    return UserFactory(username="camille", caseworker=True)


def sign_in(client, username, password, url=None, ip=HOME):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def errors(response):
    return list(response.context["form"].non_field_errors())


def age_attempts(**delta):
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(**delta))


def test_four_failures_then_the_right_password_signs_in_and_resets_the_count(client, user):
    for _ in range(4):
        assert errors(sign_in(client, "camille", "mauvais")) == [WRONG]
    assert AccessAttempt.objects.get(username="camille").failures_since_start == 4

    response = sign_in(client, "camille", PASSWORD)

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="camille").exists()


def test_the_fifth_failure_locks_the_name_even_for_the_right_password(client, user):
    for _ in range(4):
        sign_in(client, "camille", "mauvais")

    assert errors(sign_in(client, "camille", "mauvais")) == [LOCKED_15]
    assert errors(sign_in(client, "camille", PASSWORD)) == [LOCKED_15]
    # Another case or the admin door does not get round the lock.
    assert errors(sign_in(client, "CAMILLE", PASSWORD)) == [LOCKED_15]
    admin_response = sign_in(client, "camille", PASSWORD, url=reverse("admin:login"))
    assert list(admin_response.context["form"].non_field_errors()) == [LOCKED_15]
    assert not Session.objects.exists()


def test_a_lock_at_one_address_does_not_lock_the_account_elsewhere(client, user):
    """Nobody can lock another person out by typing their name from afar."""
    for _ in range(5):
        sign_in(client, "camille", "mauvais", ip=ELSEWHERE)
    assert errors(sign_in(client, "camille", PASSWORD, ip=ELSEWHERE)) == [LOCKED_15]

    assert sign_in(client, "camille", PASSWORD, ip=HOME).status_code == 302


def test_password_spraying_from_one_address_locks_the_address(client, db, settings):
    """Few tries on each of many names, from one address: the address is locked after AXES_IP_FAILURE_LIMIT."""
    UserFactory(username="camille")
    assert settings.AXES_IP_FAILURE_LIMIT == 50
    for n in range(49):
        assert errors(sign_in(client, f"nom{n % 25}", "mauvais")) == [WRONG]

    assert errors(sign_in(client, "nom99", "mauvais")) == [LOCKED_15]
    # Even a right password of an account never tried, from that address; not from another one.
    assert errors(sign_in(client, "camille", PASSWORD)) == [LOCKED_15]
    assert sign_in(client, "camille", PASSWORD, ip=ELSEWHERE).status_code == 302


def test_a_right_password_does_not_wipe_the_address_count(client, user):
    for n in range(40):
        sign_in(client, f"nom{n}", "mauvais")
    assert sign_in(client, "camille", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for n in range(9):
        sign_in(client, f"autre{n}", "mauvais")

    assert errors(sign_in(client, "autre99", "mauvais")) == [LOCKED_15]


def test_the_message_counts_the_minutes_left_and_the_lock_ends(client, user):
    for _ in range(5):
        sign_in(client, "camille", "mauvais")

    age_attempts(minutes=14, seconds=30)
    assert errors(sign_in(client, "camille", PASSWORD)) == [
        "Compte verrouillé après 5 tentatives de connexion infructueuses : réessayez dans 1 minute."
    ]
    age_attempts(minutes=8, seconds=10)
    assert errors(sign_in(client, "camille", PASSWORD)) == [
        "Compte verrouillé après 5 tentatives de connexion infructueuses : réessayez dans 7 minutes."
    ]
    age_attempts(minutes=15, seconds=1)
    assert sign_in(client, "camille", PASSWORD).status_code == 302


def test_after_a_lock_a_single_failure_does_not_lock_again(client, user):
    for _ in range(5):
        sign_in(client, "camille", "mauvais")
    age_attempts(minutes=15, seconds=1)

    assert errors(sign_in(client, "camille", "mauvais")) == [WRONG]
    assert sign_in(client, "camille", PASSWORD).status_code == 302


def test_unknown_names_are_locked_too_so_the_answer_reveals_nothing(client, db):
    for _ in range(4):
        assert errors(sign_in(client, "personne", "mauvais")) == [WRONG]

    assert errors(sign_in(client, "personne", "mauvais")) == [LOCKED_15]


def test_failures_and_the_lockout_are_in_the_audit_log_with_the_address(client, user):
    for _ in range(5):
        sign_in(client, "Camille", "mauvais")

    failed = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED)
    assert failed.count() == 5
    assert {(e.username, e.ip_address, e.user_id) for e in failed} == {("camille", HOME, None)}
    lockout = AuditEvent.objects.get(action=Action.LOCKOUT)
    assert (lockout.username, lockout.ip_address) == ("camille", HOME)


def test_the_address_behind_trusted_proxies(rf, settings):
    from accounts.lockout import client_ip

    request = rf.get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert client_ip(request) == "10.9.9.9"
    settings.PROXY_COUNT = 1
    # The client may forge the left-most entries; the one the trusted proxy added is the right-most.
    assert client_ip(request) == "1.2.3.4"


def test_a_lockout_outside_a_sign_in_form_gets_a_french_page(rf, db):
    from accounts.lockout import lockout_response

    response = lockout_response(rf.post("/api/", {"username": "camille"}), None, {"username": "camille"})

    response.render()
    assert response.status_code == 429
    assert LOCKED_15 in response.content.decode()
