"""Every write on households and pathways goes through these services (web, admin, import, API)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.enums import Action
from audit.services import audit_record
from pathways.enums import CREATION_STAGES, Stage
from pathways.models import (
    Assignment,
    Contact,
    Household,
    Measure,
    Member,
    Pathway,
    PathwayShare,
    Situation,
    Transition,
)
from pathways.stages import STAGE_LABELS, check_situation, check_transition


class StaleVersionError(ValidationError):
    """The form was built on a state of the pathway that has changed since."""


def _lock(pathway: Pathway, expected_version: int | None) -> Pathway:
    locked = Pathway.objects.select_for_update(of=("self",)).get(pk=pathway.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(
            "Ce parcours a été modifié entre-temps par une autre personne : il est maintenant à l'étape "
            f"« {STAGE_LABELS[locked.stage]} » depuis le {locked.stage_on:%d/%m/%Y}. "
            "Vérifiez son état puis recommencez."
        )
    return locked


def _log_change(by, pathway: Pathway, detail: str, *, action: str = Action.UPDATE) -> None:
    if by is not None:
        audit_record(
            user=by,
            action=action,
            target="pathway",
            target_id=pathway.pk,
            household_id=pathway.household_id,
            detail=detail,
        )


def _touch(pathway: Pathway, *, fields: list[str]) -> None:
    pathway.version += 1
    pathway.save(update_fields=[*fields, "version"])


@transaction.atomic
def household_create(
    *,
    composition: str,
    adults: int,
    children: int,
    members: list[dict],
    confidential: bool = False,
    created_on: date | None = None,
    by=None,
) -> Household:
    """`members`: dicts of last_name, first_name, birth_date, relationship."""
    household = Household(
        composition=composition,
        adults=adults,
        children=children,
        confidential=confidential,
        created_on=created_on or timezone.localdate(),
    )
    household.full_clean()
    household.save()
    for values in members:
        member = Member(household=household, **values)
        member.full_clean(exclude=["household", "search_name"])
        member.save()
    if by is not None:
        audit_record(
            user=by, action=Action.CREATE, target="household", target_id=household.pk, household_id=household.pk
        )
    return household


@transaction.atomic
def household_update(*, household: Household, members: list[dict], by=None, **fields) -> Household:
    """Replace the household's fields and members (`members` dicts may carry an `id` to keep a row)."""
    if household.anonymised_on:
        raise ValidationError(
            f"Ce dossier a été anonymisé le {household.anonymised_on:%d/%m/%Y} : ses personnes ne peuvent plus être modifiées."
        )
    for name, value in fields.items():
        setattr(household, name, value)
    household.full_clean()
    household.save()
    kept = []
    for values in members:
        values = dict(values)
        member_id = values.pop("id", None)
        member = household.members.get(pk=member_id) if member_id else Member(household=household)
        for name, value in values.items():
            setattr(member, name, value)
        member.full_clean(exclude=["household", "search_name"])
        member.save()
        kept.append(member.pk)
    household.members.exclude(pk__in=kept).delete()
    if by is not None:
        audit_record(
            user=by, action=Action.UPDATE, target="household", target_id=household.pk, household_id=household.pk
        )
    return household


@transaction.atomic
def pathway_open(
    *,
    household: Household,
    structure,
    commune,
    opened_on: date,
    by,
    stage: str = Stage.DEMANDE,
    dalo: bool = False,
    caseworker=None,
    situation: str = "",
    situation_since: date | None = None,
) -> Pathway:
    """Open a pathway in `reperage` or `demande`, with its initial transition and, if given, its
    current situation."""
    today = timezone.localdate()
    errors = check_transition(
        previous_stage=None,
        previous_date=None,
        to_stage=stage,
        on=opened_on,
        today=today,
        opened_on=opened_on,
        initial_stages=CREATION_STAGES,
    )
    if situation:
        errors.update(
            check_situation(situation=situation, since=situation_since or opened_on, today=today, taken_dates=())
        )
    if errors:
        raise ValidationError(errors)
    pathway = Pathway.objects.create(
        household=household,
        referent_structure=structure,
        caseworker=caseworker,
        commune=commune,
        opened_on=opened_on,
        dalo=dalo,
        stage=stage,
        stage_on=opened_on,
        last_activity_on=opened_on,
    )
    Transition.objects.create(pathway=pathway, seq=1, stage=stage, date=opened_on, recorded_by=by)
    Assignment.objects.create(pathway=pathway, structure=structure, caseworker=caseworker, recorded_by=by)
    if situation:
        Situation.objects.create(
            pathway=pathway, situation=situation, since=situation_since or opened_on, recorded_by=by
        )
    _log_change(by, pathway, f"ouverture ({stage})", action=Action.CREATE)
    return pathway


@transaction.atomic
def pathway_transition(
    *,
    pathway: Pathway,
    to_stage: str,
    on: date,
    by,
    housing_kind: str = "",
    housing_commune=None,
    landlord=None,
    reason: str = "",
    orientation: str = "",
    expected_version: int | None = None,
) -> Transition:
    """Move a pathway to `to_stage`, or raise ValidationError (French messages by field) and write nothing."""
    locked = _lock(pathway, expected_version)
    previous = locked.transitions.order_by("-seq").first()
    errors = check_transition(
        previous_stage=previous.stage,
        previous_date=previous.date,
        to_stage=to_stage,
        on=on,
        today=timezone.localdate(),
        housing_kind=housing_kind,
        has_housing_commune=housing_commune is not None,
        reason=reason,
    )
    if errors:
        raise ValidationError(errors)
    transition = Transition.objects.create(
        pathway=locked,
        seq=previous.seq + 1,
        stage=to_stage,
        date=on,
        housing_kind=housing_kind,
        housing_commune=housing_commune,
        landlord=landlord,
        reason=reason,
        orientation=orientation,
        recorded_by=by,
        # The dwelling of the latest lease (stages.chain_links): this one's, or the one before it held.
        dwelling_kind=housing_kind if to_stage == Stage.BAIL_SIGNE else previous.dwelling_kind,
        dwelling_commune=housing_commune if to_stage == Stage.BAIL_SIGNE else previous.dwelling_commune,
    )
    previous.next_stage, previous.next_date = to_stage, on
    previous.save(update_fields=["next_stage", "next_date"])
    locked.stage = to_stage
    locked.stage_on = on
    locked.last_activity_on = max(locked.last_activity_on, on)
    _touch(locked, fields=["stage", "stage_on", "last_activity_on"])
    pathway.stage, pathway.stage_on = locked.stage, locked.stage_on
    pathway.last_activity_on, pathway.version = locked.last_activity_on, locked.version
    _log_change(by, locked, f"étape {to_stage} le {on:%d/%m/%Y}")
    return transition


@transaction.atomic
def situation_record(
    *, pathway: Pathway, situation: str, since: date, by, expected_version: int | None = None
) -> Situation:
    locked = _lock(pathway, expected_version)
    errors = check_situation(
        situation=situation,
        since=since,
        today=timezone.localdate(),
        taken_dates=set(locked.situations.values_list("since", flat=True)),
    )
    if errors:
        raise ValidationError(errors)
    row = Situation.objects.create(pathway=locked, situation=situation, since=since, recorded_by=by)
    _touch(locked, fields=[])
    pathway.version = locked.version
    _log_change(by, locked, f"situation {situation} depuis le {since:%d/%m/%Y}")
    return row


@transaction.atomic
def contact_record(
    *, pathway: Pathway, on: date, kind: str, by, note: str = "", expected_version: int | None = None
) -> Contact:
    locked = _lock(pathway, expected_version)
    if on is None or on > timezone.localdate():
        raise ValidationError({"date": "La date du contact ne peut pas être dans le futur."})
    contact = Contact(pathway=locked, date=on, kind=kind, note=note, recorded_by=by)
    contact.full_clean()
    contact.save()
    locked.last_activity_on = max(locked.last_activity_on, on)
    _touch(locked, fields=["last_activity_on"])
    pathway.last_activity_on, pathway.version = locked.last_activity_on, locked.version
    _log_change(by, locked, f"contact {kind} le {on:%d/%m/%Y}")
    return contact


@transaction.atomic
def measure_open(
    *, pathway: Pathway, kind: str, started_on: date, by, provider=None, expected_version: int | None = None
) -> Measure:
    if expected_version is not None:
        _lock(pathway, expected_version)
    if started_on is None or started_on > timezone.localdate():
        raise ValidationError({"started_on": "La date de début ne peut pas être dans le futur."})
    measure = Measure(pathway=pathway, kind=kind, provider=provider, started_on=started_on, recorded_by=by)
    measure.full_clean()
    measure.save()
    _log_change(by, pathway, f"mesure {kind} ouverte")
    return measure


@transaction.atomic
def measure_close(*, measure: Measure, ended_on: date, by, expected_version: int | None = None) -> Measure:
    if expected_version is not None:
        _lock(measure.pathway, expected_version)
    if measure.ended_on is not None:
        raise ValidationError({"ended_on": "Cette mesure est déjà close."})
    if ended_on is None or ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "La date de fin ne peut pas être dans le futur."})
    if ended_on < measure.started_on:
        raise ValidationError({"ended_on": "La date de fin précède la date de début de la mesure."})
    measure.ended_on = ended_on
    measure.save(update_fields=["ended_on"])
    _log_change(by, measure.pathway, f"mesure {measure.kind} close")
    return measure


@transaction.atomic
def pathway_assign(
    *, pathway: Pathway, structure, by, caseworker=None, note: str = "", expected_version: int | None = None
) -> Assignment:
    """Transfer a pathway to another structure and/or caseworker, keeping who held it before."""
    locked = _lock(pathway, expected_version)
    if caseworker is not None and structure.pk not in caseworker.structure_ids:
        raise ValidationError({"caseworker": "Ce référent n'appartient pas à la structure choisie."})
    locked.referent_structure = structure
    locked.caseworker = caseworker
    _touch(locked, fields=["referent_structure", "caseworker"])
    pathway.referent_structure, pathway.caseworker, pathway.version = structure, caseworker, locked.version
    assignment = Assignment.objects.create(
        pathway=locked, structure=structure, caseworker=caseworker, note=note, recorded_by=by
    )
    _log_change(by, locked, f"affecté à {structure}")
    return assignment


def pathway_share(*, pathway: Pathway, structure, by) -> PathwayShare:
    """Let the caseworkers of another structure see the pathway (roles.md); its referent stays."""
    if structure.pk == pathway.referent_structure_id:
        raise ValidationError(
            {"structure": f"{structure} est la structure référente de ce parcours : elle le voit déjà."}
        )
    try:
        # A savepoint, so that a share created meanwhile by someone else fails alone, not the request.
        with transaction.atomic():
            share = PathwayShare.objects.create(pathway=pathway, structure=structure)
    except IntegrityError:
        raise ValidationError({"structure": f"Ce parcours est déjà partagé avec {structure}."}) from None
    _log_change(by, pathway, f"partagé avec {structure}")
    return share


def pathway_unshare(*, pathway: Pathway, structure, by) -> None:
    """Stop sharing the pathway with a structure: its caseworkers no longer see it."""
    deleted, _ = PathwayShare.objects.filter(pathway=pathway, structure=structure).delete()
    if not deleted:
        raise ValidationError({"structure": f"Ce parcours n'est pas partagé avec {structure}."})
    _log_change(by, pathway, f"partage avec {structure} retiré")
