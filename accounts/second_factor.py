"""The second factor (roles.md, docs/roles.md): who needs it, enrolment, code checks, recovery codes.

Devices are django-otp's: a TOTPDevice for the authenticator app, a StaticDevice whose tokens are the
single-use recovery codes. The password signs a person in as usual; until a right code is entered,
django-otp's session key is missing (request.user.is_verified() is false) and accounts/middleware.py keeps
them on the second-factor pages."""

import base64
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import Role
from accounts.lockout import client_ip, lock_minutes_left, locked_message
from audit.enums import Action, Target
from audit.services import audit_record

# Holds the persistent id of the device that accepted a code in this session: signing out flushes it.
SESSION_KEY = DEVICE_ID_SESSION_KEY
# Set once a session reaches the admin or an administrator page: from then on it needs the second factor,
# whatever the account's role.
REQUIRED_SESSION_KEY = "second_factor_required"
# The recovery codes of a fresh enrolment, until their page has shown them once.
RECOVERY_CODES_SESSION_KEY = "recovery_codes_to_show"

MAX_FAILURES = 5
LOCK_MINUTES = 15
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 8  # StaticToken.random_token(): 40 random bits in base32
BASE32_LOWER = set("abcdefghijklmnopqrstuvwxyz234567")
DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"

# The admin site and the pages where administrators act (docs/roles.md).
ADMINISTRATOR_NAMESPACES = {"admin", "exchange"}
ADMINISTRATOR_URL_NAMES = {"reports:run_request", "reports:targets", "reports:run_publish"}

FORMAT_MESSAGE = (
    "Saisissez les 6 chiffres du code affiché par votre application d'authentification, ou l'un de vos "
    "codes de secours."
)
REUSED_MESSAGE = (
    "Ce code a déjà servi : attendez le code suivant de votre application (un nouveau toutes les 30 secondes)."
)


def wrong_message(tries_left: int) -> str:
    tries = "essai" if tries_left == 1 else "essais"
    return (
        "Code erroné : vérifiez que l'heure de votre téléphone est à jour et saisissez le code affiché "
        f"maintenant. Encore {tries_left} {tries} avant le verrouillage du compte."
    )


def is_administrator_page(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return path.startswith("/admin/")
    return bool(set(match.namespaces) & ADMINISTRATOR_NAMESPACES) or match.view_name in ADMINISTRATOR_URL_NAMES


def second_factor_required(user, request=None) -> bool:
    """Administrators, superusers and anyone with admin access always; any other session once it has
    reached the admin or an administrator page (REQUIRED_SESSION_KEY)."""
    if not (settings.SECOND_FACTOR_REQUIRED and user.is_authenticated):
        return False
    if user.is_superuser or user.is_staff or user.role == Role.ADMINISTRATOR:
        return True
    return bool(request is not None and request.session.get(REQUIRED_SESSION_KEY))


def session_verified(request) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def session_verify(request, device) -> None:
    # A new session key: a key seen before the second step (by a shoulder or a log) is worth nothing after.
    request.session.cycle_key()
    otp_login(request, device)


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user).first()


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def device_secret(device: TOTPDevice) -> str:
    """The base32 secret that authenticator apps take (django-otp keeps the key in hex)."""
    return base64.b32encode(device.bin_key).decode("ascii")


def device_for_enrolment(*, user) -> TOTPDevice:
    """The person's device, created unconfirmed with a new key the first time: reloading the page shows
    the same key, so an app that has already read it stays right."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"name": DEVICE_NAME, "confirmed": False})
    return device


def device_set(*, user, secret: str) -> TOTPDevice:
    """Give `user` a confirmed device with a known base32 secret, unless they already have one (demo)."""
    cleaned = "".join(secret.split()).upper()
    key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8)).hex()
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, defaults={"name": DEVICE_NAME, "key": key, "confirmed": True}
    )
    return device


def devices_reset(*, user, by, ip_address=None) -> int:
    """Delete the person's authenticator app and recovery codes (a superuser's reset, audited): they enrol
    again at their next sign-in. Returns how many devices went."""
    count = TOTPDevice.objects.filter(user=user).delete()[0]
    count += StaticDevice.objects.filter(user=user).delete()[0]
    audit_record(
        user=by,
        action=Action.UPDATE,
        target=Target.ACCOUNT,
        target_id=user.pk,
        detail="second facteur réinitialisé",
        ip_address=ip_address,
    )
    return count


def recovery_codes_create(*, user) -> list[str]:
    """Replace the person's recovery codes by RECOVERY_CODE_COUNT new ones (each good once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalised_code(text: str) -> str | None:
    """A 6-digit code (apps show it as "123 456") or a recovery code (shown as "abcd-efgh", any case);
    None for anything else, a typing error rather than a guess."""
    code = "".join(text.split()).replace("-", "").lower()
    if len(code) == 6 and code.isascii() and code.isdigit():
        return code
    if len(code) == RECOVERY_CODE_LENGTH and set(code) <= BASE32_LOWER:
        return code
    return None


def device_lock_minutes_left(user) -> int:
    """Whole minutes the account stays locked after MAX_FAILURES wrong codes; 0 when it is not."""
    failed = (
        TOTPDevice.objects.filter(user=user, throttling_failure_count__gte=MAX_FAILURES)
        .values_list("throttling_failure_timestamp", flat=True)
        .first()
    )
    if failed is None:
        return 0
    seconds = (failed + timedelta(minutes=LOCK_MINUTES) - timezone.now()).total_seconds()
    return math.ceil(seconds / 60) if seconds > 0 else 0


@dataclass(frozen=True)
class CodeCheck:
    accepted: bool
    error: str = ""
    locked: bool = False
    device: object = None
    recovery: bool = False


def _already_used(device: TOTPDevice, code: str) -> bool:
    """Is `code` the app's code of a step already used (within the tolerance)? Such a code is refused
    without counting as a wrong one: the person typed a right code, only too soon."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return totp.verify(int(code), device.tolerance)


def code_check(*, request, user, code: str) -> CodeCheck:
    """Check a code (from `normalised_code`) against the person's app or recovery codes, confirming the app
    on its first right code.

    A code serves once: django-otp refuses an app's code of a step already used, and deletes a recovery
    code once used. MAX_FAILURES wrong codes in a row lock the account for LOCK_MINUTES, whatever the
    address; the count lives on the device so that signing in again with the password gives no fresh
    guesses."""
    ip_address = client_ip(request)
    minutes = lock_minutes_left(request, user.username) or device_lock_minutes_left(user)
    if minutes:
        return CodeCheck(accepted=False, error=locked_message(minutes), locked=True)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(user=user)
        if device.throttling_failure_count >= MAX_FAILURES:
            device.throttle_reset()  # the lock is over: a fresh count
        if code.isdigit():
            if device.verify_token(code):
                if not device.confirmed:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    _audit(request, user, Action.UPDATE, "second facteur activé", ip_address)
                return CodeCheck(accepted=True, device=device)
            if _already_used(device, code):
                device.throttling_failure_count -= 1
                device.save(update_fields=["throttling_failure_count"])
                return CodeCheck(accepted=False, error=REUSED_MESSAGE)
        else:
            recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if device.confirmed and recovery is not None and recovery.verify_token(code):
                device.throttle_reset()
                _audit(request, user, Action.UPDATE, "code de secours utilisé", ip_address)
                return CodeCheck(accepted=True, device=recovery, recovery=True)
            device.throttle_increment()
    _audit(request, user, Action.SIGN_IN_FAILED, "code du second facteur erroné", ip_address)
    if device.throttling_failure_count >= MAX_FAILURES:
        _audit(request, user, Action.LOCKOUT, "codes du second facteur erronés", ip_address)
        return CodeCheck(accepted=False, error=locked_message(LOCK_MINUTES), locked=True)
    return CodeCheck(accepted=False, error=wrong_message(MAX_FAILURES - device.throttling_failure_count))


def _audit(request, user, action, detail, ip_address):
    target = Target.ACCOUNT if action == Action.UPDATE else Target.SESSION
    audit_record(user=user, action=action, target=target, target_id=user.pk, detail=detail, ip_address=ip_address)
