"""What a form showed of a pathway (stage, structure, caseworker) and, when the pathway changed before
the form was sent, what changed and who changed it, in words.

A form carries the state it was built on in a hidden field next to its version: the version detects
the change (pathways.services refuses it), this says which one."""

from django import forms

from audit.enums import Action
from audit.models import AuditEvent
from pathways.models import Pathway
from pathways.stages import STAGE_LABELS, stale_message
from territories.models import Structure


def seen_value(pathway) -> str:
    return f"{pathway.stage}:{pathway.referent_structure_id}:{pathway.caseworker_id or ''}"


def seen_field() -> forms.CharField:
    return forms.CharField(widget=forms.HiddenInput, required=False)


def parse_seen(value: str) -> dict | None:
    parts = (value or "").split(":")
    # Ids of at most 18 digits: a forged value never reaches the database as an out-of-range integer.
    if len(parts) != 3 or not all(
        part.isascii() and (part.isdigit() or not part) and len(part) <= 18 for part in parts[1:]
    ):
        return None
    return {"stage": parts[0], "structure": parts[1], "caseworker": parts[2]}


def changes_since(pathway, seen: dict | None) -> list[str] | None:
    """In words, how `pathway` (read again) differs from what a page showed (`parse_seen`); None when the
    page's state is unknown."""
    if seen is None:
        return None
    changes = []
    if seen["stage"] != pathway.stage:
        before = STAGE_LABELS.get(seen["stage"], seen["stage"])
        changes.append(f"son étape est passée de « {before} » à « {STAGE_LABELS[pathway.stage]} »")
    if seen["structure"] != str(pathway.referent_structure_id):
        before = Structure.objects.filter(pk=seen["structure"] or None).values_list("name", flat=True).first()
        changes.append(
            f"sa structure référente est passée de {before or 'une autre structure'} à {pathway.referent_structure.name}"
        )
    if seen["caseworker"] != str(pathway.caseworker_id or ""):
        if pathway.caseworker_id:
            changes.append(f"son référent ou sa référente est maintenant {pathway.caseworker}")
        else:
            changes.append("il n'a plus de référent ou de référente désigné")
    return changes


def who_changed(pathway, user) -> str:
    """The author of the latest change written to the audit log (reads are not changes)."""
    latest = (
        AuditEvent.objects.filter(
            household_id=pathway.household_id,
            target="pathway",
            target_id=pathway.pk,
            action__in=[Action.CREATE, Action.UPDATE],
        )
        .select_related("user")
        .order_by("-at", "-pk")
        .first()
    )
    if latest is None or latest.user_id is None:
        return "par un import ou le système"
    if latest.user_id == user.pk:
        return "par vous-même, dans un autre onglet ou une autre fenêtre"
    return f"par {latest.user}"


def stale_pathway_message(pathway_pk: int, seen: str, *, user) -> str:
    """The refusal of a form built on `seen` (seen_value) for a pathway changed since, read again."""
    pathway = Pathway.objects.select_related("referent_structure", "caseworker").get(pk=pathway_pk)
    now = f"il est maintenant à l'étape « {STAGE_LABELS[pathway.stage]} » depuis le {pathway.stage_on:%d/%m/%Y}"
    return stale_message(who=who_changed(pathway, user), changes=changes_since(pathway, parse_seen(seen)), now=now)
