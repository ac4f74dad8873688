"""Invitations: an account is created without a password and its holder sets one with a single-use link
sent to the account's email, valid INVITATION_DAYS days (docs/roles.md). Nobody else ever sets it."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from accounts.services import account_audit
from audit.enums import Action

USED_MESSAGE = (
    "Ce lien d'invitation a déjà servi : votre mot de passe est choisi. Connectez-vous, ou utilisez « Mot de "
    "passe oublié ? » si vous ne vous en souvenez plus."
)
EXPIRED_MESSAGE = (
    "Ce lien d'invitation a expiré. Demandez à l'administration de votre territoire de vous en renvoyer un."
)
INVALID_MESSAGE = (
    "Ce lien d'invitation n'est pas valide (il a pu être remplacé par un plus récent). Utilisez le dernier "
    "lien reçu, ou demandez à l'administration de votre territoire de vous en renvoyer un."
)
NO_EMAIL_MESSAGE = "Ce compte n'a pas d'adresse électronique : l'invitation ne peut pas être envoyée."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_send(*, user, by, base_url: str, ip_address=None) -> Invitation:
    """Replace any pending invitation of `user` by a new one and email its link. `base_url` is the site's
    address as the sender reached it (https://parcours.example.gouv.fr)."""
    if not user.email:
        raise ValueError(NO_EMAIL_MESSAGE)
    Invitation.objects.filter(user=user, used_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=_hash(token),
        created_by=by if getattr(by, "is_authenticated", False) else None,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    link = base_url.rstrip("/") + reverse("invitation_accept", args=[token])
    context = {"user": user, "link": link, "days": settings.INVITATION_DAYS, "expires_at": invitation.expires_at}
    send_mail(
        subject="Parcours : votre compte est ouvert, choisissez votre mot de passe",
        message=render_to_string("accounts/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    account_audit(by=by, user=user, action=Action.UPDATE, detail="invitation envoyée", ip_address=ip_address)
    return invitation


@dataclass(frozen=True)
class InvitationLookup:
    invitation: Invitation | None
    error: str = ""


def invitation_find(token: str) -> InvitationLookup:
    """The pending invitation of a link, or why the link does not serve (French message)."""
    invitation = Invitation.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if invitation is None:
        return InvitationLookup(None, INVALID_MESSAGE)
    if invitation.used_at is not None:
        return InvitationLookup(None, USED_MESSAGE)
    if invitation.expires_at <= timezone.now() or not invitation.user.is_active:
        return InvitationLookup(None, EXPIRED_MESSAGE)
    return InvitationLookup(invitation)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, ip_address=None) -> None:
    """Set the password chosen with the link and use the link up, so that it never serves again."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise ValueError(USED_MESSAGE)
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    account_audit(by=user, user=user, action=Action.UPDATE, detail="invitation acceptée", ip_address=ip_address)
