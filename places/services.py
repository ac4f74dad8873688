"""Every write on places, proposals and occupancies (web, demo, import). Each service locks its rows, the
pathway first, then the place (the order pathway_transition follows when it carries a place along), writes
its rows with who and when, and logs the change in the audit log; a refusal is a ValidationError with
French messages by field, and nothing is written."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.enums import Action, Target
from audit.services import audit_record, changes_between
from pathways.enums import CLOSED_STAGES, Stage
from pathways.models import Pathway
from places.enums import (
    DECLINED_STATUSES,
    REASONS_BY_STATUS,
    DeclineReason,
    OccupancyEnd,
    PlaceState,
    ProposalStatus,
    UnavailableReason,
)
from places.models import Occupancy, Place, PlaceEvent, PlacementNeeds, Proposal

# The audit log's target for places (a place's own changes name no household).
AUDIT_TARGET = Target.PLACE
# Stages in which a pathway keeps the place it was proposed or given: leaving them frees the place.
HOLDING_STAGES = (Stage.PROPOSITION, Stage.CALEOL, Stage.ATTRIBUE, Stage.BAIL_SIGNE, Stage.ENTREE, Stage.MAINTIEN)
STATE_LABELS = dict(PlaceState.choices)


class StalePlaceError(ValidationError):
    """The form was built on a state of the place that has changed since."""


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _check_day(on, field: str = "date") -> None:
    if on is None:
        raise ValidationError({field: "La date est obligatoire."})
    if on > timezone.localdate():
        raise ValidationError({field: "La date ne peut pas être dans le futur."})


def _lock_place(place: Place, expected_version: int | None = None) -> Place:
    locked = Place.objects.select_for_update(of=("self",)).get(pk=place.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StalePlaceError(
            f"Cette place a été modifiée entre-temps : elle est maintenant « {STATE_LABELS[locked.state]} » "
            f"depuis le {_fr(locked.state_since)}. Vérifiez son état puis recommencez."
        )
    return locked


def _lock_pathway(pathway: Pathway) -> Pathway:
    return Pathway.objects.select_for_update(of=("self",)).get(pk=pathway.pk)


def _set_state(place: Place, state: str, *, on: date, by, pathway=None, proposal=None, reason="", note="") -> None:
    """Move the (locked) place to `state` on `on`, with its history row."""
    if state == PlaceState.VACANT and place.state not in (PlaceState.VACANT, PlaceState.PROPOSED):
        place.vacant_since = on
    elif state not in (PlaceState.VACANT, PlaceState.PROPOSED):
        place.vacant_since = None
    place.state = state
    place.state_since = on
    place.pathway = pathway
    place.unavailable_reason = reason
    place.version += 1
    place.save(update_fields=["state", "state_since", "vacant_since", "pathway", "unavailable_reason", "version"])
    PlaceEvent.objects.create(
        place=place,
        state=state,
        on=on,
        unavailable_reason=reason,
        pathway=pathway,
        proposal=proposal,
        note=note[:300],
        recorded_by=by,
    )


def _log(by, place: Place, detail: str, *, action=Action.UPDATE, changes=None, household_id=None) -> None:
    if by is not None:
        audit_record(
            user=by,
            action=action,
            target=AUDIT_TARGET,
            target_id=place.pk,
            household_id=household_id,
            detail=detail,
            changes=changes,
        )


def _sync(instance, locked) -> None:
    for column in type(locked)._meta.concrete_fields:
        setattr(instance, column.attname, getattr(locked, column.attname))


# --- Places ---------------------------------------------------------------------------------------------


def place_errors(*, persons_min, persons_max, bedrooms) -> dict[str, str]:
    errors = {}
    if persons_min is None or persons_min < 1:
        errors["persons_min"] = "Une place accueille au moins une personne."
    if persons_max is None or (persons_min and persons_max < persons_min):
        errors["persons_max"] = "Le nombre maximum de personnes doit être au moins égal au minimum."
    if bedrooms is None or bedrooms < 0:
        errors["bedrooms"] = "Indiquez le nombre de chambres (0 pour un studio)."
    return errors


@transaction.atomic
def place_create(
    *,
    site,
    label: str,
    by,
    kind: str = "",
    persons_min: int = 1,
    persons_max: int = 1,
    bedrooms: int = 1,
    reduced_mobility: bool = False,
    pets_allowed: bool = False,
    vacant_from: date | None = None,
    external_id: str | None = None,
) -> Place:
    """A new place of `site`, vacant from `vacant_from` (today by default)."""
    on = vacant_from or timezone.localdate()
    errors = place_errors(persons_min=persons_min, persons_max=persons_max, bedrooms=bedrooms)
    if not label.strip():
        errors["label"] = "La désignation de la place est obligatoire."
    if on > timezone.localdate():
        errors["vacant_from"] = "La date ne peut pas être dans le futur."
    if site.closed_on and site.closed_on <= on:
        errors["vacant_from"] = f"Ce site est fermé depuis le {_fr(site.closed_on)}."
    if errors:
        raise ValidationError(errors)
    place = Place.objects.create(
        site=site,
        label=label.strip(),
        kind=kind or site.kind,
        persons_min=persons_min,
        persons_max=persons_max,
        bedrooms=bedrooms,
        reduced_mobility=reduced_mobility,
        pets_allowed=pets_allowed,
        state=PlaceState.VACANT,
        state_since=on,
        vacant_since=on,
        external_id=external_id,
        created_by=by,
    )
    PlaceEvent.objects.create(place=place, state=PlaceState.VACANT, on=on, recorded_by=by, note="place créée")
    created = changes_between(
        {},
        {
            "site": site.pk,
            "label": place.label,
            "kind": place.kind,
            "persons_min": persons_min,
            "persons_max": persons_max,
            "bedrooms": bedrooms,
            "reduced_mobility": reduced_mobility,
            "pets_allowed": pets_allowed,
            "vacant_since": on,
        },
    )
    _log(by, place, f"place créée, vacante le {_fr(on)}", action=Action.CREATE, changes=created)
    return place


@transaction.atomic
def place_declare_vacant(*, place: Place, on: date, by, expected_version: int | None = None) -> Place:
    """A place freed on `on`: back in service after unavailability, or its occupant gone (the occupancy
    ends on `on`). A place proposed to a household waits for the answer first."""
    _check_day(on)
    locked = _lock_place(place, expected_version)
    if locked.state == PlaceState.VACANT:
        raise ValidationError({"date": f"Cette place est déjà vacante depuis le {_fr(locked.vacant_since)}."})
    if locked.state == PlaceState.PROPOSED:
        raise ValidationError(
            {"date": "Cette place est proposée à un ménage : enregistrez d'abord la réponse à la proposition."}
        )
    if on < locked.state_since:
        raise ValidationError(
            {"date": f"La date ne peut pas précéder le changement d'état précédent ({_fr(locked.state_since)})."}
        )
    before = {"state": locked.state, "pathway": locked.pathway_id}
    household_id = None
    if locked.state == PlaceState.OCCUPIED:
        occupancy = locked.occupancies.get(ended_on__isnull=True)
        household_id = locked.pathway.household_id
        _end_occupancy(occupancy, on=on, by=by, reason=OccupancyEnd.DEPART)
    _set_state(locked, PlaceState.VACANT, on=on, by=by, note="place libérée")
    _log(
        by,
        locked,
        f"place libérée le {_fr(on)}",
        changes=changes_between(before, {"state": locked.state, "vacant_since": on}),
        household_id=household_id,
    )
    _sync(place, locked)
    return locked


@transaction.atomic
def place_mark_unavailable(
    *, place: Place, on: date, reason: str, by, note: str = "", expected_version: int | None = None
) -> Place:
    """A vacant place out of service from `on` (works, closed...)."""
    _check_day(on)
    if reason not in UnavailableReason.values:
        raise ValidationError({"reason": "Choisissez le motif d'indisponibilité."})
    locked = _lock_place(place, expected_version)
    if locked.state != PlaceState.VACANT:
        raise ValidationError(
            {
                "reason": f"Seule une place vacante peut être déclarée indisponible ; celle-ci est « {STATE_LABELS[locked.state]} »."
            }
        )
    if on < locked.state_since:
        raise ValidationError(
            {"date": f"La date ne peut pas précéder le changement d'état précédent ({_fr(locked.state_since)})."}
        )
    _set_state(locked, PlaceState.UNAVAILABLE, on=on, by=by, reason=reason, note=note)
    _log(
        by,
        locked,
        f"place indisponible le {_fr(on)} ({reason})",
        changes=changes_between({"state": PlaceState.VACANT}, {"state": locked.state, "unavailable_reason": reason}),
    )
    _sync(place, locked)
    return locked


@transaction.atomic
def placement_needs_record(
    *, pathway: Pathway, by, reduced_mobility: bool = False, pets: bool = False, wished_commune=None
) -> PlacementNeeds:
    """What the household needs of a place (read by matching)."""
    needs, _created = PlacementNeeds.objects.select_for_update().get_or_create(pathway=pathway)
    before = {"reduced_mobility": needs.reduced_mobility, "pets": needs.pets, "wished_commune": needs.wished_commune_id}
    needs.reduced_mobility, needs.pets, needs.wished_commune = reduced_mobility, pets, wished_commune
    needs.updated_by, needs.updated_at = by, timezone.now()
    needs.save()
    after = {"reduced_mobility": reduced_mobility, "pets": pets, "wished_commune": needs.wished_commune_id}
    if by is not None:
        audit_record(
            user=by,
            action=Action.UPDATE,
            target="pathway",
            target_id=pathway.pk,
            household_id=pathway.household_id,
            detail="besoins pour une place",
            changes=changes_between(before, after),
        )
    return needs


# --- Proposals ------------------------------------------------------------------------------------------


def waiting_since_of(pathway: Pathway) -> date:
    """Since when the (locked) pathway waits for a place: its orientation date, or, back in `oriente`
    after a declined or withdrawn proposal, the wait that proposal had kept."""
    kept = (
        Proposal.objects.filter(pathway=pathway, answered_on=pathway.stage_on)
        .exclude(status=ProposalStatus.PENDING)
        .exclude(status=ProposalStatus.ACCEPTED)
        .order_by("-pk")
        .values_list("waiting_since", flat=True)
        .first()
    )
    return kept or pathway.stage_on


@transaction.atomic
def proposal_create(
    *,
    place: Place,
    pathway: Pathway,
    on: date,
    by,
    note: str = "",
    expected_version: int | None = None,
    expected_place_version: int | None = None,
) -> Proposal:
    """Propose the household of `pathway` (at stage `oriente`) on the vacant `place`: the proposal row,
    the place proposed, and the pathway moved to `proposition` by the stage service, in one transaction.
    Two proposals on one place at once are refused (row lock, then the database's constraint)."""
    from pathways.services import pathway_transition

    _check_day(on)
    locked_pathway = _lock_pathway(pathway)
    locked = _lock_place(place, expected_place_version)
    if locked.state != PlaceState.VACANT:
        raise ValidationError(
            {
                "place": f"Cette place n'est plus vacante : elle est « {STATE_LABELS[locked.state]} » depuis le {_fr(locked.state_since)}."
            }
        )
    if locked_pathway.stage != Stage.ORIENTE:
        raise ValidationError(
            {
                "pathway": f"Seul un ménage orienté peut être proposé sur une place ({locked_pathway.reference} est à une autre étape)."
            }
        )
    if Place.objects.filter(pathway=locked_pathway).exists():
        raise ValidationError({"pathway": "Ce ménage est déjà proposé sur une place ou en occupe une."})
    if not locked.fits_size(locked_pathway.household.size):
        raise ValidationError(
            {"pathway": f"Cette place accueille de {locked.persons_min} à {locked.persons_max} personne(s)."}
        )
    if on < locked.state_since:
        raise ValidationError({"date": f"La place n'est vacante que depuis le {_fr(locked.state_since)}."})
    waiting_since = waiting_since_of(locked_pathway)
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                place=locked,
                pathway=locked_pathway,
                proposed_on=on,
                proposed_by=by,
                waiting_since=waiting_since,
                note=note,
            )
    except IntegrityError:
        raise ValidationError(
            {"place": "Cette place ou ce ménage fait déjà l'objet d'une proposition en cours."}
        ) from None
    pathway_transition(
        pathway=pathway,
        to_stage=Stage.PROPOSITION,
        on=on,
        by=by,
        reason=f"Proposition {proposal.reference} : {locked.label}, {locked.site}",
        expected_version=expected_version,
    )
    _set_state(locked, PlaceState.PROPOSED, on=on, by=by, pathway=locked_pathway, proposal=proposal)
    _log(
        by,
        locked,
        f"proposition {proposal.reference} de {locked_pathway.reference}",
        action=Action.CREATE,
        household_id=locked_pathway.household_id,
        changes=changes_between({}, {"proposal": proposal.pk, "pathway": locked_pathway.pk, "proposed_on": on}),
    )
    _sync(place, locked)
    return proposal


def answer_errors(*, status: str, reason: str, note: str, on, proposed_on) -> dict[str, str]:
    errors = {}
    if status not in (ProposalStatus.ACCEPTED, *DECLINED_STATUSES):
        errors["status"] = "Choisissez la réponse : acceptée, refusée par la structure ou refusée par le ménage."
    elif status in DECLINED_STATUSES:
        if reason not in REASONS_BY_STATUS[status]:
            errors["reason"] = "Choisissez le motif du refus dans la liste."
        elif reason == DeclineReason.AUTRE and not note.strip():
            errors["note"] = "Précisez le motif du refus."
    elif reason:
        errors["reason"] = "Une proposition acceptée n'a pas de motif de refus."
    if on is None:
        errors["date"] = "La date est obligatoire."
    elif on > timezone.localdate():
        errors["date"] = "La date ne peut pas être dans le futur."
    elif proposed_on and on < proposed_on:
        errors["date"] = f"La réponse ne peut pas précéder la proposition ({_fr(proposed_on)})."
    return errors


@transaction.atomic
def proposal_answer(*, proposal: Proposal, status: str, on: date, by, reason: str = "", note: str = "") -> Proposal:
    """Record the answer to a pending proposal. Accepted: the place is occupied by the pathway (its
    stages go on through the pathway's own actions, up to the entry, which dates the occupancy).
    Declined (by the structure or the household, with a coded reason): the place is vacant again, its
    vacancy kept, and the pathway back to `oriente` by the stage service, its wait kept for matching."""
    from pathways.services import pathway_transition

    locked_pathway = _lock_pathway(proposal.pathway)
    place = _lock_place(proposal.place)
    current = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    if not current.is_pending:
        raise ValidationError(
            {"status": f"Cette proposition a déjà reçu une réponse : « {current.get_status_display()} »."}
        )
    errors = answer_errors(status=status, reason=reason, note=note, on=on, proposed_on=current.proposed_on)
    if errors:
        raise ValidationError(errors)
    current.status = status
    current.decline_reason = reason if status in DECLINED_STATUSES else ""
    current.answered_on, current.answered_by, current.answered_at = on, by, timezone.now()
    if note.strip():
        current.note = "\n".join(filter(None, [current.note, note.strip()]))
    current.save(update_fields=["status", "decline_reason", "answered_on", "answered_by", "answered_at", "note"])
    if status == ProposalStatus.ACCEPTED:
        Occupancy.objects.create(place=place, pathway=locked_pathway, proposal=current, reserved_on=on, recorded_by=by)
        _set_state(place, PlaceState.OCCUPIED, on=on, by=by, pathway=locked_pathway, proposal=current)
        detail = f"proposition {current.reference} acceptée"
    else:
        _set_state(place, PlaceState.VACANT, on=on, by=by, proposal=current, note="proposition refusée")
        pathway_transition(
            pathway=locked_pathway,
            to_stage=Stage.ORIENTE,
            on=on,
            by=by,
            reason=f"Proposition {current.reference} {current.get_status_display().lower()} : "
            f"{current.get_decline_reason_display()}",
        )
        detail = f"proposition {current.reference} {status} ({reason})"
    _log(
        by,
        place,
        detail,
        household_id=locked_pathway.household_id,
        changes=changes_between(
            {"status": ProposalStatus.PENDING},
            {"status": status, "decline_reason": current.decline_reason or None, "answered_on": on},
        ),
    )
    _sync(proposal, current)
    return current


# --- Occupancies ----------------------------------------------------------------------------------------


def _end_occupancy(occupancy: Occupancy, *, on: date, by, reason: str) -> None:
    occupancy.ended_on = max(on, occupancy.reserved_on)
    occupancy.end_reason = reason
    occupancy.ended_by, occupancy.ended_at = by, timezone.now()
    occupancy.save(update_fields=["ended_on", "end_reason", "ended_by", "ended_at"])


def place_follow_transition(*, pathway: Pathway, previous_stage: str, to_stage: str, on: date, by) -> None:
    """Called by pathways.services.pathway_transition (the pathway locked) after every stage change: the
    place a pathway holds follows its stages. The entry dates the occupancy; leaving the stages that hold
    a place (back to the queue, a closure) withdraws a pending proposal or ends the occupancy, and the
    place is vacant again. Pathways that held no place cost no query."""
    if previous_stage not in HOLDING_STAGES or to_stage == previous_stage:
        return
    if to_stage in (Stage.CALEOL, Stage.ATTRIBUE, Stage.MAINTIEN):
        return
    place = Place.objects.select_for_update(of=("self",)).filter(pathway=pathway).first()
    if place is None:
        return
    if to_stage in (Stage.BAIL_SIGNE, Stage.ENTREE) and place.state == PlaceState.PROPOSED:
        # A lease or an entry on the place proposed, its answer never recorded: the proposal was accepted.
        proposal = place.proposals.select_for_update(of=("self",)).get(status=ProposalStatus.PENDING)
        proposal.status = ProposalStatus.ACCEPTED
        proposal.answered_on, proposal.answered_by, proposal.answered_at = on, by, timezone.now()
        proposal.save(update_fields=["status", "answered_on", "answered_by", "answered_at"])
        Occupancy.objects.create(place=place, pathway=pathway, proposal=proposal, reserved_on=on, recorded_by=by)
        _set_state(place, PlaceState.OCCUPIED, on=on, by=by, pathway=pathway, proposal=proposal, note="bail ou entrée")
        _log(
            by,
            place,
            f"proposition {proposal.reference} acceptée (étape {to_stage})",
            household_id=pathway.household_id,
        )
    if to_stage == Stage.BAIL_SIGNE:
        return
    if to_stage == Stage.ENTREE:
        occupancy = place.occupancies.filter(ended_on__isnull=True, pathway=pathway, started_on__isnull=True).first()
        if occupancy is not None:
            occupancy.started_on = max(on, occupancy.reserved_on)
            occupancy.save(update_fields=["started_on"])
            _log(by, place, f"entrée le {_fr(on)} de {pathway.reference}", household_id=pathway.household_id)
        return
    # Back to the queue (oriente, attente d'orientation) or closed: the place is freed.
    if place.state == PlaceState.PROPOSED:
        proposal = place.proposals.filter(status=ProposalStatus.PENDING).first()
        if proposal is not None:
            proposal.status = ProposalStatus.WITHDRAWN
            proposal.answered_on, proposal.answered_by, proposal.answered_at = on, by, timezone.now()
            proposal.save(update_fields=["status", "answered_on", "answered_by", "answered_at"])
        _set_state(
            place,
            PlaceState.VACANT,
            on=max(on, place.state_since),
            by=by,
            proposal=proposal,
            note="proposition retirée",
        )
        detail = f"proposition retirée ({pathway.reference} à l'étape {to_stage})"
    else:
        occupancy = place.occupancies.filter(ended_on__isnull=True).first()
        if occupancy is not None:
            if occupancy.started_on is None:
                reason = OccupancyEnd.NON_ENTREE
            else:
                reason = OccupancyEnd.FIN_SEJOUR if to_stage in CLOSED_STAGES else OccupancyEnd.DEPART
            _end_occupancy(occupancy, on=on, by=by, reason=reason)
        _set_state(place, PlaceState.VACANT, on=max(on, place.state_since), by=by, note="occupation terminée")
        detail = f"place libérée ({pathway.reference} à l'étape {to_stage})"
    _log(by, place, detail, household_id=pathway.household_id)
