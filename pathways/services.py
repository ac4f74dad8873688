"""Every write on households and pathways goes through these services (web, admin, import, API)."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.enums import Action
from audit.services import audit_record, changes_between
from facts.refresh import refresh_facts
from pathways.composition import composition_errors
from pathways.enums import CREATION_STAGES, Stage
from pathways.models import (
    Assignment,
    Contact,
    Household,
    Measure,
    Member,
    Pathway,
    PathwayShare,
    Reminder,
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


def _log_change(by, pathway: Pathway, detail: str, *, action: str = Action.UPDATE, changes=None) -> None:
    if by is not None:
        audit_record(
            user=by,
            action=action,
            target="pathway",
            target_id=pathway.pk,
            household_id=pathway.household_id,
            detail=detail,
            changes=changes,
        )


def _new_values(**values) -> dict:
    """The before/after of a row created: {field: [None, value]} for the values given."""
    return changes_between({}, {name: value for name, value in values.items() if value not in (None, "")})


def _household_values(household: Household, members) -> dict:
    """A household and its members as flat values, so that changes_between gives the before/after of
    an edit, member by member ("membre 12 : last_name")."""
    values = {name: getattr(household, name) for name in ("composition", "adults", "children", "confidential")}
    for member in members:
        values |= {f"membre {member.pk} : {name}": getattr(member, name) for name in MEMBER_FIELDS}
    return values


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
    created = []
    for values in members:
        member = Member(household=household, **values)
        member.full_clean(exclude=["household", "search_name"])
        member.save()
        created.append(member)
    _check_composition(household, created, on=household.created_on)
    if by is not None:
        audit_record(
            user=by,
            action=Action.CREATE,
            target="household",
            target_id=household.pk,
            household_id=household.pk,
            changes=changes_between({}, _household_values(household, created)),
        )
    return household


def _check_composition(household: Household, members: list[Member], *, on: date) -> None:
    """The household's counts and composition against its people (pathways.composition), judged once
    the members are valid so that a member's own error is reported first."""
    rows = [{"birth_date": m.birth_date, "relationship": m.relationship} for m in members]
    errors = composition_errors(
        composition=household.composition,
        adults=household.adults,
        children=household.children,
        members=rows,
        on=on,
    )
    if errors:
        # "members" is no model field: its messages are the household's own.
        raise ValidationError({("__all__" if key == "members" else key): value for key, value in errors.items()})


class StaleHouseholdError(ValidationError):
    """The edit form was built on a state of the household that has changed since: nothing is written,
    the user is shown the household as it is now."""


MEMBER_FIELDS = ("last_name", "first_name", "birth_date", "relationship")
# What a refusal says changed, without names: anonymisation never has to clear it.
HOUSEHOLD_CHANGE_LABELS = {
    "composition": "composition modifiée",
    "adults": "nombre d'adultes modifié",
    "children": "nombre d'enfants modifié",
    "confidential": "confidentialité modifiée",
}
STALE_HOUSEHOLD_END = "Vos modifications n'ont pas été enregistrées ; voici la fiche à jour."


def _people(count: int, verb: str) -> str:
    return f"{count} personne {verb}e" if count == 1 else f"{count} personnes {verb}es"


def stale_household_message(household: Household, *, expected_version: int) -> str:
    """The refusal of a form built on version `expected_version`: who changed the household, when, what."""
    who = str(household.updated_by) if household.updated_by_id else "un import ou le système"
    when = ""
    if household.updated_at:
        at = timezone.localtime(household.updated_at)
        when = f" à {at:%H:%M}" if at.date() == timezone.localdate() else f" le {at:%d/%m/%Y à %H:%M}"
    what = household.last_change or "fiche modifiée"
    edits = household.version - expected_version
    if edits > 1:
        return (
            f"Ce ménage a été modifié {edits} fois pendant votre saisie, en dernier par {who}{when} : {what}. "
            f"{STALE_HOUSEHOLD_END}"
        )
    return f"Ce ménage a été modifié par {who}{when} pendant votre saisie : {what}. {STALE_HOUSEHOLD_END}"


@transaction.atomic
def household_update(
    *,
    household: Household,
    members: list[dict],
    removed: Iterable[int] = (),
    by=None,
    expected_version: int | None = None,
    **fields,
) -> Household:
    """Change the household's fields and members under a row lock, or raise and write nothing.

    `members`: dicts of MEMBER_FIELDS, with an `id` to change an existing member (only the keys given),
    without one to add a member. `removed`: ids of the members to remove. A member neither listed nor
    removed is kept as it is: removal is always explicit, so a form that did not show a member (added
    by someone else meanwhile) cannot delete it. With `expected_version` (the version the form was built
    on), a household changed since is refused with StaleHouseholdError, saying who changed what."""
    locked = Household.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=household.pk)
    if locked.anonymised_on:
        raise ValidationError(
            f"Ce dossier a été anonymisé le {locked.anonymised_on:%d/%m/%Y} : ses personnes ne peuvent plus être modifiées."
        )
    if expected_version is not None and locked.version != expected_version:
        raise StaleHouseholdError(stale_household_message(locked, expected_version=expected_version))
    current = {member.pk: member for member in locked.members.all()}
    audit_before = _household_values(locked, current.values())
    removed = set(removed)
    listed = {values["id"] for values in members if values.get("id")}
    if (removed | listed) - current.keys():
        # Only without a version (or in a race the version did not see): never a 500.
        raise StaleHouseholdError(
            f"Une personne de ce formulaire n'est plus dans le ménage : elle a été retirée entre-temps. {STALE_HOUSEHOLD_END}"
        )
    if removed & listed:
        raise ValidationError("Une même personne ne peut pas être à la fois modifiée et retirée.")
    if not current.keys() - removed and not [v for v in members if not v.get("id")]:
        raise ValidationError("Indiquez au moins une personne du ménage.")

    changes = [
        label
        for name, label in HOUSEHOLD_CHANGE_LABELS.items()
        if name in fields and fields[name] != getattr(locked, name)
    ]
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    added = changed = 0
    kept = {pk: member for pk, member in current.items() if pk not in removed}
    for values in members:
        values = dict(values)
        member_id = values.pop("id", None)
        member = current[member_id] if member_id else Member(household=locked)
        before = {name: getattr(member, name) for name in values}
        for name, value in values.items():
            setattr(member, name, value)
        member.full_clean(exclude=["household", "search_name"])
        if member_id is None:
            member.save()
            added += 1
        elif before != values:
            member.save()
            changed += 1
        kept[member.pk or id(member)] = member
    if removed:
        Member.objects.filter(household=locked, pk__in=removed).delete()
    _check_composition(locked, list(kept.values()), on=timezone.localdate())
    changes += [
        _people(n, verb) for n, verb in ((added, "ajouté"), (len(removed), "retiré"), (changed, "modifié")) if n
    ]
    if not changes:
        # Saving an unchanged form is no edit: it must not make someone else's open form stale.
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.updated_by = by
    locked.last_change = ", ".join(changes)[:300]
    locked.save()
    locked.pathways.exclude(household_composition=locked.composition).update(household_composition=locked.composition)
    # Its size is in the read model's rows of each of its pathways.
    refresh_facts(locked.pathways.values_list("pk", flat=True))
    if by is not None:
        audit_record(
            user=by,
            action=Action.UPDATE,
            target="household",
            target_id=locked.pk,
            household_id=locked.pk,
            detail=locked.last_change,
            changes=changes_between(audit_before, _household_values(locked, locked.members.all())),
        )
    for column in Household._meta.concrete_fields:
        setattr(household, column.attname, getattr(locked, column.attname))
    return locked


def pathway_open_errors(
    *, stage: str, opened_on: date, situation: str = "", situation_since: date | None = None
) -> dict[str, str]:
    """What pathway_open would refuse, by its field names ("date", "since"...), without writing: a form
    reports these with its other errors at once instead of on a second submit."""
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
    return errors


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
    errors = pathway_open_errors(stage=stage, opened_on=opened_on, situation=situation, situation_since=situation_since)
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
        current_situation=situation or "",
        household_composition=household.composition,
        current_situation_since=(situation_since or opened_on) if situation else None,
    )
    Transition.objects.create(pathway=pathway, seq=1, stage=stage, date=opened_on, recorded_by=by)
    Assignment.objects.create(pathway=pathway, structure=structure, caseworker=caseworker, recorded_by=by)
    if situation:
        Situation.objects.create(
            pathway=pathway, situation=situation, since=pathway.current_situation_since, recorded_by=by
        )
    refresh_facts([pathway.pk])
    opened = _new_values(
        stage=stage,
        opened_on=opened_on,
        referent_structure=structure.pk,
        caseworker=caseworker.pk if caseworker else None,
        commune=commune.pk,
        dalo=dalo,
        situation=situation,
    )
    _log_change(by, pathway, f"ouverture ({stage})", action=Action.CREATE, changes=opened)
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
    refresh_facts([locked.pk])
    locked.stage = to_stage
    locked.stage_on = on
    locked.last_activity_on = max(locked.last_activity_on, on)
    _touch(locked, fields=["stage", "stage_on", "last_activity_on"])
    pathway.stage, pathway.stage_on = locked.stage, locked.stage_on
    pathway.last_activity_on, pathway.version = locked.last_activity_on, locked.version
    moved = changes_between(
        {"stage": previous.stage, "stage_on": previous.date},
        {
            "stage": to_stage,
            "stage_on": on,
            "housing_kind": housing_kind or None,
            "housing_commune": housing_commune.pk if housing_commune else None,
            "landlord": landlord.pk if landlord else None,
            "orientation": orientation or None,
            "reason": reason or None,
        },
    )
    _log_change(by, locked, f"étape {to_stage} le {on:%d/%m/%Y}", changes=moved)
    # The place a pathway holds follows its stages (entry, back to the queue, closure): places/services.py.
    from places.services import place_follow_transition

    place_follow_transition(pathway=locked, previous_stage=previous.stage, to_stage=to_stage, on=on, by=by)
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
    refresh_facts([locked.pk])
    # A situation dated before the current one completes the history; it does not replace the current one.
    if locked.current_situation_since is None or since > locked.current_situation_since:
        locked.current_situation, locked.current_situation_since = situation, since
    _touch(locked, fields=["current_situation", "current_situation_since"])
    pathway.version = locked.version
    pathway.current_situation, pathway.current_situation_since = locked.current_situation, since
    _log_change(
        by,
        locked,
        f"situation {situation} depuis le {since:%d/%m/%Y}",
        changes=_new_values(situation=situation, since=since),
    )
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
    refresh_facts([locked.pk])
    _log_change(by, locked, f"contact {kind} le {on:%d/%m/%Y}", changes=_new_values(kind=kind, date=on, note=note))
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
    refresh_facts([pathway.pk])
    opened = _new_values(kind=kind, provider=provider.pk if provider else None, started_on=started_on)
    _log_change(by, pathway, f"mesure {kind} ouverte", changes=opened)
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
    refresh_facts([measure.pathway_id])
    _log_change(
        by, measure.pathway, f"mesure {measure.kind} close", changes=changes_between({}, {"ended_on": ended_on})
    )
    return measure


@transaction.atomic
def pathway_assign(
    *, pathway: Pathway, structure, by, caseworker=None, note: str = "", expected_version: int | None = None
) -> Assignment:
    """Transfer a pathway to another structure and/or caseworker, keeping who held it before."""
    locked = _lock(pathway, expected_version)
    if caseworker is not None and structure.pk not in caseworker.structure_ids:
        raise ValidationError({"caseworker": "Ce référent n'appartient pas à la structure choisie."})
    held = {"referent_structure": locked.referent_structure_id, "caseworker": locked.caseworker_id}
    locked.referent_structure = structure
    locked.caseworker = caseworker
    _touch(locked, fields=["referent_structure", "caseworker"])
    pathway.referent_structure, pathway.caseworker, pathway.version = structure, caseworker, locked.version
    assignment = Assignment.objects.create(
        pathway=locked, structure=structure, caseworker=caseworker, note=note, recorded_by=by
    )
    now_held = {"referent_structure": structure.pk, "caseworker": caseworker.pk if caseworker else None}
    if note:
        now_held["note"] = note
    _log_change(by, locked, f"affecté à {structure}", changes=changes_between(held, now_held))
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
    _log_change(by, pathway, f"partagé avec {structure}", changes={"shared_with": [None, structure.pk]})
    return share


def pathway_unshare(*, pathway: Pathway, structure, by) -> None:
    """Stop sharing the pathway with a structure: its caseworkers no longer see it."""
    deleted, _ = PathwayShare.objects.filter(pathway=pathway, structure=structure).delete()
    if not deleted:
        raise ValidationError({"structure": f"Ce parcours n'est pas partagé avec {structure}."})
    _log_change(by, pathway, f"partage avec {structure} retiré", changes={"shared_with": [structure.pk, None]})


@transaction.atomic
def pathway_remind(*, pathway: Pathway, by, note: str = "", expected_version: int | None = None) -> Reminder:
    """Remind the referent structure of a pathway (the coordination's "relance"). The pathway is locked
    to check the version the coordinator saw, but left untouched: a reminder is no activity on the case
    (no new version, stage, last activity date), so a stalled pathway stays stalled."""
    locked = _lock(pathway, expected_version)
    reminder = Reminder.objects.create(
        pathway=locked, structure_id=locked.referent_structure_id, note=note, recorded_by=by
    )
    _log_change(
        by,
        locked,
        f"relance de {locked.referent_structure}",
        action=Action.CREATE,
        changes=_new_values(reminder=reminder.pk, structure=locked.referent_structure_id, note=note),
    )
    return reminder
