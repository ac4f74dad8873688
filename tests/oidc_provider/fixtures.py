"""The provider and the product on one live server: the product at http://localhost:<port>, the
provider at http://127.0.0.1:<port>/fournisseur/ (another host: the browser keeps their sessions apart,
as it would ProConnect's and ours). The product's token, userinfo and key requests go over HTTP to it."""

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from oauth2_provider.models import Application

from tests.oidc_provider.identities import IDENTITIES, PASSWORD

CALLBACK = "/connexion/proconnect/retour/"
POST_LOGOUT = "/connexion/proconnect/deconnexion/"


@dataclass
class Provider:
    product_url: str
    issuer: str
    application: Application
    client_secret: str

    def consent(self, required: bool) -> None:
        self.application.skip_authorization = not required
        self.application.save(update_fields=["skip_authorization"])


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def oidc_provider(live_server, settings):
    port = urlsplit(live_server.url).port
    product_url = f"http://localhost:{port}"
    issuer = f"http://127.0.0.1:{port}/fournisseur"
    settings.ROOT_URLCONF = "tests.oidc_provider.urls"
    settings.OAUTH2_PROVIDER = {
        **django_settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": _private_key_pem(),
        "OIDC_ISS_ENDPOINT": issuer,
    }
    client_id, client_secret = secrets.token_hex(16), secrets.token_urlsafe(32)
    application = Application.objects.create(
        name="Parcours",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=product_url + CALLBACK,
        post_logout_redirect_uris=product_url + POST_LOGOUT,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    # The product's settings, as docs/connexion.md has an operator set them for ProConnect.
    settings.PROCONNECT_ENABLED = True
    settings.PROCONNECT_ISSUER = issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/.well-known/jwks.json"
    settings.PROCONNECT_END_SESSION_ENDPOINT = f"{issuer}/logout/"
    settings.OIDC_RP_CLIENT_ID = client_id
    settings.OIDC_RP_CLIENT_SECRET = client_secret
    settings.OIDC_RP_SCOPES = "openid email given_name usual_name siret uid idp_id"
    policy = django_settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {
        **policy,
        "DIRECTIVES": {
            **policy["DIRECTIVES"],
            "form-action": [*policy["DIRECTIVES"]["form-action"], f"http://127.0.0.1:{port}"],
        },
    }
    yield Provider(product_url=product_url, issuer=issuer, application=application, client_secret=client_secret)
    IDENTITIES.clear()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def sign_in_at_provider(session, provider: Provider, email: str, *, next_url: str = ""):
    """The whole redirect flow with a plain HTTP client (requests): the product's ProConnect link, the
    provider's sign-in page, the provider's answer to the product's callback, and on to the product."""
    start = provider.product_url + "/connexion/proconnect/" + (f"?next={next_url}" if next_url else "")
    page = session.get(start)
    assert page.url.startswith(provider.issuer + "/connexion/"), page.url
    return session.post(
        page.url,
        data={"csrfmiddlewaretoken": csrf_token(page.text), "email": email, "password": PASSWORD},
        headers={"Referer": page.url},
    )
