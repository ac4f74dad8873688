"""The events that make « À traiter » items, read from the rows that record them (connected in
NotificationsConfig.ready), so that no service has to call us:

- a new Transition to `oriente`: an orientation for the pathway's followers; any new Transition or
  Contact is activity, which clears the pathway's « bloqué » items;
- a new Assignment after the first one (the first is the pathway's opening): a transfer, for the
  caseworkers of the new structure and the designated caseworker (a transfer, or the end of a share,
  takes its items from those who no longer see the pathway);
- an ImportJob or a BilanRun saved in a finished state: for who asked for it (a failure written with
  .update() sends no signal: the sweep catches those, notifications/sweep.py);
- an Invitation saved with its used_at: for who sent it;
- a new pending Proposal (places): for the caseworkers of the place's structure and the pathway's
  followers; its items go once it is answered or withdrawn.

Imports write their rows with COPY or bulk_create, which send no signal: no item per imported row."""

from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone

from notifications.enums import Cleared, Kind
from notifications.models import Notification
from notifications.services import (
    Item,
    household_reference,
    notifications_clear,
    notify,
    pathway_followers,
    pathway_items_clear,
    pathway_items_clear_for_leavers,
    pathway_link,
    pathway_reference,
    structure_caseworkers,
)

# The stages an orientation is decided from (pathways.enums.TRANSITIONS): every other way to `oriente`
# is a return to the queue.
ORIENTATION_FROM = ("reperage", "demande", "attente_orientation")


def _pathway_ids(pathway) -> str:
    return f"{pathway_reference(pathway)} (ménage {household_reference(pathway)})"


def on_transition(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    from pathways.enums import Stage

    pathway_items_clear(pathway_id=instance.pathway_id, kinds=(Kind.STALLED,), how=Cleared.ACTED)
    if instance.stage != Stage.ORIENTE:
        return
    # A decision, not a return to the queue (a declined proposal, a refused attribution).
    previous = sender.objects.filter(pathway_id=instance.pathway_id, seq=instance.seq - 1).values("stage").first()
    if previous is None or previous["stage"] not in ORIENTATION_FROM:
        return
    pathway = instance.pathway
    target = f" vers : {instance.get_orientation_display()}" if instance.orientation else ""
    item = Item(
        kind=Kind.ORIENTATION,
        key=f"transition:{instance.pk}",
        reference=pathway_reference(pathway),
        summary=f"Orientation décidée le {instance.date:%d/%m/%Y} pour le parcours {_pathway_ids(pathway)}{target}.",
        link=pathway_link(pathway),
        pathway_id=pathway.pk,
        target_id=instance.pk,
    )
    notify(item=item, recipients=pathway_followers(pathway), by_id=instance.recorded_by_id)


def on_contact(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        pathway_items_clear(pathway_id=instance.pathway_id, kinds=(Kind.STALLED,), how=Cleared.ACTED)


def on_assignment(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    previous = (
        sender.objects.filter(pathway_id=instance.pathway_id, pk__lt=instance.pk)
        .order_by("-pk")
        .values("structure_id", "caseworker_id")
        .first()
    )
    if previous is None:
        return  # the pathway's opening, not a transfer
    pathway = instance.pathway
    moved = previous["structure_id"] != instance.structure_id
    if moved:
        recipients = [*structure_caseworkers(instance.structure_id), instance.caseworker]
        summary = f"Parcours {_pathway_ids(pathway)} transféré à {instance.structure}"
        if instance.caseworker_id:
            summary += f", référent : {instance.caseworker}"
        pathway_items_clear_for_leavers(pathway=pathway)
    elif instance.caseworker_id and instance.caseworker_id != previous["caseworker_id"]:
        recipients = [instance.caseworker]
        summary = f"Parcours {_pathway_ids(pathway)} confié à {instance.caseworker} ({instance.structure})"
    else:
        return
    item = Item(
        kind=Kind.TRANSFER,
        key=f"assignment:{instance.pk}",
        reference=pathway_reference(pathway),
        summary=summary + ".",
        link=pathway_link(pathway),
        pathway_id=pathway.pk,
        target_id=instance.pk,
    )
    notify(item=item, recipients=recipients, by_id=instance.recorded_by_id)


def on_share_removed(sender, instance, **kwargs):
    """A share ended: its structure's caseworkers who no longer see the pathway lose its items."""
    from pathways.models import Pathway

    pathway = Pathway.objects.filter(pk=instance.pathway_id).first()
    if pathway is not None:  # not when the pathway itself goes
        pathway_items_clear_for_leavers(pathway=pathway)


def _saved_status(instance, update_fields) -> bool:
    return update_fields is None or "status" in update_fields


def import_job_item(job) -> Item:
    from pathways.enums import ImportStatus

    if job.status == ImportStatus.DONE:
        outcome = "simulation terminée, rien n'a été écrit" if job.dry_run else "terminé"
    elif job.error_count:
        outcome = f"refusé, {job.error_count} erreur(s)"
    else:
        outcome = "en échec"
    uploaded = timezone.localtime(job.uploaded_at)
    # Not the file's name: it is chosen by whoever made the file, and an email leaves the system.
    return Item(
        kind=Kind.IMPORT_FINISHED,
        key=f"import:{job.pk}",
        reference=f"Import n° {job.pk}",
        summary=f"Import n° {job.pk} déposé le {uploaded:%d/%m/%Y à %H:%M} : {outcome}.",
        link=reverse("exchange:job_detail", args=[job.pk]),
        target_id=job.pk,
    )


def on_import_job(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not instance.is_finished or not _saved_status(instance, update_fields):
        return
    notify(item=import_job_item(instance), recipients=[instance.uploaded_by])


def bilan_run_item(run) -> Item:
    from reports.enums import RunStatus

    outcome = "calculé" if run.status == RunStatus.DONE else "en échec"
    return Item(
        kind=Kind.BILAN_FINISHED,
        key=f"bilan:{run.pk}",
        reference=f"Bilan n° {run.pk}",
        summary=f"Bilan {run.territory_name} du {run.start:%d/%m/%Y} au {run.end:%d/%m/%Y} : {outcome}.",
        link=reverse("reports:run_detail", args=[run.pk]),
        target_id=run.pk,
    )


def on_bilan_run(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not instance.is_finished or not _saved_status(instance, update_fields):
        return
    notify(item=bilan_run_item(instance), recipients=[instance.requested_by])


def on_invitation(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or instance.used_at is None or not instance.created_by_id:
        return
    if update_fields is not None and "used_at" not in update_fields:
        return
    account = instance.user
    item = Item(
        kind=Kind.INVITATION_ACCEPTED,
        key=f"invitation:{instance.pk}",
        reference=f"Compte {account.username}"[:40],
        summary=f"{account} ({account.username}) a accepté son invitation et choisi son mot de passe.",
        link=reverse("admin:accounts_user_change", args=[account.pk]),
        target_id=account.pk,
    )
    notify(item=item, recipients=[instance.created_by])


def on_proposal(sender, instance, created, raw=False, update_fields=None, **kwargs):
    """A new pending proposal waits for the answer of the place's structure and of the household (its
    followers record it); answered or withdrawn, its items go."""
    from places.enums import ProposalStatus

    if raw:
        return
    key = f"proposal:{instance.pk}"
    if instance.status != ProposalStatus.PENDING:
        notifications_clear(Notification.objects.filter(kind=Kind.PROPOSAL, key=key), how=Cleared.ACTED)
        return
    if not created:
        return
    pathway, place = instance.pathway, instance.place
    site = place.site
    item = Item(
        kind=Kind.PROPOSAL,
        key=key,
        reference=instance.reference,
        summary=(
            f"Proposition {instance.reference} du {instance.proposed_on:%d/%m/%Y} : parcours {_pathway_ids(pathway)} "
            f"proposé sur la place {place.reference} ({site}), en attente de réponse."
        ),
        link=reverse("places:proposal_answer", args=[instance.pk]),
        # Not tied to the pathway: the place's structure answers without seeing the pathway otherwise.
        target_id=instance.pk,
    )
    recipients = [*structure_caseworkers(site.structure_id), *pathway_followers(pathway)]
    notify(item=item, recipients=recipients, by_id=instance.proposed_by_id)


def connect() -> None:
    from accounts.models import Invitation
    from pathways.models import Assignment, Contact, ImportJob, PathwayShare, Transition
    from places.models import Proposal
    from reports.models import BilanRun

    post_save.connect(on_transition, sender=Transition, dispatch_uid="notifications.transition")
    post_save.connect(on_contact, sender=Contact, dispatch_uid="notifications.contact")
    post_save.connect(on_assignment, sender=Assignment, dispatch_uid="notifications.assignment")
    post_delete.connect(on_share_removed, sender=PathwayShare, dispatch_uid="notifications.share_removed")
    post_save.connect(on_import_job, sender=ImportJob, dispatch_uid="notifications.import_job")
    post_save.connect(on_bilan_run, sender=BilanRun, dispatch_uid="notifications.bilan_run")
    post_save.connect(on_invitation, sender=Invitation, dispatch_uid="notifications.invitation")
    post_save.connect(on_proposal, sender=Proposal, dispatch_uid="notifications.proposal")
