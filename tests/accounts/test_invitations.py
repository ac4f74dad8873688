"""Invitations (a single-use, expiring link that sets the password) and forgotten passwords."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import EXPIRED_MESSAGE, INVALID_MESSAGE, USED_MESSAGE, invitation_send
from accounts.models import Invitation
from audit.enums import Action
from audit.models import AuditEvent
from tests.accounts.factories import UserFactory

NEW_PASSWORD = "un-long-mot-de-passe-choisi"


@pytest.fixture
def invited(db):
    user = UserFactory(username="dominique", coordinator=True, email="dominique@exemple.invalid")
    user.set_unusable_password()
    user.save()
    return user


def invite(user, by=None):
    invitation_send(user=user, by=by, base_url="https://parcours.exemple.invalid/")
    return re.search(r"https://parcours\.exemple\.invalid(/compte/invitation/\S+/)", mail.outbox[-1].body).group(1)


def choose(client, url, password=NEW_PASSWORD, again=None):
    return client.post(url, {"new_password1": password, "new_password2": again or password})


def test_the_link_sets_the_password_once(client, invited, settings):
    assert settings.INVITATION_DAYS == 7
    url = invite(invited)
    assert mail.outbox[0].to == ["dominique@exemple.invalid"]
    assert "expire dans 7 jours" in mail.outbox[0].body
    # Only a hash of the token is stored.
    assert url.split("/")[-2] not in Invitation.objects.get().token_hash

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["account"] == invited
    response = choose(client, url)

    assert response["Location"] == reverse("login")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    assert Invitation.objects.get().used_at is not None
    assert AuditEvent.objects.filter(action=Action.UPDATE, target_id=invited.pk, detail="invitation acceptée").exists()
    assert client.post(reverse("login"), {"username": "dominique", "password": NEW_PASSWORD}).status_code == 302

    # Single use: the same link fails with a French message, and sets nothing.
    client.post(reverse("logout"))
    response = client.get(url)
    assert response.status_code == 410
    assert response.context["error"] == USED_MESSAGE
    choose(client, url, password="encore-un-autre-mot-de-passe")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)


def test_passwords_have_12_characters_at_least(client, invited):
    url = invite(invited)

    response = choose(client, url, password="court-1234a")

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == [
        "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."
    ]
    assert not Invitation.objects.get().used_at


def test_an_expired_link_or_a_replaced_one_fails_in_french(client, invited):
    first = invite(invited)
    second = invite(invited)

    response = client.get(first)
    assert (response.status_code, response.context["error"]) == (410, INVALID_MESSAGE)
    assert client.get(second).status_code == 200

    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(second)
    assert (response.status_code, response.context["error"]) == (410, EXPIRED_MESSAGE)
    choose(client, second)
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_the_link_expires_after_invitation_days(invited, settings):
    settings.INVITATION_DAYS = 3
    before = timezone.now()
    invite(invited)
    expires_at = Invitation.objects.get().expires_at
    assert before + datetime.timedelta(days=3) <= expires_at <= timezone.now() + datetime.timedelta(days=3)


def test_a_deactivated_account_cannot_use_its_invitation(client, invited):
    url = invite(invited)
    invited.is_active = False
    invited.save()

    assert client.get(url).context["error"] == EXPIRED_MESSAGE


# Forgotten password -------------------------------------------------------------------------------------


def test_the_sign_in_page_links_to_the_forgotten_password_page(client, db):
    content = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in content
    assert "Mot de passe oublié ?" in content


def test_a_forgotten_password_is_reset_through_the_accounts_own_email(client, db):
    user = UserFactory(username="camille", email="camille@exemple.invalid")
    UserFactory(username="autre", email="autre@exemple.invalid")

    response = client.post(reverse("password_reset"), {"email": "camille@exemple.invalid"})

    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == (["camille@exemple.invalid"], "Parcours : choisir un nouveau mot de passe")
    link = re.search(r"http://testserver(/compte/mot-de-passe/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert response.context["validlink"] is True
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(target_id=user.pk, detail="mot de passe réinitialisé").exists()
    # The link served once.
    assert client.get(link, follow=True).context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, db):
    response = client.post(reverse("password_reset"), {"email": "personne@exemple.invalid"})

    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    page = client.get(reverse("password_reset_done")).content.decode()
    assert "Si un compte porte cette adresse" in page
