"""« Bloqué » items: each day, the pathways of the stalled rule (Pathway.objects.stalled, the queue's
rule with its thresholds) get one item per follower, once per stall: the item's key holds the stage and
the last activity date, so a pathway still stalled the next day makes no new item, and one stalled again
after some activity makes a new one. Items of pathways no longer stalled (activity, an import) go."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from notifications.enums import Cleared, Kind
from notifications.models import Notification
from notifications.services import (
    Item,
    household_reference,
    kinds_for,
    notifications_clear,
    pathway_link,
    pathway_reference,
    schedule_emails,
)

CHUNK = 2000


@dataclass(frozen=True)
class StalledOutcome:
    stalled: int
    made: int
    cleared: int


def stall_key(pathway) -> str:
    return f"stalled:{pathway.pk}:{pathway.stage}:{pathway.last_activity_on:%Y-%m-%d}"


def _followers(pathways) -> dict[int, list]:
    """pathway pk -> its followers (designated caseworker, else its structure's caseworkers), in two
    queries whatever the number of pathways."""
    from accounts.enums import Role
    from accounts.models import User

    designated_ids = {p.caseworker_id for p in pathways if p.caseworker_id}
    designated = {u.pk: u for u in User.objects.filter(pk__in=designated_ids, is_active=True)}
    structure_ids = {p.referent_structure_id for p in pathways if designated.get(p.caseworker_id) is None}
    members = defaultdict(list)
    through = User.structures.through.objects.filter(
        structure_id__in=structure_ids, user__role=Role.CASEWORKER, user__is_active=True
    ).select_related("user")
    for row in through.order_by("user_id"):
        members[row.structure_id].append(row.user)
    return {
        p.pk: [designated[p.caseworker_id]] if p.caseworker_id in designated else members[p.referent_structure_id]
        for p in pathways
    }


def stalled_detect(*, on, dry_run: bool = False) -> StalledOutcome:
    from pathways.models import Pathway
    from pathways.stages import STAGE_LABELS

    stalled = list(
        Pathway.objects.stalled(on=on)
        .only("pk", "household_id", "caseworker_id", "referent_structure_id", "stage", "last_activity_on")
        .order_by("pk")
    )
    keys = {stall_key(p) for p in stalled}
    waiting = Notification.objects.filter(kind=Kind.STALLED, cleared_at__isnull=True)
    gone = [pk for pk, key in waiting.values_list("pk", "key") if key not in keys]
    if dry_run:
        existing = _existing_pairs(keys)
        followers = _followers(stalled)
        made = sum(
            1
            for p in stalled
            for u in followers[p.pk]
            if (u.pk, stall_key(p)) not in existing and Kind.STALLED in kinds_for(u)
        )
        return StalledOutcome(len(stalled), made, len(gone))
    with transaction.atomic():
        cleared = 0
        for start in range(0, len(gone), CHUNK):
            chunk = Notification.objects.filter(pk__in=gone[start : start + CHUNK])
            cleared += notifications_clear(chunk, how=Cleared.RESOLVED)
        existing = _existing_pairs(keys)
        followers = _followers(stalled)
        rows = []
        for p in stalled:
            key = stall_key(p)
            item = Item(
                kind=Kind.STALLED,
                key=key,
                reference=pathway_reference(p),
                summary=(
                    f"Parcours {pathway_reference(p)} (ménage {household_reference(p)}) sans activité depuis le "
                    f"{p.last_activity_on:%d/%m/%Y} à l'étape « {STAGE_LABELS[p.stage]} » ({p.days_inactive} jours, "
                    f"seuil {p.stall_threshold})."
                ),
                link=pathway_link(p),
                pathway_id=p.pk,
            )
            for user in followers[p.pk]:
                if (user.pk, key) in existing or Kind.STALLED not in kinds_for(user):
                    continue
                rows.append(
                    Notification(
                        recipient=user,
                        kind=item.kind,
                        key=item.key,
                        pathway_id=item.pathway_id,
                        reference=item.reference,
                        summary=item.summary,
                        link=item.link,
                    )
                )
        # Both databases return the new ids (RETURNING); one email per person for the day's new stalls
        # (emails.send_item_emails groups them).
        made = Notification.objects.bulk_create(rows, batch_size=CHUNK)
        if made:
            schedule_emails([n.pk for n in made])
    return StalledOutcome(len(stalled), len(rows), cleared)


def _existing_pairs(keys) -> dict[tuple[int, str], int]:
    """(recipient, key) -> pk of the items already made for these stalls, cleared or not (a stall
    marked as done by hand is not made again)."""
    keys = sorted(keys)
    pairs = {}
    for start in range(0, len(keys), CHUNK):
        rows = Notification.objects.filter(kind=Kind.STALLED, key__in=keys[start : start + CHUNK])
        for pk, recipient_id, key in rows.values_list("pk", "recipient_id", "key"):
            pairs[(recipient_id, key)] = pk
    return pairs
