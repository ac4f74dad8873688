"""The emails of the « À traiter » items and the weekly digest.

An email leaves the system: it holds references (P-000123, M-000045, import n° 12) and links, never a
household's name; the items' summaries are written without names (notifications/receivers.py), and the
templates add nothing but labels and links."""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.enums import EMAIL_SUBJECTS, EmailStatus, Kind
from notifications.models import Notification, Preference
from notifications.services import kinds_for, mark_email, preferences_of

logger = logging.getLogger(__name__)

KIND_LABELS = dict(Kind.choices)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _context(recipient, groups: dict[str, list[Notification]]) -> dict:
    return {
        "groups": [
            {
                "label": KIND_LABELS[kind],
                "items": [
                    {
                        "reference": n.reference,
                        "summary": n.summary,
                        "url": absolute(reverse("notifications:open", args=[n.pk])),
                    }
                    for n in items
                ],
            }
            for kind, items in groups.items()
        ],
        "list_url": absolute(reverse("notifications:list")),
        "preferences_url": absolute(reverse("notifications:preferences")),
    }


def _grouped(items) -> dict[str, list[Notification]]:
    groups = defaultdict(list)
    for kind in Kind.values:
        for n in items:
            if n.kind == kind:
                groups[kind].append(n)
    return dict(groups)


def item_message(recipient, items: list[Notification]) -> tuple[str, str]:
    """(subject, body) of the email of new items for one person."""
    if len(items) == 1:
        subject = f"Parcours : {EMAIL_SUBJECTS[items[0].kind]} ({items[0].reference})"
    else:
        subject = f"Parcours : {len(items)} nouveaux éléments à traiter"
    body = render_to_string("notifications/email_items.txt", _context(recipient, _grouped(items)))
    return subject, body


def digest_message(recipient, items: list[Notification]) -> tuple[str, str]:
    subject = f"Parcours : récapitulatif de la semaine, {len(items)} élément(s) à traiter"
    context = _context(recipient, _grouped(items)) | {"count": len(items)}
    return subject, render_to_string("notifications/email_digest.txt", context)


def _deliver(recipient, subject: str, body: str) -> None:
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[recipient.email])


def send_item_emails(ids) -> list[int]:
    """Send the emails of the pending items `ids`, one per person; returns the ids whose sending failed
    (to retry). Items cleared meanwhile, of a kind the person turned off, or of a person without an
    address are not sent (SKIPPED)."""
    rows = list(
        Notification.objects.filter(pk__in=list(ids), email_status=EmailStatus.PENDING)
        .select_related("recipient")
        .order_by("recipient_id", "-created_at", "-id")
    )
    by_recipient = defaultdict(list)
    for n in rows:
        by_recipient[n.recipient].append(n)
    failed = []
    for recipient, items in by_recipient.items():
        preferences = preferences_of(recipient)
        wanted = [n for n in items if n.cleared_at is None and (p := preferences.get(n.kind)) is not None and p.email]
        skipped = [n.pk for n in items if n not in wanted]
        if not recipient.email or not recipient.is_active:
            skipped, wanted = [n.pk for n in items], []
        if skipped:
            mark_email(skipped, EmailStatus.SKIPPED)
        if not wanted:
            continue
        subject, body = item_message(recipient, wanted)
        pks = [n.pk for n in wanted]
        Notification.objects.filter(pk__in=pks).update(email_attempts=F("email_attempts") + 1)
        try:
            _deliver(recipient, subject, body)
        except Exception as error:  # SMTP, network, provider API: every failure is retried, then logged
            logger.warning("Notification email to user %s failed (items %s): %r", recipient.pk, pks, error)
            failed += pks
            continue
        mark_email(pks, EmailStatus.SENT)
    return failed


def give_up(ids) -> None:
    logger.error("Notification emails given up after %s attempts: items %s", max_attempts(), list(ids))
    mark_email(ids, EmailStatus.FAILED)


def max_attempts() -> int:
    return getattr(settings, "NOTIFICATION_EMAIL_ATTEMPTS", 4)


def digest_recipients():
    """The active people with an address who chose the digest for at least one kind."""
    from accounts.models import User

    chosen = Preference.objects.filter(digest=True).values("user")
    return User.objects.filter(pk__in=chosen, is_active=True).exclude(email="").order_by("pk")


def digest_items(user) -> list[Notification]:
    kinds = [kind for kind, p in preferences_of(user).items() if p.digest and kind in kinds_for(user)]
    return list(Notification.objects.for_user(user).waiting().filter(kind__in=kinds).order_by("-created_at", "-id"))


def send_digests(user_ids=None, *, dry_run: bool = False) -> tuple[int, list[int]]:
    """Send each chosen person the digest of what still waits for them (the kinds they chose); nothing
    to someone with nothing waiting. Returns (emails sent or, with dry_run, to send; ids of the people
    whose sending failed)."""
    users = digest_recipients()
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    sent, failed = 0, []
    for user in users:
        items = digest_items(user)
        if not items:
            continue
        if dry_run:
            sent += 1
            continue
        subject, body = digest_message(user, items)
        try:
            _deliver(user, subject, body)
        except Exception as error:
            logger.warning("Digest email to user %s failed: %r", user.pk, error)
            failed.append(user.pk)
            continue
        sent += 1
    return sent, failed
