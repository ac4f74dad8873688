import base64
import datetime
import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts import totp
from accounts.groups import reference_data_group
from accounts.models import LoginLock, TotpDevice
from accounts.second_factor import SESSION_KEY, code_check, device_set
from pathways.demo import PASSWORD as DEMO_PASSWORD
from pathways.demo import TOTP_SECRET, seed_demo
from territories.geography import load_geography
from tests.accounts.factories import UserFactory

PASSWORD = "motdepasse-de-test"
# The RFC 6238 seeds (appendix B), as base32 secrets.
SHA1_SECRET = base64.b32encode(b"12345678901234567890").decode()
SHA256_SECRET = base64.b32encode(b"12345678901234567890123456789012").decode()
SHA512_SECRET = base64.b32encode(b"1234567890" * 6 + b"1234").decode()
CODE_URL = "/connexion/second-facteur/"
ENROL_URL = "/connexion/second-facteur/activer/"
FORMAT = "Saisissez les 6 chiffres du code affiché par votre application d'authentification."
REUSED = "Ce code a déjà servi : attendez le code suivant de votre application (un nouveau toutes les 30 secondes)."
LOCKED_15 = "Compte verrouillé après 5 tentatives de connexion infructueuses : réessayez dans 15 minutes."


def wrong(tries_left):
    tries = "essai" if tries_left == 1 else "essais"
    return (
        "Code erroné : vérifiez que l'heure de votre téléphone est à jour et saisissez le code affiché "
        f"maintenant. Encore {tries_left} {tries} avant le verrouillage du compte."
    )


@pytest.fixture
def required(settings):
    settings.SECOND_FACTOR_REQUIRED = True


@pytest.fixture
def administrator(db):
    return UserFactory(username="luc", administrator=True, is_staff=True)


def code_now(secret=SHA1_SECRET, shift=0):
    return totp.totp(secret, time.time() + shift)


def code_errors(response):
    return response.context["form"].errors["code"]


# TOTP itself ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "sha1", "sha256", "sha512"),
    [
        (59, "94287082", "46119246", "90693936"),
        (1111111109, "07081804", "68084774", "25091201"),
        (1111111111, "14050471", "67062674", "99943326"),
        (1234567890, "89005924", "91819424", "93441116"),
        (2000000000, "69279037", "90698825", "38618901"),
        (20000000000, "65353130", "77737706", "47863826"),
    ],
)
def test_the_rfc_6238_test_vectors(at, sha1, sha256, sha512):
    assert totp.totp(SHA1_SECRET, at, digits=8) == sha1
    assert totp.totp(SHA256_SECRET, at, digits=8, digest="sha256") == sha256
    assert totp.totp(SHA512_SECRET, at, digits=8, digest="sha512") == sha512


def test_the_rfc_4226_six_digit_values():
    key = b"12345678901234567890"
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(key, counter) for counter in range(10)] == expected


def test_secrets_are_160_bits_and_read_as_people_type_them():
    secret = totp.random_secret()
    assert len(secret) == 32
    assert len(totp.secret_key(secret)) == 20
    assert totp.random_secret() != secret
    assert totp.secret_key("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == b"12345678901234567890"
    assert totp.secret_key("JBSWY3DPEHPK3PXP") == b"Hello!\xde\xad\xbe\xef"


def test_one_step_either_side_is_tolerated_two_are_not():
    at = 1_000_000_005.0  # step 33333333
    assert totp.matching_step(SHA1_SECRET, totp.totp(SHA1_SECRET, at), at) == 33333333
    assert totp.matching_step(SHA1_SECRET, totp.totp(SHA1_SECRET, at - 30), at) == 33333332
    assert totp.matching_step(SHA1_SECRET, totp.totp(SHA1_SECRET, at + 30), at) == 33333334
    assert totp.matching_step(SHA1_SECRET, totp.totp(SHA1_SECRET, at - 60), at) is None
    assert totp.matching_step(SHA1_SECRET, totp.totp(SHA1_SECRET, at + 60), at) is None


def test_the_provisioning_address_of_authenticator_apps():
    assert totp.provisioning_uri("JBSWY3DPEHPK3PXP", "luc.fabre@region") == (
        "otpauth://totp/Parcours%3Aluc.fabre%40region?secret=JBSWY3DPEHPK3PXP&issuer=Parcours"
        "&algorithm=SHA1&digits=6&period=30"
    )


# Code checks (fixed clock) ------------------------------------------------------------------------------

AT = 1_000_000_005.0


def test_a_used_code_and_any_earlier_one_are_refused_a_later_one_passes(administrator):
    device_set(user=administrator, secret=SHA1_SECRET)

    assert code_check(user=administrator, code=totp.totp(SHA1_SECRET, AT), at=AT).accepted
    assert code_check(user=administrator, code=totp.totp(SHA1_SECRET, AT), at=AT + 1).error == REUSED
    assert code_check(user=administrator, code=totp.totp(SHA1_SECRET, AT - 30), at=AT + 2).error == REUSED
    assert code_check(user=administrator, code=totp.totp(SHA1_SECRET, AT + 30), at=AT + 3).accepted
    device = TotpDevice.objects.get()
    assert (device.last_used_step, device.failures) == (33333334, 0)


def test_a_code_from_two_steps_ago_is_a_wrong_code(administrator):
    device_set(user=administrator, secret=SHA1_SECRET)

    outcome = code_check(user=administrator, code=totp.totp(SHA1_SECRET, AT - 60), at=AT)

    assert (outcome.accepted, outcome.error, outcome.locked) == (False, wrong(4), False)
    device = TotpDevice.objects.get()
    assert (device.last_used_step, device.failures) == (None, 1)


def test_the_demo_secret_is_not_overwritten_when_a_device_exists(administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    device_set(user=administrator, secret="JBSWY3DPEHPK3PXP")
    assert TotpDevice.objects.get().secret == SHA1_SECRET
    assert TotpDevice.objects.get().confirmed_at is not None


# Who must pass it --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traits", "status", "location"),
    [
        ({"administrator": True}, 302, ENROL_URL + "?next=%2Fbilans%2F"),
        ({"role": "", "is_superuser": True, "is_staff": True}, 302, ENROL_URL + "?next=%2Fbilans%2F"),
        ({"caseworker": True}, 403, None),  # the bilans' own refusal, not the second factor
        ({"coordinator": True}, 200, None),
        ({"observer": True}, 200, None),
    ],
)
def test_administrators_and_superusers_are_held_until_verified_others_are_not(
    client, db, required, traits, status, location
):
    client.force_login(UserFactory(**traits))

    response = client.get("/bilans/")

    assert (response.status_code, response.get("Location")) == (status, location)


def test_with_a_confirmed_device_they_are_sent_to_the_code_page(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    client.force_login(administrator)

    assert client.get("/bilans/?statut=publie")["Location"] == CODE_URL + "?next=%2Fbilans%2F%3Fstatut%3Dpublie"
    # A form sent before the code is not replayed afterwards.
    assert client.post("/bilans/")["Location"] == CODE_URL


def test_the_setting_off_lets_administrators_through(client, settings, administrator):
    settings.SECOND_FACTOR_REQUIRED = False
    client.force_login(administrator)

    assert client.get("/bilans/").status_code == 200
    assert client.get(CODE_URL)["Location"] == "/"


def test_the_django_admin_is_behind_the_same_rule(client, required, db):
    superuser = UserFactory(username="root", role="", is_staff=True, is_superuser=True)
    device_set(user=superuser, secret=SHA1_SECRET)

    # Through the admin's own sign-in page.
    response = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/")["Location"] == CODE_URL + "?next=%2Fadmin%2F"
    assert client.get("/admin/accounts/user/")["Location"] == CODE_URL + "?next=%2Fadmin%2Faccounts%2Fuser%2F"

    response = client.post(CODE_URL + "?next=%2Fadmin%2F", {"code": code_now()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_static_files_and_sign_out_stay_reachable(client, required, administrator):
    client.force_login(administrator)

    response = client.get("/static/css/parcours.css")
    assert response.status_code == 200
    # Reading the whole file lets the test client close it (a second close() would end the database
    # connection of the test).
    assert b".fr-" in b"".join(response.streaming_content)
    assert client.post(reverse("admin:logout"))["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    client.force_login(administrator)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_go_to_the_sign_in_page(client, required, db):
    assert client.get(CODE_URL)["Location"] == "/connexion/?next=/connexion/second-facteur/"
    assert client.get(ENROL_URL)["Location"] == "/connexion/?next=/connexion/second-facteur/activer/"


# Enrolment ---------------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_only_with_a_right_code(client, required, administrator):
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    assert client.get("/")["Location"] == ENROL_URL + "?next=%2F"

    response = client.get(ENROL_URL + "?next=%2F")
    device = TotpDevice.objects.get(user=administrator)
    assert device.confirmed_at is None
    content = response.content.decode()
    assert '<svg width="' in content
    assert " ".join(device.secret[i : i + 4] for i in range(0, 32, 4)) in content
    assert response.context["nav_items"] == []
    # Reloading keeps the secret that an app may already hold.
    client.get(ENROL_URL)
    assert TotpDevice.objects.get().secret == device.secret

    response = client.post(ENROL_URL + "?next=%2F", {"code": code_now(device.secret, shift=-60)})
    assert code_errors(response) == [wrong(4)]
    response = client.post(ENROL_URL + "?next=%2F", {"code": "12 34a5"})
    assert code_errors(response) == [FORMAT]
    response = client.post(ENROL_URL + "?next=%2F", {"code": ""})
    assert code_errors(response) == [FORMAT]
    device.refresh_from_db()
    assert (device.confirmed_at, device.failures) == (None, 1)
    assert client.get("/")["Location"] == ENROL_URL + "?next=%2F"

    session_key = client.session.session_key
    code = code_now(device.secret)
    response = client.post(ENROL_URL + "?next=%2F", {"code": f"{code[:3]} {code[3:]}"})

    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed_at is not None
    assert device.failures == 0
    assert client.session[SESSION_KEY] == administrator.pk
    assert client.session.session_key != session_key
    assert client.get("/").status_code == 200


def test_a_confirmed_device_cannot_be_replaced_by_enrolling_again(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    client.force_login(administrator)

    assert client.get(ENROL_URL + "?next=%2Fbilans%2F")["Location"] == CODE_URL + "?next=%2Fbilans%2F"
    assert client.post(ENROL_URL, {"code": code_now()})["Location"] == CODE_URL
    assert TotpDevice.objects.get().secret == SHA1_SECRET
    assert SESSION_KEY not in client.session


# Signing in with a code --------------------------------------------------------------------------------


def test_a_right_code_opens_the_page_asked_for_a_reused_one_is_refused(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    code = code_now()

    response = client.post(CODE_URL + "?next=%2Fbilans%2F", {"code": code})

    assert response["Location"] == "/bilans/"
    assert client.get("/bilans/").status_code == 200

    client.post(reverse("logout"))
    assert SESSION_KEY not in client.session
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    assert client.get("/bilans/")["Location"] == CODE_URL + "?next=%2Fbilans%2F"
    response = client.post(CODE_URL + "?next=%2Fbilans%2F", {"code": code})
    assert code_errors(response) == [REUSED]
    assert client.get("/bilans/").status_code == 302


def test_a_code_from_two_steps_ago_is_refused_on_the_page(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    client.force_login(administrator)

    response = client.post(CODE_URL, {"code": code_now(shift=-60)})

    assert code_errors(response) == [wrong(4)]
    assert SESSION_KEY not in client.session


def test_unsafe_next_addresses_are_ignored(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    client.force_login(administrator)

    response = client.post(CODE_URL + "?next=https%3A%2F%2Fexemple.invalid%2F", {"code": code_now()})

    assert response["Location"] == "/"


def test_five_wrong_codes_lock_the_account_even_across_sign_ins(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    bad = code_now(shift=-120)
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    for tries_left in (4, 3, 2):
        assert code_errors(client.post(CODE_URL, {"code": bad})) == [wrong(tries_left)]

    # Signing in again with the right password gives no fresh guesses.
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    assert code_errors(client.post(CODE_URL, {"code": bad})) == [wrong(1)]
    response = client.post(CODE_URL, {"code": bad})

    assert response["Location"] == reverse("login")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [LOCKED_15]
    assert "_auth_user_id" not in client.session
    lock = LoginLock.objects.get(username="luc")
    assert lock.locked_until > timezone.now() + datetime.timedelta(minutes=14)
    assert TotpDevice.objects.get().failures == 0
    response = client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    assert list(response.context["form"].non_field_errors()) == [LOCKED_15]


def test_a_locked_name_refuses_even_the_right_code_in_an_open_session(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    client.force_login(administrator)
    LoginLock.objects.create(username="luc", locked_until=timezone.now() + datetime.timedelta(minutes=3))

    response = client.post(CODE_URL, {"code": code_now()}, follow=True)

    assert response.redirect_chain == [(reverse("login"), 302)]
    assert (
        "Compte verrouillé après 5 tentatives de connexion infructueuses : réessayez dans 3 minutes."
        in response.content.decode()
    )
    assert TotpDevice.objects.get().last_used_step is None


# Reset in the admin ------------------------------------------------------------------------------------


def test_a_superuser_resets_a_device_administrators_cannot_see_them(client, required, administrator):
    administrator.groups.add(reference_data_group())
    device = device_set(user=administrator, secret=SHA1_SECRET)
    superuser = UserFactory(username="root", role="", is_staff=True, is_superuser=True)
    device_set(user=superuser, secret=SHA256_SECRET)

    client.force_login(administrator)
    client.post(CODE_URL, {"code": code_now()})
    assert client.get(reverse("admin:accounts_totpdevice_changelist")).status_code == 403
    assert (
        client.post(reverse("admin:accounts_totpdevice_delete", args=[device.pk]), {"post": "yes"}).status_code == 403
    )

    client.force_login(superuser)
    client.post(CODE_URL, {"code": code_now(SHA256_SECRET)})
    response = client.get(reverse("admin:accounts_totpdevice_change", args=[device.pk]))
    assert response.status_code == 200
    assert SHA1_SECRET not in response.content.decode()
    response = client.post(reverse("admin:accounts_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=administrator).exists()

    # At the next sign-in, the administrator enrols a new app.
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    assert client.get("/")["Location"] == ENROL_URL + "?next=%2F"


# Demo accounts -----------------------------------------------------------------------------------------


def test_the_demo_administration_and_admin_accounts_hold_the_documented_secret(client, required, db):
    load_geography()
    seed_demo(households=0)

    devices = TotpDevice.objects.filter(confirmed_at__isnull=False).order_by("user__username")
    assert [(d.user.username, d.secret) for d in devices] == [
        ("admin", "KBQXEY3POVZHGIDEMVWW6IBSIZASCIJB"),
        ("administration", "KBQXEY3POVZHGIDEMVWW6IBSIZASCIJB"),
    ]
    assert base64.b32decode(TOTP_SECRET) == b"Parcours demo 2FA!!!"
    client.post(reverse("login"), {"username": "administration", "password": DEMO_PASSWORD})
    response = client.post(CODE_URL, {"code": code_now(TOTP_SECRET)})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
