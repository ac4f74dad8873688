"""One timeline of a household's pathways, newest first: transitions, situations, contacts, measures,
assignments, the coordination's reminders and the places proposed, each with who recorded it and when; filtered by kind (the page's `chronologie` parameter)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from pathways.models import Assignment, Contact, Measure, Reminder, Situation, Transition

# The filter's values (GET parameter `chronologie`) -> (label, the entries' kind).
FILTERS = {
    "etapes": ("Étapes", "étape"),
    "situations": ("Situations", "situation"),
    "contacts": ("Contacts", "contact"),
    "mesures": ("Mesures", "mesure"),
    "transferts": ("Affectations et transferts", "affectation"),
    "relances": ("Relances de la coordination", "relance"),
    "propositions": ("Propositions de place", "proposition"),
}


def timeline_filter(value) -> str:
    """The filter asked for, or "" (everything) for a missing or unknown value."""
    return value if value in FILTERS else ""


@dataclass
class Entry:
    on: date
    recorded_at: datetime
    kind: str  # étape, situation, contact, mesure, affectation, relance: drives the tag shown
    title: str
    pathway: object
    recorded_by: object
    details: list[str] = field(default_factory=list)
    # False for an event whose row does not say who recorded it (the closing of a measure).
    stamped: bool = True

    @property
    def sort_key(self):
        return (self.on, self.recorded_at)


def timeline_transitions(pathways):
    return Transition.objects.filter(pathway__in=pathways).select_related(
        "recorded_by", "housing_commune", "landlord", "dwelling_commune"
    )


def timeline_situations(pathways):
    return Situation.objects.filter(pathway__in=pathways).select_related("recorded_by")


def build_timeline(pathways, *, show_notes: bool, only: str = "", transitions=None, situations=None) -> list[Entry]:
    """`pathways`: the household's pathways the user sees. At most six queries, whatever their number
    (fewer when `transitions` and `situations` are given, already read, or when `only` keeps one kind).
    `show_notes`: whether the free texts (reasons, contact and transfer notes, reminder messages) are shown, which for a
    confidential household only its referent structures may read (pathways.perms.can_see_names).
    `only`: a key of FILTERS, or "" for every kind. Newest first; on the same day, the latest typed first."""
    by_id = {p.pk: p for p in pathways}
    entries: list[Entry] = []
    wanted = {FILTERS[only][1]} if only else {kind for _label, kind in FILTERS.values()}
    if "étape" not in wanted:
        transitions = []
    elif transitions is None:
        transitions = timeline_transitions(by_id)
    for t in transitions:
        details = []
        if t.housing_kind:
            details.append(f"Logement : {t.get_housing_kind_display()} à {t.housing_commune.name}")
        if t.landlord_id:
            details.append(f"Bailleur : {t.landlord.name}")
        if t.orientation:
            details.append(f"Orientation : {t.get_orientation_display()}")
        if t.reason and show_notes:
            details.append(f"Motif : {t.reason}")
        entries.append(
            Entry(t.date, t.recorded_at, "étape", t.get_stage_display(), by_id[t.pathway_id], t.recorded_by, details)
        )
    if "situation" not in wanted:
        situations = []
    elif situations is None:
        situations = timeline_situations(by_id)
    for s in situations:
        entries.append(
            Entry(
                s.since,
                s.recorded_at,
                "situation",
                f"Situation : {s.get_situation_display()}",
                by_id[s.pathway_id],
                s.recorded_by,
            )
        )
    contacts = Contact.objects.filter(pathway__in=by_id).select_related("recorded_by")
    for c in contacts if "contact" in wanted else ():
        details = [c.note] if c.note and show_notes else []
        entries.append(
            Entry(
                c.date,
                c.recorded_at,
                "contact",
                f"Contact : {c.get_kind_display()}",
                by_id[c.pathway_id],
                c.recorded_by,
                details,
            )
        )
    measures = Measure.objects.filter(pathway__in=by_id).select_related("recorded_by", "provider")
    for m in measures if "mesure" in wanted else ():
        details = [f"Opérateur : {m.provider.name}"] if m.provider_id else []
        pathway = by_id[m.pathway_id]
        entries.append(
            Entry(
                m.started_on,
                m.recorded_at,
                "mesure",
                f"Mesure ouverte : {m.get_kind_display()}",
                pathway,
                m.recorded_by,
                details,
            )
        )
        if m.ended_on:
            # The closing is not stamped separately: the measure row carries who opened it.
            entries.append(
                Entry(
                    m.ended_on,
                    m.recorded_at,
                    "mesure",
                    f"Mesure close : {m.get_kind_display()}",
                    pathway,
                    None,
                    stamped=False,
                )
            )
    assignments = Assignment.objects.filter(pathway__in=by_id).select_related("recorded_by", "structure", "caseworker")
    first_seen: set[int] = set()
    for a in assignments.order_by("recorded_at", "pk") if "affectation" in wanted else ():
        pathway = by_id[a.pathway_id]
        who = f"{a.structure.name}" + (f", {a.caseworker}" if a.caseworker_id else "")
        details = [f"Motif : {a.note}"] if a.note and show_notes else []
        # The first assignment is written with the pathway: it belongs to the opening date, which may be
        # earlier than the day it was typed in.
        on = pathway.opened_on if a.pathway_id not in first_seen else timezone.localdate(a.recorded_at)
        first_seen.add(a.pathway_id)
        entries.append(Entry(on, a.recorded_at, "affectation", f"Confié à {who}", pathway, a.recorded_by, details))
    reminders = Reminder.objects.filter(pathway__in=by_id).select_related("recorded_by", "structure")
    for r in reminders if "relance" in wanted else ():
        details = [f"Message : {r.note}"] if r.note and show_notes else []
        entries.append(
            Entry(
                timezone.localdate(r.recorded_at),
                r.recorded_at,
                "relance",
                f"Relance de la coordination à {r.structure.name}",
                by_id[r.pathway_id],
                r.recorded_by,
                details,
            )
        )
    if "proposition" in wanted:
        # The places proposed to the household, their answers and the end of an occupancy (places app).
        from places.timeline import proposal_entries

        entries += proposal_entries(by_id, show_notes=show_notes, entry=Entry)
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries
