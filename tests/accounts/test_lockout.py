import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginLock
from tests.accounts.factories import UserFactory

PASSWORD = "motdepasse-de-test"
LOCKED_15 = "Compte verrouillé après 5 tentatives de connexion infructueuses : réessayez dans 15 minutes."
WRONG = (
    "Saisissez un nom d’utilisateur et un mot de passe valides. Remarquez que chacun de ces champs est "
    "sensible à la casse (différenciation des majuscules/minuscules)."
)


@pytest.fixture
def user(db):
    return UserFactory(username="camille", caseworker=True)


def sign_in(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def errors(response):
    return list(response.context["form"].non_field_errors())


def test_four_failures_then_the_right_password_signs_in_and_resets_the_count(client, user):
    for _ in range(4):
        assert errors(sign_in(client, "camille", "mauvais")) == [WRONG]
    assert LoginLock.objects.get(username="camille").failures == 4

    response = sign_in(client, "camille", PASSWORD)

    assert response.status_code == 302
    assert not LoginLock.objects.filter(username="camille").exists()


def test_the_fifth_failure_locks_the_account_even_for_the_right_password(client, user):
    for _ in range(4):
        sign_in(client, "camille", "mauvais")

    assert errors(sign_in(client, "camille", "mauvais")) == [LOCKED_15]
    assert errors(sign_in(client, "camille", PASSWORD)) == [LOCKED_15]
    # Another case or the admin door does not get round the lock.
    assert errors(sign_in(client, "CAMILLE", PASSWORD)) == [LOCKED_15]
    admin_response = sign_in(client, "camille", PASSWORD, url=reverse("admin:login"))
    assert list(admin_response.context["form"].non_field_errors()) == [LOCKED_15]
    assert client.login(username="camille", password=PASSWORD) is False
    assert not Session.objects.exists()


def test_the_message_counts_the_minutes_left_and_the_lock_ends(client, user):
    for _ in range(5):
        sign_in(client, "camille", "mauvais")
    lock = LoginLock.objects.get(username="camille")

    lock.locked_until = timezone.now() + datetime.timedelta(seconds=30)
    lock.save()
    assert errors(sign_in(client, "camille", PASSWORD)) == [
        "Compte verrouillé après 5 tentatives de connexion infructueuses : réessayez dans 1 minute."
    ]

    lock.locked_until = timezone.now() + datetime.timedelta(minutes=6, seconds=10)
    lock.save()
    assert errors(sign_in(client, "camille", PASSWORD)) == [
        "Compte verrouillé après 5 tentatives de connexion infructueuses : réessayez dans 7 minutes."
    ]

    lock.locked_until = timezone.now() - datetime.timedelta(seconds=1)
    lock.save()
    assert sign_in(client, "camille", PASSWORD).status_code == 302


def test_after_a_lock_a_single_failure_does_not_lock_again(client, user):
    for _ in range(5):
        sign_in(client, "camille", "mauvais")
    LoginLock.objects.filter(username="camille").update(locked_until=timezone.now() - datetime.timedelta(seconds=1))

    assert errors(sign_in(client, "camille", "mauvais")) == [WRONG]
    assert sign_in(client, "camille", PASSWORD).status_code == 302


def test_unknown_names_are_locked_too_so_the_answer_reveals_nothing(client, db):
    for _ in range(4):
        assert errors(sign_in(client, "personne", "mauvais")) == [WRONG]

    assert errors(sign_in(client, "personne", "mauvais")) == [LOCKED_15]
