"""The ProConnect redirect flow in a browser: the product's sign-in page, the provider's sign-in and
consent pages (django-oauth-toolkit, tests/oidc_provider/), back to the product signed in; then signing
out of both. Screenshots for docs/connexion.md in docs/captures/proconnect-*.png."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import User
from audit.enums import Action
from audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.oidc_provider import fixtures
from tests.oidc_provider.identities import PASSWORD, identity_create

oidc_provider = fixtures.oidc_provider

CAPTURES = Path(__file__).resolve().parent.parent.parent / "docs" / "captures"


def capture(page, name: str, *, full_page: bool = True) -> None:
    CAPTURES.mkdir(exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"proconnect-{name}.png"), full_page=full_page)


def provider_sign_in(page, email: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion au fournisseur d'identité")
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_a_caseworker_signs_in_with_proconnect_and_out_of_both(page, oidc_provider):
    ana = UserFactory(username="ana", first_name="Ana", last_name="Lopez", email="ana.lopez@sdis13.fr")
    identity = identity_create(email="ana.lopez@sdis13.fr", given_name="Ana", usual_name="Lopez")
    oidc_provider.consent(required=True)

    page.goto(oidc_provider.product_url + "/connexion/?next=/parcours/")
    button = page.get_by_role("link", name="S’identifier avec ProConnect")
    expect(button).to_be_visible()
    capture(page, "1-page-de-connexion")
    button.click()

    page.wait_for_url(oidc_provider.issuer + "/connexion/**")
    provider_sign_in(page, "ana.lopez@sdis13.fr")
    capture(page, "2-fournisseur-connexion")
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Transmettre votre identité à Parcours ?")
    capture(page, "3-fournisseur-consentement")
    page.get_by_role("button", name="Autoriser").click()

    page.wait_for_url(oidc_provider.product_url + "/parcours/")
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("Ana Lopez")
    capture(page, "4-connecte", full_page=False)
    ana.refresh_from_db()
    assert ana.oidc_sub == identity.claims["sub"]
    assert AuditEvent.objects.filter(user=ana, action=Action.SIGN_IN, detail="ProConnect").count() == 1

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(oidc_provider.product_url + "/connexion/")
    expect(page.get_by_text("Vous êtes déconnecté de Parcours et de ProConnect.")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_an_unknown_identity_gets_the_french_refusal_page(page, oidc_provider):
    identity_create(email="inconnu@mairie-marseille.fr")
    accounts = User.objects.count()

    page.goto(oidc_provider.product_url + "/connexion/")
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    provider_sign_in(page, "inconnu@mairie-marseille.fr")
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_url(oidc_provider.product_url + "/connexion/proconnect/refus/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aucun compte Parcours pour cette identité")
    expect(page.get_by_test_id("proconnect-refusal")).to_contain_text("inconnu@mairie-marseille.fr")
    expect(page.get_by_test_id("signed-in-user")).to_have_count(0)
    capture(page, "5-identite-inconnue")
    assert User.objects.count() == accounts


@pytest.mark.django_db(transaction=True)
def test_the_sign_in_and_refusal_pages_have_no_serious_axe_violation(browser, live_server, settings):
    settings.PROCONNECT_ENABLED = True
    # The strict Content-Security-Policy refuses the script axe injects (as in test_accessibility.py).
    context = browser.new_context(locale="fr-FR", bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    results = {}
    for path in ("/connexion/", "/connexion/proconnect/refus/"):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        violations = Axe().run(page).response["violations"]
        results[path] = [f"{v['id']} ({v['impact']})" for v in violations if v["impact"] in {"serious", "critical"}]
    context.close()
    print("\naxe, ProConnect pages:", results)
    assert results == {"/connexion/": [], "/connexion/proconnect/refus/": []}
