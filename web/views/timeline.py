"""One chronological timeline of a household's pathways: transitions, situations, contacts, measures and
assignments, each with who recorded it and when."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from pathways.models import Assignment, Contact, Measure, Situation, Transition


@dataclass
class Entry:
    on: date
    recorded_at: datetime
    kind: str  # étape, situation, contact, mesure, affectation: drives the tag shown
    title: str
    pathway: object
    recorded_by: object
    details: list[str] = field(default_factory=list)
    # False for an event whose row does not say who recorded it (the closing of a measure).
    stamped: bool = True

    @property
    def sort_key(self):
        return (self.on, self.recorded_at)


def build_timeline(pathways, *, show_notes: bool) -> list[Entry]:
    """`pathways`: the household's pathways the user sees. Five queries, whatever their number."""
    by_id = {p.pk: p for p in pathways}
    entries: list[Entry] = []
    transitions = Transition.objects.filter(pathway__in=by_id).select_related(
        "recorded_by", "housing_commune", "landlord"
    )
    for t in transitions:
        details = []
        if t.housing_kind:
            details.append(f"Logement : {t.get_housing_kind_display()} à {t.housing_commune.name}")
        if t.landlord_id:
            details.append(f"Bailleur : {t.landlord.name}")
        if t.orientation:
            details.append(f"Orientation : {t.get_orientation_display()}")
        if t.reason:
            details.append(f"Motif : {t.reason}")
        entries.append(
            Entry(t.date, t.recorded_at, "étape", t.get_stage_display(), by_id[t.pathway_id], t.recorded_by, details)
        )
    for s in Situation.objects.filter(pathway__in=by_id).select_related("recorded_by"):
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
    for c in Contact.objects.filter(pathway__in=by_id).select_related("recorded_by"):
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
    for m in Measure.objects.filter(pathway__in=by_id).select_related("recorded_by", "provider"):
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
    for a in assignments.order_by("recorded_at", "pk"):
        pathway = by_id[a.pathway_id]
        who = f"{a.structure.name}" + (f", {a.caseworker}" if a.caseworker_id else "")
        details = [f"Motif : {a.note}"] if a.note else []
        # The first assignment is written with the pathway: it belongs to the opening date, which may be
        # earlier than the day it was typed in.
        on = pathway.opened_on if a.pathway_id not in first_seen else timezone.localdate(a.recorded_at)
        first_seen.add(a.pathway_id)
        entries.append(Entry(on, a.recorded_at, "affectation", f"Confié à {who}", pathway, a.recorded_by, details))
    entries.sort(key=lambda e: e.sort_key)
    return entries
