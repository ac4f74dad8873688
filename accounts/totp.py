"""Time-based one-time passwords (RFC 6238): what authenticator apps compute from a shared secret.

Written here rather than taken from a package: it is a few lines of the standard library, and the RFC's
own test vectors check it (tests/accounts/test_second_factor.py). `digest` is a hashlib name: RFC 6238
also defines SHA-256 and SHA-512 variants, but authenticator apps expect SHA-1, which Parcours uses."""

import base64
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# Accept the code of the step before and after the current one: phone clocks drift, people type slowly.
TOLERANCE_STEPS = 1
ISSUER = "Parcours"


def random_secret() -> str:
    """A new base32 secret of 160 bits, the key length RFC 4226 recommends for HMAC-SHA-1."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The key behind a base32 secret as people type it: any case, spaces allowed, padding optional."""
    cleaned = "".join(secret.split()).upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: HMAC of the 8-byte counter, dynamically truncated to `digits` decimal digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def time_step(at: float) -> int:
    return int(at // STEP_SECONDS)


def totp(secret: str, at: float, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    return hotp(secret_key(secret), time_step(at), digits=digits, digest=digest)


def matching_step(secret: str, code: str, at: float) -> int | None:
    """The time step whose code is `code`, within the tolerance around `at`; None when none matches."""
    key = secret_key(secret)
    current = time_step(at)
    for step in range(current - TOLERANCE_STEPS, current + TOLERANCE_STEPS + 1):
        # Constant-time comparison: the answer time must not tell how many digits were right.
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// address that authenticator apps read from a QR code."""
    label = quote(f"{ISSUER}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": ISSUER, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"
