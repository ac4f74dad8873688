"""`Authorization: Bearer prc_…`: the token's technical account, given for this request the role and
scope of its token, so that every queryset (`visible_to`) and every rule of perms.py reads it as it reads
a person: a structure token as a caseworker of its structure, a territory token as a coordinator of its
territory (docs/api.md)."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.enums import TokenKind
from api.models import ApiActor, ApiToken
from api.services import api_token_find

KEYWORD = "Bearer"
# last_used_at is written at most this often per token: not one write per request.
LAST_USED_STEP = timedelta(minutes=1)


def actor_for(token: ApiToken) -> ApiActor:
    """The technical account of `token`, active and scoped for the current request only (never saved:
    ApiActor.save refuses)."""
    actor = ApiActor.objects.get(pk=token.actor_id)
    actor.is_active = True
    actor.is_superuser = False
    actor.is_staff = False
    actor.role = token.role
    actor.territories = token.territory_code if token.kind == TokenKind.TERRITORY else ""
    # The structure of a structure token, without the account being among its members in the database
    # (it is nobody's caseworker, in no list of people).
    actor.__dict__["structure_ids"] = [token.structure_id] if token.kind == TokenKind.STRUCTURE else []
    actor.api_token_row = token
    return actor


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("En-tête Authorization invalide : « Bearer <jeton> » attendu.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Jeton invalide.") from None
        token = api_token_find(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Jeton inconnu.")
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                f"Ce jeton a été révoqué le {timezone.localtime(token.revoked_at):%d/%m/%Y}."
            )
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                f"Ce jeton a expiré le {timezone.localtime(token.expires_at):%d/%m/%Y}."
            )
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_STEP:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return actor_for(token), token

    def authenticate_header(self, request):
        return KEYWORD
