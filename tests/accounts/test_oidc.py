"""ProConnect sign-in end to end against a real OpenID Connect provider (django-oauth-toolkit on the live
server, tests/oidc_provider/): the product's token, userinfo and key requests go over HTTP to it."""

import pytest
import requests
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import IdentityProviderDevice, User
from audit.enums import Action
from audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.oidc_provider import fixtures
from tests.oidc_provider.fixtures import csrf_token, sign_in_at_provider
from tests.oidc_provider.identities import identity_create

oidc_provider = fixtures.oidc_provider

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = "/connexion/proconnect/refus/"


def signed_in_as(session, provider) -> str:
    """The name the product's header shows, or "" when the session is signed out."""
    page = session.get(provider.product_url + "/accessibilite/")
    marker = 'data-testid="signed-in-user">'
    if marker not in page.text:
        return ""
    return page.text.split(marker, 1)[1].split("<", 1)[0].strip()


def test_an_invited_account_is_linked_by_its_email_and_keeps_the_sub(oidc_provider):
    ana = UserFactory(username="ana", first_name="Ana", last_name="Lopez", email="ana.lopez@sdis13.fr")
    identity = identity_create(email="Ana.Lopez@sdis13.fr")
    session = requests.Session()

    page = sign_in_at_provider(session, oidc_provider, "ana.lopez@sdis13.fr", next_url="/accessibilite/")

    assert page.status_code == 200
    assert page.url == oidc_provider.product_url + "/accessibilite/"
    assert signed_in_as(session, oidc_provider).startswith("Ana Lopez")
    ana.refresh_from_db()
    assert ana.oidc_sub == identity.claims["sub"]
    assert User.objects.filter(email__iexact="ana.lopez@sdis13.fr").count() == 1
    event = AuditEvent.objects.filter(user=ana, action=Action.SIGN_IN).get()
    assert event.detail == "ProConnect"
    # The product asked the provider for a token and the userinfo, over HTTP, with its own credentials.
    from oauth2_provider.models import AccessToken, IDToken

    assert AccessToken.objects.filter(application=oidc_provider.application).count() == 1
    assert IDToken.objects.filter(application=oidc_provider.application).count() == 1


def test_a_linked_account_is_found_by_its_sub_even_when_the_provider_changes_the_email(oidc_provider):
    ana = UserFactory(username="ana", first_name="Ana", last_name="Lopez", email="ana.lopez@sdis13.fr")
    identity = identity_create(email="ana.lopez@sdis13.fr")
    sign_in_at_provider(requests.Session(), oidc_provider, "ana.lopez@sdis13.fr")
    identity.claims["email"] = "a.lopez@sdis13.fr"
    # Someone else's account holds the new address: the sub, not the email, decides.
    UserFactory(username="other", email="a.lopez@sdis13.fr")
    session = requests.Session()

    sign_in_at_provider(session, oidc_provider, "a.lopez@sdis13.fr")

    assert signed_in_as(session, oidc_provider).startswith("Ana Lopez")
    assert AuditEvent.objects.filter(user=ana, action=Action.SIGN_IN).count() == 2


def test_an_unknown_identity_is_refused_with_a_french_page_and_no_account_is_created(oidc_provider):
    UserFactory(username="ana", email="ana.lopez@sdis13.fr")
    identity_create(email="inconnu@mairie-marseille.fr")
    accounts = User.objects.count()
    session = requests.Session()

    page = sign_in_at_provider(session, oidc_provider, "inconnu@mairie-marseille.fr")

    assert page.url == oidc_provider.product_url + REFUSED
    assert "Aucun compte Parcours pour cette identité" in page.text
    assert "aucun compte Parcours ne correspond à cette adresse électronique" in page.text
    assert "inconnu@mairie-marseille.fr" in page.text
    assert "sur invitation" in page.text
    assert User.objects.count() == accounts
    assert signed_in_as(session, oidc_provider) == ""
    failed = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED, username="inconnu@mairie-marseille.fr")
    assert failed.detail == "ProConnect : aucun compte avec cette adresse"


def test_an_inactive_account_is_refused(oidc_provider):
    UserFactory(username="ana", email="ana.lopez@sdis13.fr", is_active=False)
    identity_create(email="ana.lopez@sdis13.fr")
    session = requests.Session()

    page = sign_in_at_provider(session, oidc_provider, "ana.lopez@sdis13.fr")

    assert page.url == oidc_provider.product_url + REFUSED
    assert "Compte désactivé" in page.text
    assert signed_in_as(session, oidc_provider) == ""
    assert User.objects.get(username="ana").oidc_sub == ""
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, detail="ProConnect : compte désactivé").exists()


def test_an_account_linked_to_another_identity_is_refused(oidc_provider):
    UserFactory(username="ana", email="ana.lopez@sdis13.fr", oidc_sub="sub-chez-un-autre-fournisseur")
    identity_create(email="ana.lopez@sdis13.fr")
    session = requests.Session()

    page = sign_in_at_provider(session, oidc_provider, "ana.lopez@sdis13.fr")

    assert page.url == oidc_provider.product_url + REFUSED
    assert "déjà relié à une autre identité ProConnect" in page.text
    assert signed_in_as(session, oidc_provider) == ""
    assert User.objects.get(username="ana").oidc_sub == "sub-chez-un-autre-fournisseur"


def test_an_id_token_of_another_issuer_is_refused(oidc_provider, settings):
    UserFactory(username="ana", email="ana.lopez@sdis13.fr")
    identity_create(email="ana.lopez@sdis13.fr")
    settings.PROCONNECT_ISSUER = "https://auth.agentconnect.gouv.fr/api/v2"
    session = requests.Session()

    page = sign_in_at_provider(session, oidc_provider, "ana.lopez@sdis13.fr")

    assert page.url == oidc_provider.product_url + REFUSED
    assert "n’a pas abouti" in page.text
    assert signed_in_as(session, oidc_provider) == ""


def test_an_answer_cancelled_at_the_provider_or_with_a_forged_state_is_refused_in_french(oidc_provider):
    session = requests.Session()
    callback = oidc_provider.product_url + "/connexion/proconnect/retour/"

    cancelled = session.get(callback, params={"error": "access_denied", "state": "x" * 32})
    assert cancelled.url == oidc_provider.product_url + REFUSED
    assert "Connexion annulée" in cancelled.text

    session.get(oidc_provider.product_url + "/connexion/proconnect/")  # a state of its own in the session
    forged = session.get(callback, params={"code": "un-code", "state": "y" * 32})
    assert forged.status_code == 200
    assert forged.url == oidc_provider.product_url + REFUSED
    assert "n’a pas abouti" in forged.text
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, detail__startswith="ProConnect").count() == 1


@pytest.mark.parametrize(
    ("acr", "amr", "verified"),
    [
        ("eidas1", ["pwd", "otp", "mfa"], True),
        ("https://proconnect.gouv.fr/assurance/self-asserted-2fa", ["pwd"], True),
        ("eidas2", ["pwd"], True),
        ("eidas1", ["pwd"], False),
        ("https://proconnect.gouv.fr/assurance/self-asserted", ["mail"], False),
    ],
)
def test_an_administrator_passes_the_second_factor_only_when_the_provider_did(
    oidc_provider, settings, acr, amr, verified
):
    settings.SECOND_FACTOR_REQUIRED = True
    admin = UserFactory(username="dreets", administrator=True, first_name="Dana", email="dana@dreets.gouv.fr")
    identity_create(email="dana@dreets.gouv.fr", acr=acr, amr=amr)
    session = requests.Session()

    page = sign_in_at_provider(session, oidc_provider, "dana@dreets.gouv.fr", next_url="/bilans/")

    if verified:
        assert page.url == oidc_provider.product_url + "/bilans/"
        assert IdentityProviderDevice.objects.filter(user=admin, confirmed=True).exists()
        detail = "ProConnect, second facteur vérifié par le fournisseur d'identité"
        # The admin too: the session is verified for django-otp.
        assert session.get(oidc_provider.product_url + "/admin/").url == oidc_provider.product_url + "/admin/"
    else:
        assert page.url.startswith(oidc_provider.product_url + reverse("accounts:second_factor_enrol"))
        assert "next=%2Fbilans%2F" in page.url
        assert not IdentityProviderDevice.objects.filter(user=admin).exists()
        detail = "ProConnect"
    assert AuditEvent.objects.get(user=admin, action=Action.SIGN_IN).detail == detail


@pytest.mark.parametrize(("amr", "verified"), [(["pwd"], False), (["pwd", "mfa"], True)])
def test_a_caseworker_reaching_the_admin_pages_needs_the_provider_s_second_factor(
    oidc_provider, settings, amr, verified
):
    settings.SECOND_FACTOR_REQUIRED = True
    UserFactory(username="ana", first_name="Ana", last_name="Lopez", email="ana.lopez@sdis13.fr")
    identity_create(email="ana.lopez@sdis13.fr", amr=amr)
    session = requests.Session()
    sign_in_at_provider(session, oidc_provider, "ana.lopez@sdis13.fr")
    assert signed_in_as(session, oidc_provider).startswith("Ana Lopez")

    page = session.get(oidc_provider.product_url + "/echange/")

    if verified:
        # Past the second factor; the exchange pages are the administrators' (403 for a caseworker).
        assert (page.url, page.status_code) == (oidc_provider.product_url + "/echange/", 403)
    else:
        assert page.url.startswith(oidc_provider.product_url + reverse("accounts:second_factor_enrol"))


def test_signing_out_ends_the_provider_session_too(oidc_provider):
    UserFactory(username="ana", first_name="Ana", last_name="Lopez", email="ana.lopez@sdis13.fr")
    identity = identity_create(email="ana.lopez@sdis13.fr")
    session = requests.Session()
    page = sign_in_at_provider(session, oidc_provider, "ana.lopez@sdis13.fr", next_url="/accessibilite/")

    signed_out = session.post(
        oidc_provider.product_url + "/deconnexion/",
        data={"csrfmiddlewaretoken": csrf_token(page.text)},
        headers={"Referer": page.url},
    )

    assert [urlpart.url.split("?")[0] for urlpart in signed_out.history[1:2]] == [oidc_provider.issuer + "/logout/"]
    assert signed_out.url == oidc_provider.product_url + "/connexion/"
    assert "Vous êtes déconnecté de Parcours et de ProConnect." in signed_out.text
    assert signed_in_as(session, oidc_provider) == ""
    # The provider's own session ended: its next sign-in asks for the password again.
    again = session.get(oidc_provider.product_url + "/connexion/proconnect/")
    assert again.url.startswith(oidc_provider.issuer + "/connexion/")
    assert identity.username


def test_proconnect_pages_do_not_exist_when_it_is_not_enabled(client, settings):
    settings.PROCONNECT_ENABLED = False
    assert client.get(reverse("oidc:authenticate")).status_code == 404
    assert client.get(reverse("oidc:callback"), {"code": "x", "state": "y"}).status_code == 404
    page = client.get(reverse("login"))
    assert "S’identifier avec" not in page.content.decode()


def test_the_sign_in_page_shows_the_proconnect_button_beside_the_password(client, settings):
    settings.PROCONNECT_ENABLED = True
    html = client.get(reverse("login") + "?next=/bilans/").content.decode()
    assert 'class="fr-connect parcours-proconnect" href="/connexion/proconnect/?next=/bilans/"' in html
    assert '<span class="fr-connect__brand">ProConnect</span>' in html
    assert 'name="password"' in html


def test_local_passwords_can_be_turned_off(client, settings):
    UserFactory(username="ana")
    settings.PROCONNECT_ENABLED = True
    settings.LOCAL_PASSWORDS_ENABLED = False
    request = RequestFactory().post("/connexion/")

    assert authenticate(request, username="ana", password="motdepasse-de-test") is None
    page = client.get(reverse("login"))
    assert 'name="password"' not in page.content.decode()
    assert "S’identifier avec" in page.content.decode()
    refused = client.post(reverse("login"), {"username": "ana", "password": "motdepasse-de-test"})
    assert refused.status_code == 200
    assert "La connexion par mot de passe est désactivée" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The admin's sign-in page refuses the password too.
    client.post(reverse("admin:login"), {"username": "ana", "password": "motdepasse-de-test"})
    assert "_auth_user_id" not in client.session

    settings.LOCAL_PASSWORDS_ENABLED = True
    assert authenticate(request, username="ana", password="motdepasse-de-test") == User.objects.get(username="ana")


def test_refused_identities_do_not_lock_proconnect_sign_ins_at_their_address(oidc_provider):
    UserFactory(username="ana", first_name="Ana", last_name="Lopez", email="ana.lopez@sdis13.fr")
    identity_create(email="ana.lopez@sdis13.fr")
    identity_create(email="inconnu@mairie-marseille.fr")
    for _ in range(6):
        page = sign_in_at_provider(requests.Session(), oidc_provider, "inconnu@mairie-marseille.fr")
        assert page.url == oidc_provider.product_url + REFUSED
    session = requests.Session()

    sign_in_at_provider(session, oidc_provider, "ana.lopez@sdis13.fr")

    assert signed_in_as(session, oidc_provider).startswith("Ana Lopez")


def test_two_accounts_with_the_address_are_not_guessed_between(oidc_provider):
    UserFactory(username="ana", email="ana.lopez@sdis13.fr")
    UserFactory(username="ana2", email="ANA.LOPEZ@sdis13.fr")
    identity_create(email="ana.lopez@sdis13.fr")
    session = requests.Session()

    page = sign_in_at_provider(session, oidc_provider, "ana.lopez@sdis13.fr")

    assert page.url == oidc_provider.product_url + REFUSED
    assert not User.objects.exclude(oidc_sub="").exists()
    assert signed_in_as(session, oidc_provider) == ""


def test_an_answer_without_state_is_refused_without_an_error(oidc_provider):
    session = requests.Session()
    session.get(oidc_provider.product_url + "/connexion/proconnect/")

    page = session.get(oidc_provider.product_url + "/connexion/proconnect/retour/", params={"code": "un-code"})

    assert page.status_code == 200
    assert page.url == oidc_provider.product_url + REFUSED
