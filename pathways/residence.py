"""Where a household lives now, as the household page shows it: its latest residential situation, or,
once the pathway has entered housing, the dwelling of its lease.

The display derives it instead of recording a situation at entry: the indicators read the situation *at*
the entry date (reports/indicators/events.situation_on, "dont la situation à la date d'entrée relève du
groupe sans-abri"), which a situation written on that day would replace. See docs/saisie.md."""

from dataclasses import dataclass
from datetime import date

from pathways.enums import HousingKind, SituationKind, Stage

# Stages at which the household lives in the dwelling it entered (a closure "logé durablement" included).
IN_HOUSING = (Stage.ENTREE, Stage.MAINTIEN, Stage.SORTIE_LOGEE)


@dataclass(frozen=True)
class Residence:
    label: str
    since: date | None
    housed: bool = False


def residence_label(
    *, stage: str, situation: str | None, situation_since, entry_on, dwelling_kind: str, where: str = ""
) -> str:
    """The one rule, from the columns a queue row carries (its latest situation, the date and dwelling of
    its entry into housing) or from the rows the household page reads (current_residence). A situation
    recorded after the entry (a threat of eviction, say) is shown over the dwelling: it is newer news."""
    if situation and (entry_on is None or situation_since > entry_on):
        return SituationKind(situation).label
    if entry_on is None:
        return "Inconnue"
    if stage == Stage.RUPTURE:
        return "Inconnue : logement perdu"
    kind = HousingKind(dwelling_kind).label if dwelling_kind else "Logement"
    suffix = "" if stage in IN_HOUSING else " (dernière situation connue)"
    return f"Logé : {kind}{where}{suffix}"


def current_residence(pathway, *, transitions, situations) -> Residence:
    """`transitions` and `situations`: the pathway's rows (any order)."""
    entry = max((t for t in transitions if t.stage == Stage.ENTREE), key=lambda t: t.seq, default=None)
    latest = max(situations, key=lambda s: (s.since, s.recorded_at), default=None)
    label = residence_label(
        stage=pathway.stage,
        situation=latest.situation if latest else None,
        situation_since=latest.since if latest else None,
        entry_on=entry.date if entry else None,
        dwelling_kind=entry.dwelling_kind if entry else "",
        where=f" à {entry.dwelling_commune.name}" if entry and entry.dwelling_commune_id else "",
    )
    if latest is not None and (entry is None or latest.since > entry.date):
        return Residence(label, latest.since)
    if entry is None:
        return Residence(label, None)
    if pathway.stage == Stage.RUPTURE:
        return Residence(label, pathway.stage_on)
    return Residence(label, entry.date, housed=True)
