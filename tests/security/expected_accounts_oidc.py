"""Access-matrix entries of the accounts oidc pages (merged into EXPECTED by test_access_matrix.py).

The ProConnect pages are open to anyone, signed in or not (a sign-in starts signed out). ProConnect is off
in the test settings (PROCONNECT_ENABLED): starting a sign-in and the provider's answer do not exist (404);
tests/accounts/test_oidc.py runs them against a real provider."""

from tests.security.expectations import Entry, no_object

EXPECTED: dict[str, Entry] = {
    "oidc:authenticate": Entry(no_object, lambda role, obj, method: 404 if method == "GET" else 405),
    "oidc:callback": Entry(no_object, lambda role, obj, method: 404 if method == "GET" else 405),
    # Why a ProConnect sign-in was refused: the person's own address at most, taken once from the session.
    "oidc:refused": Entry(no_object, lambda role, obj, method: 200 if method == "GET" else 405),
    # Back from ProConnect's sign-out: on to the sign-in page.
    "oidc:logout_callback": Entry(no_object, lambda role, obj, method: 302 if method == "GET" else 405),
}
