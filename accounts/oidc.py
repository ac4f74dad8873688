"""Signing in with ProConnect, the state's OpenID Connect federation for professionals (docs/connexion.md).

Nobody gets an account by signing in: an account invited in the product (accounts/invitations.py) is linked
at its first ProConnect sign-in by its email, and its `sub` is kept, so that later sign-ins match on it.
An unknown identity, an inactive account, or an account already linked to another identity are refused
(accounts/views/oidc.py shows why, in French). When the identity provider says it checked a second factor
(its `amr` or `acr` claims, as the settings list them), the session is verified for django-otp as if the
person had typed a code (accounts/models.py: IdentityProviderDevice); otherwise the second-factor rule of
accounts/middleware.py applies unchanged."""

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import IdentityProviderDevice, User

LOGGER = logging.getLogger(__name__)

BACKEND_PATH = "accounts.oidc.ProConnectBackend"
# The session keys of a ProConnect session: the id_token (the end-session call needs it as id_token_hint)
# and the state of a sign-out under way.
ID_TOKEN_SESSION_KEY = "oidc_id_token"
LOGOUT_STATE_SESSION_KEY = "proconnect_logout_state"
DEVICE_NAME = "ProConnect"


@dataclass(frozen=True)
class Refusal:
    """Why a ProConnect identity was refused: `reason` picks the French page's text, `email` is the
    address the provider gave (shown to its holder, and written in the audit log)."""

    reason: str
    email: str = ""

    @property
    def detail(self) -> str:
        return f"ProConnect : {REFUSAL_DETAILS[self.reason]}"


UNKNOWN = "unknown"
INACTIVE = "inactive"
OTHER_IDENTITY = "other_identity"
NO_EMAIL = "no_email"
PROVIDER_ERROR = "provider_error"
CANCELLED = "cancelled"
DISABLED = "disabled"

# For the audit log (English would do, but every detail of the log is French).
REFUSAL_DETAILS = {
    UNKNOWN: "aucun compte avec cette adresse",
    INACTIVE: "compte désactivé",
    OTHER_IDENTITY: "compte relié à une autre identité ProConnect",
    NO_EMAIL: "adresse électronique absente",
    PROVIDER_ERROR: "échange avec le fournisseur d'identité en échec",
    CANCELLED: "connexion annulée ou refusée chez le fournisseur d'identité",
    DISABLED: "connexion ProConnect désactivée",
}


def multi_factor_done(claims: dict) -> bool:
    """Did the identity provider check a second factor? An `amr` listing one of PROCONNECT_MFA_AMR_VALUES
    (RFC 8176: "mfa", "otp"...), or an `acr` among PROCONNECT_MFA_ACR_VALUES (eidas2, eidas3, ProConnect's
    "...-2fa" levels)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = amr.split()
    if set(amr) & set(settings.PROCONNECT_MFA_AMR_VALUES):
        return True
    return bool(claims.get("acr")) and claims.get("acr") in settings.PROCONNECT_MFA_ACR_VALUES


def auth_request_extra_params() -> dict:
    """acr_values (AgentConnect's historic "eidas1", only if set) and the `claims` request that makes
    ProConnect put `amr` and `acr` in the id_token (they are not there unless asked for)."""
    params = {}
    if settings.PROCONNECT_ACR_VALUES:
        params["acr_values"] = settings.PROCONNECT_ACR_VALUES
    if settings.PROCONNECT_REQUEST_AMR:
        params["claims"] = '{"id_token":{"amr":{"essential":true},"acr":{"essential":true}}}'
    return params


def end_session_url(request, id_token: str) -> str:
    """Where to send the browser to end the ProConnect session too (its end_session_endpoint), coming back
    to the post-logout page with a state kept in the new session."""
    state = secrets.token_urlsafe(32)
    request.session[LOGOUT_STATE_SESSION_KEY] = state
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("oidc:logout_callback")),
        }
    )
    return f"{settings.PROCONNECT_END_SESSION_ENDPOINT}?{query}"


def refuse(request, refusal: Refusal) -> None:
    # Read by the callback view (the French page) and by the failed sign-in's audit (accounts/signals.py).
    request.oidc_refusal = refusal


class ProConnectBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching accounts instead of creating them (OIDC_CREATE_USER is
    false): by `sub` once linked, else by email for an account not yet linked."""

    def authenticate(self, request, **kwargs):
        # Only the ProConnect callback passes a nonce; a password sign-in reaches this backend too.
        if request is None or "nonce" not in kwargs:
            return None
        if not settings.PROCONNECT_ENABLED:
            refuse(request, Refusal(DISABLED))
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, ValueError) as error:
            # A provider that fails or answers nonsense (an expired code, a timeout): the French page.
            LOGGER.warning("ProConnect sign-in failed: %s", error)
            refuse(request, Refusal(PROVIDER_ERROR))
            return None
        except SuspiciousOperation as error:
            LOGGER.warning("ProConnect sign-in refused: %s", error)
            if not hasattr(request, "oidc_refusal"):
                refuse(request, Refusal(PROVIDER_ERROR))
            return None

    def get_payload_data(self, token, key):
        """The signature is checked by mozilla-django-oidc; the issuer and the audience are not: a token
        that another provider, or this one for another client, signed is refused here."""
        payload = super().get_payload_data(token, key)
        issuer = settings.PROCONNECT_ISSUER
        if issuer and "iss" in payload and payload["iss"].rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation("id_token issued by another provider")
        audience = payload.get("aud")
        if audience is not None:
            audiences = [audience] if isinstance(audience, str) else list(audience)
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("id_token issued for another client")
        return payload

    def verify_claims(self, claims):
        if not claims.get("sub") or not claims.get("email"):
            refuse(self.request, Refusal(NO_EMAIL, claims.get("email") or ""))
            return False
        return True

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        # The userinfo's sub must be the id_token's (OpenID Connect Core 5.3.2).
        if user_info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo sub differs from the id_token's")
        if not self.verify_claims(user_info):
            raise SuspiciousOperation("Claims verification failed")
        user = self.account_for(user_info)
        if user is None:
            return None
        if multi_factor_done(payload):
            device, _ = IdentityProviderDevice.objects.get_or_create(
                user=user, defaults={"name": DEVICE_NAME, "confirmed": True}
            )
            # django-otp puts it in the session at auth.login (its user_logged_in receiver).
            user.otp_device = device
            user.sign_in_detail = "ProConnect, second facteur vérifié par le fournisseur d'identité"
        else:
            user.sign_in_detail = "ProConnect"
        return user

    @transaction.atomic
    def account_for(self, claims: dict) -> User | None:
        sub, email = claims["sub"], claims["email"].strip()
        user = User.objects.select_for_update().filter(oidc_sub=sub).first()
        if user is None:
            matches = list(User.objects.select_for_update().filter(email__iexact=email)[:2])
            if len(matches) != 1:
                # None, or two accounts with one address: linking either would be a guess.
                refuse(self.request, Refusal(UNKNOWN, email))
                return None
            user = matches[0]
            if user.oidc_sub:
                # The sub is per provider and per service: a new one for the same address is another
                # identity (another provider), which an administrator links by clearing the field.
                refuse(self.request, Refusal(OTHER_IDENTITY, email))
                return None
        if not user.is_active:
            refuse(self.request, Refusal(INACTIVE, email))
            return None
        if not user.oidc_sub:
            user.oidc_sub = sub
            user.save(update_fields=["oidc_sub"])
        return user

    def get_user(self, user_id):
        # mozilla-django-oidc's would keep an account's session open after it was deactivated.
        return ModelBackend.get_user(self, user_id)
