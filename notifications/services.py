"""Writes of the « À traiter » list: make items for the people an event concerns, clear them, settle the
items done without a write (opened since made), and the preferences.

Items are made inside the transaction of the event (a transition, a transfer, a finished job): they are
committed with it or not at all. Their emails are sent by Celery once that transaction commits
(notifications/emails.py)."""

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from notifications.enums import KINDS_BY_ROLE, PATHWAY_KINDS, SUPERUSER_KINDS, Cleared, EmailStatus, Kind
from notifications.models import Notification, Preference

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    """What one event says, the same for each of its recipients."""

    kind: str
    key: str
    reference: str
    summary: str
    link: str
    pathway_id: int | None = None
    target_id: int | None = None


def pathway_link(pathway) -> str:
    """The household's page, at the pathway's panel."""
    return reverse("casework:household_detail", args=[pathway.household_id]) + f"#parcours-{pathway.pk}"


def pathway_reference(pathway) -> str:
    return f"P-{pathway.pk:06d}"


def household_reference(pathway) -> str:
    return f"M-{pathway.household_id:06d}"


def kinds_for(user) -> tuple[str, ...]:
    """The kinds `user` may receive (the preferences page offers these)."""
    if user.is_superuser:
        return SUPERUSER_KINDS
    return KINDS_BY_ROLE.get(user.role, ())


def pathway_followers(pathway, *, structure_id: int | None = None) -> list[User]:
    """Who follows a pathway: its designated caseworker, else the active caseworkers of its referent
    structure (`structure_id`, the pathway's by default)."""
    structure_id = structure_id or pathway.referent_structure_id
    if pathway.caseworker_id:
        caseworker = User.objects.filter(pk=pathway.caseworker_id, is_active=True).first()
        if caseworker is not None:
            return [caseworker]
    return list(structure_caseworkers(structure_id))


def structure_caseworkers(structure_id: int):
    return User.objects.filter(structures=structure_id, role=Role.CASEWORKER, is_active=True).order_by("pk")


def notify(*, item: Item, recipients: Iterable[User], by_id: int | None = None) -> list[Notification]:
    """Make `item` for each recipient (never for `by_id`, who did it), once per event and person: an
    event seen twice makes no second item. Their emails leave once the current transaction commits."""
    made = []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        if by_id is not None and user.pk == by_id:
            continue
        if not user.is_active or item.kind not in kinds_for(user):
            continue
        try:
            # A savepoint: a duplicate fails alone, not the event's transaction.
            with transaction.atomic():
                made.append(
                    Notification.objects.create(
                        recipient=user,
                        kind=item.kind,
                        key=item.key,
                        pathway_id=item.pathway_id,
                        target_id=item.target_id,
                        reference=item.reference,
                        summary=item.summary[:300],
                        link=item.link,
                    )
                )
        except IntegrityError:
            continue
    if made:
        schedule_emails([n.pk for n in made])
    return made


_without_emails: ContextVar[bool] = ContextVar("notifications_without_emails", default=False)


@contextmanager
def without_emails():
    """Items made inside this block send no email (the demo data, which plays years of history)."""
    token = _without_emails.set(True)
    try:
        yield
    finally:
        _without_emails.reset(token)


def schedule_emails(ids: list[int]) -> None:
    """Send the emails of these items once the transaction commits. A broker that cannot be reached
    leaves them pending: the sweep sends them later (notifications_sweep)."""
    from notifications.tasks import send_emails_task
    from project.background import SEND_ERRORS

    if _without_emails.get():
        mark_email(ids, EmailStatus.SKIPPED)
        return

    def send():
        try:
            send_emails_task.delay(ids)
        except SEND_ERRORS as error:
            logger.warning("Notification emails %s not sent (broker unreachable): %r", ids, error)

    # robust: an email that fails, in eager mode, never fails the request that made the item.
    transaction.on_commit(send, robust=True)


def notifications_clear(queryset, *, how: str) -> int:
    """Clear the items of `queryset` still waiting; returns how many."""
    return queryset.filter(cleared_at__isnull=True).update(cleared_at=timezone.now(), cleared_how=how)


def notification_clear(*, notification: Notification, by) -> bool:
    """« Marquer comme traité », by its recipient only."""
    if notification.recipient_id != by.pk:
        return False
    return bool(notifications_clear(Notification.objects.filter(pk=notification.pk), how=Cleared.MANUAL))


def notification_open(*, notification: Notification, by) -> str:
    """Opening an item from the list or an email clears it (except a proposal or a stalled pathway,
    which stay until answered or moved); returns its link."""
    if notification.kind not in (Kind.PROPOSAL, Kind.STALLED):
        notifications_clear(Notification.objects.filter(pk=notification.pk, recipient=by), how=Cleared.OPENED)
    return notification.link


def notifications_settle() -> int:
    """Write cleared_at on the items done by opening (NotificationQuerySet.opened_since_made)."""
    done = Notification.objects.opened_since_made().values("pk")
    return notifications_clear(Notification.objects.filter(pk__in=done), how=Cleared.OPENED)


def pathway_items_clear(*, pathway_id: int, kinds=(Kind.STALLED,), how: str = Cleared.RESOLVED) -> int:
    return notifications_clear(Notification.objects.filter(pathway_id=pathway_id, kind__in=kinds), how=how)


def pathway_items_clear_for_leavers(*, pathway) -> int:
    """After a transfer: the items of the pathway held by caseworkers who no longer see it go."""
    from pathways.models import PathwayShare

    structures = [
        pathway.referent_structure_id,
        *PathwayShare.objects.filter(pathway=pathway).values_list("structure", flat=True),
    ]
    seeing = User.objects.filter(structures__in=structures).values("pk")
    leavers = Notification.objects.filter(pathway=pathway, kind__in=PATHWAY_KINDS, recipient__role=Role.CASEWORKER)
    return notifications_clear(leavers.exclude(recipient__in=seeing), how=Cleared.RESOLVED)


# --- Preferences -----------------------------------------------------------------------------------------


def preferences_of(user) -> dict[str, Preference]:
    """Every kind `user` may receive, with its row or the defaults (unsaved)."""
    rows = {p.kind: p for p in Preference.objects.filter(user=user)}
    return {
        kind: rows.get(kind)
        or Preference(user=user, kind=kind, email=Preference.DEFAULT_EMAIL, digest=Preference.DEFAULT_DIGEST)
        for kind in kinds_for(user)
    }


@transaction.atomic
def preferences_set(*, user, choices: dict[str, tuple[bool, bool]]) -> None:
    """`choices`: {kind: (email, digest)} for the kinds `user` may receive."""
    from audit.enums import Action, Target
    from audit.services import audit_record

    allowed = set(kinds_for(user))
    changed = {}
    for kind, (email, digest) in choices.items():
        if kind not in allowed:
            continue
        row, _ = Preference.objects.get_or_create(
            user=user, kind=kind, defaults={"email": Preference.DEFAULT_EMAIL, "digest": Preference.DEFAULT_DIGEST}
        )
        if (row.email, row.digest) != (email, digest):
            changed[kind] = [f"{row.email}/{row.digest}", f"{email}/{digest}"]
            row.email, row.digest = email, digest
            row.save(update_fields=["email", "digest"])
    if changed:
        audit_record(
            user=user,
            action=Action.UPDATE,
            target=Target.ACCOUNT,
            target_id=user.pk,
            detail="préférences de notification",
            changes=changed,
        )


def wants_email(user, kind: str, preferences: dict | None = None) -> bool:
    preferences = preferences if preferences is not None else preferences_of(user)
    row = preferences.get(kind)
    return bool(row and row.email)


def mark_email(ids, status: str) -> None:
    fields = {"email_status": status}
    if status == EmailStatus.SENT:
        fields["emailed_at"] = timezone.now()
    Notification.objects.filter(pk__in=list(ids)).update(**fields)
