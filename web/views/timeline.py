"""One timeline of a household's pathways, newest first: transitions, situations, contacts, measures,
assignments, the coordination's reminders and the places proposed, each with who recorded it and when; filtered by kind (the page's `chronologie` parameter)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import BigIntegerField, CharField, F, Value
from django.db.models.functions import Cast
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


_USER = ("username", "first_name", "last_name")
_STRUCTURE = ("name",)

# The records read together by timeline_records, by kind: the model, the fields it reads besides those
# of every record (id, pathway, when and by whom), and its related rows with the fields they show.
RECORDS = {
    "situation": (Situation, ("situation", "since"), {"recorded_by": _USER}),
    "contact": (Contact, ("date", "kind", "note"), {"recorded_by": _USER}),
    "mesure": (Measure, ("kind", "started_on", "ended_on"), {"recorded_by": _USER, "provider": _STRUCTURE}),
    "affectation": (Assignment, ("note",), {"recorded_by": _USER, "structure": _STRUCTURE, "caseworker": _USER}),
    "relance": (Reminder, ("note",), {"recorded_by": _USER, "structure": _STRUCTURE}),
}
_COMMON = ("id", "pathway_id", "recorded_at")


def _paths(model, own, related) -> list[str]:
    paths = [*_COMMON, *own]
    for relation, fields in related.items():
        paths.append(model._meta.get_field(relation).attname)
        paths += [f"{relation}__{name}" for name in fields]
    return paths


def _field(model, path):
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)  # a name or, for a foreign key, its column (attname)


def _null(field):
    """A typed NULL: PostgreSQL types each column of a UNION from its branches, and two untyped NULLs
    make a text column that a later date cannot join."""
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "DateField", "DateTimeField"):
        return Cast(Value(None), output_field=type(field)())
    return Cast(Value(None), output_field=BigIntegerField())


def timeline_records(pathways) -> dict[str, list]:
    """The pathways' situations, contacts, measures, assignments and reminders in one UNION ALL query
    rather than one query each (issue 10: the household page within 10 queries). Each branch puts its
    model's fields in the columns of their path and NULL in the others'; each row is then made the
    model instance it was, with its related rows (who recorded it, the structure), the fields not read
    left deferred. {kind of RECORDS: its rows, in the order of a query of its model}."""
    columns: dict[str, object] = {}  # path -> the field typing its NULLs
    for model, own, related in RECORDS.values():
        for path in _paths(model, own, related):
            columns.setdefault(path, _field(model, path))
    aliases = {path: f"c{i}" for i, path in enumerate(columns)}
    branches = []
    for kind, (model, own, related) in RECORDS.items():
        present = set(_paths(model, own, related))
        expressions = {"row_kind": Value(kind, output_field=CharField())}
        for path, typed in columns.items():
            expressions[aliases[path]] = F(path) if path in present else _null(typed)
        branches.append(
            model.objects.filter(pathway__in=pathways).order_by().annotate(**expressions).values_list(*expressions)
        )
    rows = branches[0].union(*branches[1:], all=True)
    index = {path: i + 1 for i, path in enumerate(columns)}
    records: dict[str, list] = {kind: [] for kind in RECORDS}
    for row in rows:
        model, own, related = RECORDS[row[0]]
        instance = _instance(model, {path: row[index[path]] for path in _paths(model, own, related)}, using=rows.db)
        for relation, fields in related.items():
            foreign_key = model._meta.get_field(relation)
            pk = getattr(instance, foreign_key.attname)
            values = {"id": pk} | {name: row[index[f"{relation}__{name}"]] for name in fields}
            related_row = None if pk is None else _instance(foreign_key.related_model, values, using=rows.db)
            foreign_key.set_cached_value(instance, related_row)
        records[row[0]].append(instance)
    for kind, (model, _own, _related) in RECORDS.items():
        records[kind].sort(key=_meta_order(model))
    return records


def _meta_order(model):
    """The order a query of `model` gives its rows (its Meta.ordering, all ascending), then its id."""
    names = [model._meta.get_field(name).attname for name in model._meta.ordering]
    return lambda row: (*(getattr(row, name) for name in names), row.pk)


def _instance(model, values: dict, *, using: str):
    """`model`'s instance as the database would give it, the fields not in `values` deferred."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(using, names, [values[name] for name in names])


def build_timeline(pathways, *, show_notes: bool, transitions, records, only: str = "") -> list[Entry]:
    """`pathways`: the household's pathways the user sees; `transitions` and `records` their rows, read
    by timeline_transitions and timeline_records. One query (the places proposed), none when `only`
    keeps another kind.
    `show_notes`: whether the free texts (reasons, contact and transfer notes, reminder messages) are shown, which for a
    confidential household only its referent structures may read (pathways.perms.can_see_names).
    `only`: a key of FILTERS, or "" for every kind. Newest first; on the same day, the latest typed first."""
    by_id = {p.pk: p for p in pathways}
    entries: list[Entry] = []
    wanted = {FILTERS[only][1]} if only else {kind for _label, kind in FILTERS.values()}
    for t in transitions if "étape" in wanted else ():
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
    for s in records["situation"] if "situation" in wanted else ():
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
    for c in records["contact"] if "contact" in wanted else ():
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
    for m in records["mesure"] if "mesure" in wanted else ():
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
    first_seen: set[int] = set()
    assignments = sorted(records["affectation"], key=lambda a: (a.recorded_at, a.pk))
    for a in assignments if "affectation" in wanted else ():
        pathway = by_id[a.pathway_id]
        who = f"{a.structure.name}" + (f", {a.caseworker}" if a.caseworker_id else "")
        details = [f"Motif : {a.note}"] if a.note and show_notes else []
        # The first assignment is written with the pathway: it belongs to the opening date, which may be
        # earlier than the day it was typed in.
        on = pathway.opened_on if a.pathway_id not in first_seen else timezone.localdate(a.recorded_at)
        first_seen.add(a.pathway_id)
        entries.append(Entry(on, a.recorded_at, "affectation", f"Confié à {who}", pathway, a.recorded_by, details))
    for r in records["relance"] if "relance" in wanted else ():
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
