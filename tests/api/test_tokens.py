"""Tokens: only a digest at rest, shown once, expiring, revocable; their technical account can never sign
in nor appear among people; the administrators' pages keep to their own territory."""

import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.services import api_token_revoke
from tests.api.conftest import client_for, issue

pytestmark = pytest.mark.django_db


def test_the_database_holds_a_digest_of_the_token_never_the_token(small):
    raw = small.raw["structure_a"]
    token = small.rows["structure_a"]
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    secret = raw.rsplit("_", 1)[1]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    assert raw.startswith(f"prc_{token.prefix}_")


def test_an_expired_token_is_refused(small):
    token = small.rows["structure_a"]
    client = small.clients["structure_a"]
    assert client.get("/api/v1/parcours/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get("/api/v1/parcours/")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Ce jeton a expiré le")


def test_a_revoked_token_is_refused_at_once(small):
    client = small.clients["territory"]
    assert client.get("/api/v1/parcours/").status_code == 200
    api_token_revoke(token=small.rows["territory"], by=small.users["administrator"])
    response = client.get("/api/v1/parcours/")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Ce jeton a été révoqué le")


def test_an_unknown_or_tampered_token_is_refused(small):
    raw = small.raw["structure_a"]
    for wrong in (raw[:-1] + ("A" if raw[-1] != "A" else "B"), "prc_00000000_x", "autre-chose"):
        response = client_for(wrong).get("/api/v1/parcours/")
        assert response.status_code == 401, wrong
        assert response.json() == {"detail": "Jeton inconnu."}


def test_the_technical_account_never_signs_in_nor_appears_among_people(small):
    actor = small.rows["structure_a"].actor
    actor.refresh_from_db()
    assert not actor.is_active and actor.role == "" and not actor.has_usable_password()
    assert not small.structures["a"].members.filter(pk=actor.pk).exists()
    assert not Client().login(username=actor.username, password="")


def test_the_last_use_is_recorded(small):
    assert small.rows["structure_b"].last_used_at is None
    small.clients["structure_b"].get("/api/v1/menages/")
    small.rows["structure_b"].refresh_from_db()
    assert small.rows["structure_b"].last_used_at is not None


def test_the_validity_is_bounded(small, settings):
    from django.core.exceptions import ValidationError

    settings.API_TOKEN_MAX_DAYS = 30
    with pytest.raises(ValidationError) as refused:
        issue(small, structure=small.structures["a"], days=31)
    assert refused.value.message_dict["days"] == ["La durée de validité va de 1 à 30 jours."]


def test_an_administrator_issues_a_token_shown_once_and_revokes_it(small):
    client = Client()
    client.force_login(small.users["administrator"])
    response = client.post("/compte/jetons-api/", {"name": "SI-SIAO", "territory": "departement:13", "days": "30"})
    assert response.status_code == 200
    raw = response.context["issued"]["raw"]
    assert raw in response.content.decode()
    token = ApiToken.objects.get(name="SI-SIAO")
    assert token.territory_code == "departement:13"
    assert client_for(raw).get("/api/v1/parcours/").status_code == 200
    # The list shows its start only, never the token again.
    listed = client.get("/compte/jetons-api/").content.decode()
    assert f"prc_{token.prefix}" in listed and raw not in listed
    assert client.post(f"/compte/jetons-api/{token.pk}/revoquer/").status_code == 302
    assert client_for(raw).get("/api/v1/parcours/").status_code == 401


def test_an_administrator_issues_no_token_outside_its_territory(small):
    from accounts.enums import Role
    from tests.accounts.factories import UserFactory
    from tests.territories.factories import StructureFactory

    admin11 = UserFactory(username="admin11", role=Role.ADMINISTRATOR, territories="region:11")
    paris = StructureFactory(name="Paris Asso", commune=small.geo.paris)
    client = Client()
    client.force_login(admin11)
    refused = client.post("/compte/jetons-api/", {"name": "X", "territory": "departement:13", "days": "30"})
    assert "est hors de votre territoire" in refused.content.decode()
    refused = client.post("/compte/jetons-api/", {"name": "X", "structure": small.structures["a"].pk, "days": "30"})
    assert refused.status_code == 200 and refused.context["issued"] is None
    assert not ApiToken.objects.filter(name="X").exists()
    # Nor sees nor revokes the 93's tokens.
    assert f"prc_{small.rows['structure_a'].prefix}" not in client.get("/compte/jetons-api/").content.decode()
    assert client.post(f"/compte/jetons-api/{small.rows['structure_a'].pk}/revoquer/").status_code == 404
    done = client.post("/compte/jetons-api/", {"name": "Paris", "structure": paris.pk, "days": "30"})
    assert done.context["issued"] is not None
