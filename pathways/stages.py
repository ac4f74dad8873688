"""The rules of the stage machine and of situations, as pure checks.

The services (web, admin, API) and the bulk import call these same functions, so that a rule lives in
one place. Each check returns a dict {field: French message}; an empty dict means the change is valid.
"""

from datetime import date

from pathways.enums import (
    CREATION_STAGES,
    TRANSITIONS,
    HousingKind,
    SituationKind,
    Stage,
)

STAGE_LABELS = dict(Stage.choices)
# TextChoices.values rebuilds its list on every access: too slow for bulk imports checking each row.
HOUSING_KIND_CODES = frozenset(HousingKind.values)
SITUATION_CODES = frozenset(SituationKind.values)


def _label(stage: str) -> str:
    return f"« {STAGE_LABELS.get(stage, stage)} »"


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def allowed_next_stages(stage: str) -> list[str]:
    """The stages a pathway in `stage` may move to, in the order of the enum."""
    allowed = TRANSITIONS.get(stage, set())
    return [s for s in Stage.values if s in allowed]


def impossible_move(previous_stage: str, to_stage: str, offered: list[str], *, withheld: bool = False) -> str:
    """The refusal of a move the table forbids, with the stages `offered` instead: the table's, or only
    those the person's role may record (then `withheld` says some were left out for the role)."""
    if offered:
        hint = ", ".join(_label(s) for s in offered)
    elif withheld:
        hint = "aucune que votre rôle permet d'enregistrer (la décision d'orientation revient à la coordination)"
    else:
        hint = "aucune (parcours clos)"
    return f"Passage impossible de {_label(previous_stage)} à {_label(to_stage)}. Étapes possibles : {hint}."


def stale_message(*, who: str, changes: list[str] | None, now: str) -> str:
    """The refusal of a form built on an older state of a pathway: who changed it, and what (stage,
    structure, caseworker) or that something else was recorded; `changes` None when the form did not
    say what it showed: then the pathway as it is `now`."""
    if changes is None:
        what = now
    else:
        what = " ; ".join(changes) or (
            "une autre saisie a été enregistrée (situation, contact ou mesure), sans changer son étape, "
            "sa structure ni son référent"
        )
    return f"Ce parcours a été modifié entre-temps {who} : {what}. Vérifiez son état puis recommencez."


def check_transition(
    *,
    previous_stage: str | None,
    previous_date: date | None,
    to_stage: str,
    on: date | None,
    today: date,
    opened_on: date | None = None,
    housing_kind: str = "",
    has_housing_commune: bool = False,
    reason: str = "",
    initial_stages=CREATION_STAGES,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if to_stage not in STAGE_LABELS:
        return {"stage": f"Étape inconnue : « {to_stage} »."}
    if on is None:
        errors["date"] = "La date est obligatoire."
    elif on > today:
        errors["date"] = "La date ne peut pas être dans le futur."

    if previous_stage is None:
        if to_stage not in initial_stages:
            choices = " ou ".join(_label(s) for s in initial_stages)
            errors["stage"] = f"Un parcours commence à l'étape {choices}."
        if on and opened_on and on != opened_on and "date" not in errors:
            errors["date"] = f"La première étape est datée du jour d'ouverture du parcours ({_fr(opened_on)})."
    else:
        if to_stage not in TRANSITIONS[previous_stage]:
            errors["stage"] = impossible_move(previous_stage, to_stage, allowed_next_stages(previous_stage))
        if on and previous_date and on < previous_date and "date" not in errors:
            errors["date"] = f"La date ne peut pas précéder celle de l'étape précédente ({_fr(previous_date)})."

    if to_stage == Stage.BAIL_SIGNE:
        if not housing_kind:
            errors["housing_kind"] = "Le type de logement est obligatoire pour un bail signé."
        elif housing_kind not in HOUSING_KIND_CODES:
            errors["housing_kind"] = f"Type de logement inconnu : « {housing_kind} »."
        elif housing_kind == HousingKind.PARC_SOCIAL and previous_stage != Stage.ATTRIBUE:
            errors["housing_kind"] = "Un bail en parc social ne peut suivre qu'une attribution prononcée par la CALEOL."
        if not has_housing_commune:
            errors["housing_commune"] = "La commune du logement est obligatoire pour un bail signé."
    else:
        if housing_kind:
            errors["housing_kind"] = "Le type de logement ne s'indique que pour un bail signé."
        if has_housing_commune:
            errors["housing_commune"] = "La commune du logement ne s'indique que pour un bail signé."

    if previous_stage == Stage.ATTRIBUE and to_stage == Stage.ORIENTE and not reason.strip():
        errors["reason"] = "Le motif du refus par le ménage est obligatoire."
    return errors


def check_situation(*, situation: str, since: date | None, today: date, taken_dates) -> dict[str, str]:
    """`taken_dates`: the start dates of the pathway's other situations."""
    errors: dict[str, str] = {}
    if situation not in SITUATION_CODES:
        errors["situation"] = f"Situation inconnue : « {situation} »."
    if since is None:
        errors["since"] = "La date de début est obligatoire."
    elif since > today:
        errors["since"] = "La date de début ne peut pas être dans le futur."
    elif since in taken_dates:
        errors["since"] = f"Une situation commence déjà le {_fr(since)} pour ce parcours."
    return errors


def chain_links(history) -> list[tuple[str, date | None, str, str | None]]:
    """For a pathway's transitions in order, given as (stage, date, housing_kind, housing_commune) tuples,
    the fields each transition stores about its neighbours: (next_stage, next_date, dwelling_kind,
    dwelling_commune). The dwelling is that of the latest `bail_signe` on or before the transition.

    The services, the import and the migration that filled existing rows all derive them here."""
    links = []
    dwelling_kind, dwelling_commune = "", None
    for index, (stage, _day, housing_kind, housing_commune) in enumerate(history):
        if stage == Stage.BAIL_SIGNE:
            dwelling_kind, dwelling_commune = housing_kind, housing_commune
        following = history[index + 1] if index + 1 < len(history) else None
        links.append(
            (
                following[0] if following else "",
                following[1] if following else None,
                dwelling_kind,
                dwelling_commune,
            )
        )
    return links
