"""The second factor of administrators and superusers (roles.md): who needs it, enrolment, code checks.

The password signs a person in as usual; until a right code is entered, a session flag is missing and
accounts/middleware.py keeps them on the second-factor pages."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import totp
from accounts.enums import Role
from accounts.lockout import LOCK_MINUTES, MAX_FAILURES, lock_minutes_left, locked_message, name_lock
from accounts.models import TotpDevice

# Holds the id of the user who entered a right code in this session: signing out flushes it.
SESSION_KEY = "otp_verified"

FORMAT_MESSAGE = "Saisissez les 6 chiffres du code affiché par votre application d'authentification."
REUSED_MESSAGE = (
    "Ce code a déjà servi : attendez le code suivant de votre application (un nouveau toutes les 30 secondes)."
)


def wrong_message(tries_left: int) -> str:
    tries = "essai" if tries_left == 1 else "essais"
    return (
        "Code erroné : vérifiez que l'heure de votre téléphone est à jour et saisissez le code affiché "
        f"maintenant. Encore {tries_left} {tries} avant le verrouillage du compte."
    )


def second_factor_required(user) -> bool:
    return bool(
        settings.SECOND_FACTOR_REQUIRED
        and user.is_authenticated
        and (user.is_superuser or user.role == Role.ADMINISTRATOR)
    )


def session_verified(request) -> bool:
    return request.session.get(SESSION_KEY) == request.user.pk


def session_verify(request) -> None:
    # A new session key: a key seen before the second step (by a shoulder or a log) is worth nothing after.
    request.session.cycle_key()
    request.session[SESSION_KEY] = request.user.pk


def has_confirmed_device(user) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def device_for_enrolment(*, user) -> TotpDevice:
    """The person's device, created unconfirmed with a new secret the first time: reloading the page shows
    the same secret, so an app that has already read it stays right."""
    device, _ = TotpDevice.objects.get_or_create(user=user, defaults={"secret": totp.random_secret()})
    return device


def device_set(*, user, secret: str) -> TotpDevice:
    """Give `user` a confirmed device with a known secret, unless they already have one (demo accounts)."""
    device, _ = TotpDevice.objects.get_or_create(user=user, defaults={"secret": secret, "confirmed_at": timezone.now()})
    return device


@dataclass(frozen=True)
class CodeCheck:
    accepted: bool
    error: str = ""
    locked: bool = False


def code_check(*, user, code: str, at: float | None = None) -> CodeCheck:
    """Check a 6-digit code against the person's device, confirming the device on its first right code.

    A right code serves once (its step, and any earlier one, is refused afterwards). MAX_FAILURES wrong
    codes in a row lock the account name for LOCK_MINUTES, exactly like wrong passwords; the count lives
    on the device so that signing in again with the password gives no fresh guesses."""
    at = time.time() if at is None else at
    minutes = lock_minutes_left(user.username)
    if minutes:
        return CodeCheck(accepted=False, error=locked_message(minutes), locked=True)
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().get(user=user)
        step = totp.matching_step(device.secret, code, at)
        if step is None:
            device.failures += 1
            if device.failures >= MAX_FAILURES:
                device.failures = 0
                device.save(update_fields=["failures"])
                name_lock(username=user.username)
                return CodeCheck(accepted=False, error=locked_message(LOCK_MINUTES), locked=True)
            device.save(update_fields=["failures"])
            return CodeCheck(accepted=False, error=wrong_message(MAX_FAILURES - device.failures))
        if device.last_used_step is not None and step <= device.last_used_step:
            return CodeCheck(accepted=False, error=REUSED_MESSAGE)
        device.failures = 0
        device.last_used_step = step
        device.confirmed_at = device.confirmed_at or timezone.now()
        device.save(update_fields=["failures", "last_used_step", "confirmed_at"])
    return CodeCheck(accepted=True)
