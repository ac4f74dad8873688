"""Issue, find and revoke API tokens (docs/api.md). Keyword-only; French messages in ValidationError."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from api.enums import TOKEN_TERRITORY_KINDS, TokenKind
from api.models import ApiToken
from audit.enums import Action, Target
from audit.services import audit_record
from territories.territory import Territory

# "prc_" + 8 characters to find the row + "_" + the secret: 32 random bytes (256 bits), so a plain
# SHA-256 digest is enough at rest (no password stretching: nothing to guess from a dictionary).
TOKEN_PREFIX = "prc_"
PREFIX_LENGTH = 8


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def max_token_days() -> int:
    return settings.API_TOKEN_MAX_DAYS


def _new_secret() -> tuple[str, str]:
    """(prefix, raw token); the prefix is drawn again in the unlikely case it is taken."""
    while True:
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def api_token_issue(
    *, name: str, by, days: int, structure=None, territory: Territory | None = None, ip_address=None
) -> tuple[ApiToken, str]:
    """Issue a token to `structure` or to `territory` (a département or an EPCI), valid `days` days.
    Returns the token row and the token itself, which is stored nowhere and shown once."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Indiquez le nom du logiciel ou du service qui utilisera ce jeton."
    if (structure is None) == (territory is None):
        errors["structure"] = "Choisissez soit une structure, soit un territoire."
    elif territory is not None and territory.kind not in TOKEN_TERRITORY_KINDS:
        errors["territory"] = "Un jeton de territoire porte sur un département ou un EPCI (comme une coordination)."
    if not isinstance(days, int) or not 1 <= days <= max_token_days():
        errors["days"] = f"La durée de validité va de 1 à {max_token_days()} jours."
    if errors:
        raise ValidationError(errors)
    prefix, raw = _new_secret()
    actor = User(
        username=f"api-{prefix}",
        first_name="Jeton d'API",
        last_name=name[:150],
        is_active=False,
        role="",
    )
    actor.set_unusable_password()
    actor.save()
    token = ApiToken.objects.create(
        name=name[:100],
        kind=TokenKind.STRUCTURE if structure is not None else TokenKind.TERRITORY,
        structure=structure,
        territory_code=territory.key if territory is not None else "",
        territory_name=territory.name if territory is not None else "",
        prefix=prefix,
        token_hash=token_digest(raw),
        actor=actor,
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        user=by,
        action=Action.CREATE,
        target=Target.ACCOUNT,
        target_id=actor.pk,
        detail=f"jeton d'API {prefix}… émis pour {token.scope_label}",
        changes={"api_token": [None, prefix], "scope": [None, token.structure_id or token.territory_code]},
        ip_address=ip_address,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by, ip_address=None) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ValidationError(f"Ce jeton est déjà révoqué depuis le {timezone.localtime(locked.revoked_at):%d/%m/%Y}.")
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        user=by,
        action=Action.UPDATE,
        target=Target.ACCOUNT,
        target_id=locked.actor_id,
        detail=f"jeton d'API {locked.prefix}… révoqué",
        ip_address=ip_address,
    )
    token.revoked_at, token.revoked_by = locked.revoked_at, locked.revoked_by
    return locked


def api_token_find(raw: str) -> ApiToken | None:
    """The token row of `raw`, whatever its state (the caller tells expired and revoked apart), or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix = raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + PREFIX_LENGTH]
    token = ApiToken.objects.select_related("actor", "structure").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.token_hash, token_digest(raw)):
        return None
    return token
