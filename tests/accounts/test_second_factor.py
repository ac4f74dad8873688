import base64
import datetime
import time
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.groups import reference_data_group
from accounts.second_factor import SESSION_KEY, code_check, device_secret, device_set, normalised_code
from audit.enums import Action
from audit.models import AuditEvent
from pathways.demo import PASSWORD as DEMO_PASSWORD
from pathways.demo import TOTP_SECRET, seed_demo
from territories.geography import load_geography
from tests.accounts.factories import UserFactory

PASSWORD = "motdepasse-de-test"
SHA1_SECRET = base64.b32encode(b"12345678901234567890").decode()
SHA256_SECRET = base64.b32encode(b"12345678901234567890123456789012").decode()
CODE_URL = "/connexion/second-facteur/"
ENROL_URL = "/connexion/second-facteur/activer/"
CODES_URL = "/connexion/second-facteur/codes-de-secours/"
FORMAT = (
    "Saisissez les 6 chiffres du code affiché par votre application d'authentification, ou l'un de vos "
    "codes de secours."
)
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
    return UserFactory(username="luc", administrator=True)


def _code(secret, at):
    with mock.patch("django_otp.oath.time", return_value=at):
        return totp(base64.b32decode(secret))


def code_now(secret=SHA1_SECRET, shift=0):
    return f"{_code(secret, time.time() + shift):06d}"


def code_errors(response):
    return response.context["form"].errors["code"]


def check(user, code, at, rf):
    request = rf.post(CODE_URL, REMOTE_ADDR="10.0.0.1")
    with (
        mock.patch("django_otp.plugins.otp_totp.models.time.time", return_value=at),
        mock.patch("accounts.second_factor.time.time", return_value=at),
    ):
        return code_check(request=request, user=user, code=code)


# Devices and codes (fixed clock) -----------------------------------------------------------------------

AT = 1_000_000_005.0  # step 33333333


def test_the_demo_secret_is_django_otps_hex_key_and_the_rfc_6238_vector_holds(administrator):
    device = device_set(user=administrator, secret=SHA1_SECRET)
    assert device.key == b"12345678901234567890".hex()
    assert device_secret(device) == SHA1_SECRET
    # RFC 6238, appendix B (SHA-1, 8 digits, T = 59).
    with mock.patch("django_otp.oath.time", return_value=59):
        assert totp(device.bin_key, digits=8) == 94287082
    assert device.config_url == (
        f"otpauth://totp/Parcours%3Aluc?secret={SHA1_SECRET}&algorithm=SHA1&digits=6&period=30&issuer=Parcours"
    )


def test_codes_are_read_as_people_type_them():
    assert normalised_code("123 456") == "123456"
    assert normalised_code("ABCD-EFGH") == "abcdefgh"
    assert normalised_code("12 34a5") is None
    assert normalised_code("1234567") is None
    assert normalised_code("abcd-efg1") is None  # 1 is not base32


def test_a_used_code_and_any_earlier_one_are_refused_a_later_one_passes(administrator, rf):
    device_set(user=administrator, secret=SHA1_SECRET)

    assert check(administrator, f"{_code(SHA1_SECRET, AT):06d}", AT, rf).accepted
    assert check(administrator, f"{_code(SHA1_SECRET, AT):06d}", AT + 1, rf).error == REUSED
    assert check(administrator, f"{_code(SHA1_SECRET, AT - 30):06d}", AT + 2, rf).error == REUSED
    assert check(administrator, f"{_code(SHA1_SECRET, AT + 30):06d}", AT + 3, rf).accepted
    device = TOTPDevice.objects.get()
    assert (device.last_t, device.throttling_failure_count) == (33333334, 0)


def test_a_code_from_two_steps_ago_is_a_wrong_code(administrator, rf):
    device_set(user=administrator, secret=SHA1_SECRET)

    outcome = check(administrator, f"{_code(SHA1_SECRET, AT - 60):06d}", AT, rf)

    assert (outcome.accepted, outcome.error, outcome.locked) == (False, wrong(4), False)
    device = TOTPDevice.objects.get()
    assert (device.last_t, device.throttling_failure_count) == (-1, 1)
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert (event.username, event.ip_address, event.detail) == ("luc", "10.0.0.1", "code du second facteur erroné")


def test_the_demo_secret_is_not_overwritten_when_a_device_exists(administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    device_set(user=administrator, secret="JBSWY3DPEHPK3PXP")
    assert device_secret(TOTPDevice.objects.get()) == SHA1_SECRET
    assert TOTPDevice.objects.get().confirmed


# Who must pass it --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traits", "status", "location"),
    [
        ({"administrator": True}, 302, ENROL_URL + "?next=%2Fbilans%2F"),
        ({"role": "", "is_superuser": True}, 302, ENROL_URL + "?next=%2Fbilans%2F"),
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


@pytest.mark.parametrize("traits", [{"caseworker": True}, {"coordinator": True}, {"observer": True}])
def test_any_session_that_reaches_an_administrator_page_is_held_whatever_the_role(client, db, required, traits):
    client.force_login(UserFactory(**traits))
    assert not client.get("/").get("Location", "").startswith("/connexion/second-facteur/")

    assert client.get("/admin/")["Location"] == ENROL_URL + "?next=%2Fadmin%2F"
    # From then on, this session needs the second factor everywhere.
    assert client.get("/")["Location"] == ENROL_URL + "?next=%2F"
    assert client.get("/echange/")["Location"] == ENROL_URL + "?next=%2Fechange%2F"


def test_an_account_with_admin_access_is_held_whatever_its_role(client, db, required):
    caseworker = UserFactory(caseworker=True)
    client.force_login(caseworker)
    # is_staff follows from the role on every save (signing in included); only a write round it sets it.
    type(caseworker).objects.filter(pk=caseworker.pk).update(is_staff=True)

    assert client.get("/")["Location"] == ENROL_URL + "?next=%2F"


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
    superuser = UserFactory(username="root", role="", is_superuser=True)
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
    device = TOTPDevice.objects.get(user=administrator)
    assert not device.confirmed
    secret = device_secret(device)
    content = response.content.decode()
    assert '<svg width="' in content
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in content
    assert response.context["nav_items"] == []
    # Reloading keeps the secret that an app may already hold.
    client.get(ENROL_URL)
    assert TOTPDevice.objects.get().key == device.key

    response = client.post(ENROL_URL + "?next=%2F", {"code": code_now(secret, shift=-60)})
    assert code_errors(response) == [wrong(4)]
    response = client.post(ENROL_URL + "?next=%2F", {"code": "12 34a5"})
    assert code_errors(response) == [FORMAT]
    response = client.post(ENROL_URL + "?next=%2F", {"code": ""})
    assert code_errors(response) == [FORMAT]
    device.refresh_from_db()
    assert (device.confirmed, device.throttling_failure_count) == (False, 1)
    assert client.get("/")["Location"] == ENROL_URL + "?next=%2F"

    session_key = client.session.session_key
    code = code_now(secret)
    response = client.post(ENROL_URL + "?next=%2F", {"code": f"{code[:3]} {code[3:]}"})

    # The recovery codes come next, once.
    assert response["Location"] == CODES_URL + "?next=%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert device.throttling_failure_count == 0
    assert client.session[SESSION_KEY] == device.persistent_id
    assert client.session.session_key != session_key
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, target_id=administrator.pk, detail="second facteur activé"
    ).exists()

    response = client.get(CODES_URL + "?next=%2F")
    shown = [code.replace("-", "") for code in response.context["codes"]]
    assert len(shown) == 10
    assert sorted(shown) == sorted(
        StaticToken.objects.filter(device__user=administrator).values_list("token", flat=True)
    )
    assert response.context["next_url"] == "/"
    assert "J'ai noté mes codes, continuer" in response.content.decode()
    assert client.get(CODES_URL).context["codes"] == []
    assert client.get("/").status_code == 200


def test_a_confirmed_device_cannot_be_replaced_by_enrolling_again(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    client.force_login(administrator)

    assert client.get(ENROL_URL + "?next=%2Fbilans%2F")["Location"] == CODE_URL + "?next=%2Fbilans%2F"
    assert client.post(ENROL_URL, {"code": code_now()})["Location"] == CODE_URL
    assert device_secret(TOTPDevice.objects.get()) == SHA1_SECRET
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


def test_a_recovery_code_serves_once_instead_of_the_app(client, required, administrator):
    from accounts.second_factor import recovery_codes_create

    device_set(user=administrator, secret=SHA1_SECRET)
    codes = recovery_codes_create(user=administrator)
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})

    response = client.post(CODE_URL + "?next=%2Fbilans%2F", {"code": f"{codes[0][:4].upper()}-{codes[0][4:]}"})

    assert response["Location"] == "/bilans/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Code de secours accepté : il ne servira plus. Il vous en reste 9. Si vous avez perdu votre téléphone, "
        "demandez à un superutilisateur de réinitialiser votre second facteur."
    ]
    assert AuditEvent.objects.filter(target_id=administrator.pk, detail="code de secours utilisé").count() == 1
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    assert code_errors(client.post(CODE_URL, {"code": codes[0]})) == [wrong(4)]
    assert client.post(CODE_URL, {"code": codes[1]})["Location"] == "/"


def test_five_wrong_codes_lock_the_account_even_across_sign_ins(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    bad = code_now(shift=-120)
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    for tries_left in (4, 3):
        assert code_errors(client.post(CODE_URL, {"code": bad})) == [wrong(tries_left)]
    # A wrong recovery code counts the same.
    assert code_errors(client.post(CODE_URL, {"code": "abcdefgh"})) == [wrong(2)]

    # Signing in again with the right password gives no fresh guesses.
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    assert code_errors(client.post(CODE_URL, {"code": bad})) == [wrong(1)]
    response = client.post(CODE_URL, {"code": bad})

    assert response["Location"] == reverse("login")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [LOCKED_15]
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.LOCKOUT, username="luc").exists()
    # Locked from any address, even with the right password, until the 15 minutes are over.
    response = client.post(reverse("login"), {"username": "luc", "password": PASSWORD}, REMOTE_ADDR="10.7.7.7")
    assert list(response.context["form"].non_field_errors()) == [LOCKED_15]
    TOTPDevice.objects.update(throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=15, seconds=1))
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    assert code_errors(client.post(CODE_URL, {"code": bad})) == [wrong(4)]


def test_a_locked_name_refuses_even_the_right_code_in_an_open_session(client, required, administrator):
    device_set(user=administrator, secret=SHA1_SECRET)
    client.force_login(administrator)
    AccessAttempt.objects.create(
        username="luc",
        ip_address="127.0.0.1",
        user_agent="<unknown>",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/connexion/",
    )
    # attempt_time is set on creation.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=12))

    response = client.post(CODE_URL, {"code": code_now()}, follow=True)

    assert response.redirect_chain == [(reverse("login"), 302)]
    assert (
        "Compte verrouillé après 5 tentatives de connexion infructueuses : réessayez dans 3 minutes."
        in response.content.decode()
    )
    assert TOTPDevice.objects.get().last_t == -1


# Reset in the admin ------------------------------------------------------------------------------------


def test_a_superuser_resets_the_second_factor_administrators_cannot(client, required, administrator):
    from accounts.second_factor import recovery_codes_create

    administrator.groups.add(reference_data_group())
    device_set(user=administrator, secret=SHA1_SECRET)
    recovery_codes_create(user=administrator)
    superuser = UserFactory(username="root", role="", is_superuser=True)
    device_set(user=superuser, secret=SHA256_SECRET)
    changelist = reverse("admin:accounts_user_changelist")
    action = {"action": "reset_second_factor", "_selected_action": [administrator.pk]}

    client.force_login(administrator)
    client.post(CODE_URL, {"code": code_now()})
    assert (
        "reset_second_factor" not in client.get(changelist).context["action_form"].fields["action"].choices.__repr__()
    )
    client.post(changelist, action)
    assert TOTPDevice.objects.filter(user=administrator).exists()
    # django-otp's own device pages (which show the keys) are not in the admin.
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404

    client.force_login(superuser)
    client.post(CODE_URL, {"code": code_now(SHA256_SECRET)})
    response = client.get(reverse("admin:accounts_user_change", args=[administrator.pk]))
    assert response.status_code == 200
    assert SHA1_SECRET not in response.content.decode()
    assert "activé ; 10 code(s) de secours restant(s)" in response.content.decode()
    response = client.post(changelist, action)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=administrator).exists()
    assert not StaticToken.objects.filter(device__user=administrator).exists()
    event = AuditEvent.objects.get(detail="second facteur réinitialisé")
    assert (event.user, event.target_id) == (superuser, administrator.pk)

    # At the next sign-in, the administrator enrols a new app.
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "luc", "password": PASSWORD})
    assert client.get("/")["Location"] == ENROL_URL + "?next=%2F"


# Demo accounts -----------------------------------------------------------------------------------------


def test_the_demo_administration_and_admin_accounts_hold_the_documented_secret(client, required, db):
    load_geography()
    seed_demo(households=0)

    devices = TOTPDevice.objects.filter(confirmed=True).order_by("user__username")
    assert [(d.user.username, device_secret(d)) for d in devices] == [
        ("admin", "KBQXEY3POVZHGIDEMVWW6IBSIZASCIJB"),
        ("administration", "KBQXEY3POVZHGIDEMVWW6IBSIZASCIJB"),
    ]
    assert base64.b32decode(TOTP_SECRET) == b"Parcours demo 2FA!!!"
    client.post(reverse("login"), {"username": "administration", "password": DEMO_PASSWORD})
    response = client.post(CODE_URL, {"code": code_now(TOTP_SECRET)})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
