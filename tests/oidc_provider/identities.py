"""The test provider's directory: provider user name -> the claims it sends (sub, email, names, acr, amr)."""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

IDENTITIES: dict[str, dict] = {}
PASSWORD = "mot-de-passe-du-fournisseur"


@dataclass
class Identity:
    username: str
    claims: dict = field(default_factory=dict)


def identity_create(*, email: str, acr: str = "eidas1", amr: list[str] | None = None, **claims) -> Identity:
    """A person known to the provider: an account of the provider's own (no email, no role: the product
    never matches it) and the claims the provider sends about them."""
    username = f"fournisseur-{secrets.token_hex(4)}"
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    IDENTITIES[username] = {
        "sub": claims.pop("sub", secrets.token_hex(16)),
        "email": email,
        "given_name": claims.pop("given_name", "Camille"),
        "usual_name": claims.pop("usual_name", "Martin"),
        "siret": claims.pop("siret", "13002526500013"),
        "uid": str(user.pk),
        "idp_id": "fournisseur-de-test",
        "acr": acr,
        "amr": amr if amr is not None else ["pwd"],
        **claims,
    }
    return Identity(username=username, claims=IDENTITIES[username])
