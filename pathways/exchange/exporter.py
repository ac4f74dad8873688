"""Export to the exchange format: the same files the importer reads, rows sorted by their identifiers.

Records created in the product have no external_id: they are written under their reference
(`P-000123`), which is stable for the life of the record.
"""

import csv
from datetime import date
from pathlib import Path

from django.db.models import Q

from pathways.enums import Relationship
from pathways.exchange import formats
from pathways.models import Contact, Household, Measure, Member, Pathway, Situation, Transition
from places.exchange import export_tables as export_places
from territories.models import Commune, Label, Site, Structure
from territories.territory import FRANCE, Territory

PREFIXES = {Structure: "S", Site: "L", Household: "M", Pathway: "P", Measure: "A"}


def exchange_id(model, pk: int, external_id: str | None) -> str:
    return external_id or f"{PREFIXES[model]}-{pk:06d}"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _ids(model, queryset) -> dict[int, str]:
    return {pk: exchange_id(model, pk, ext) for pk, ext in queryset.values_list("pk", "external_id")}


def export_exchange(
    folder: str | Path, *, territory: Territory = FRANCE, with_personal_data: bool = False
) -> dict[str, int]:
    """Write the files into `folder` (created if needed); returns the number of rows by file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, tuple[tuple[str, ...], list[list]]] = {}

    pathways = Pathway.objects.filter(territory.commune_q("commune"))
    pathway_ids = _ids(Pathway, pathways)
    household_ids = _ids(Household, Household.objects.filter(pathways__in=pathways).distinct())
    measures = Measure.objects.filter(pathway__in=pathways)
    transitions = Transition.objects.filter(pathway__in=pathways)
    sites = Site.objects.filter(territory.commune_q("commune"))
    referenced = (
        Q(pathways__in=pathways)
        | Q(pk__in=transitions.exclude(landlord=None).values("landlord"))
        | Q(pk__in=measures.exclude(provider=None).values("provider"))
        | Q(pk__in=sites.values("structure"))
    )
    structures = Structure.objects.all() if territory.kind == "france" else Structure.objects.filter(referenced)
    structure_ids = _ids(Structure, structures.distinct())

    def structure(pk):
        return structure_ids[pk] if pk else None

    tables[formats.STRUCTURES.name] = (
        formats.STRUCTURES.columns,
        [
            [structure_ids[pk], name, kind, commune]
            for pk, name, kind, commune in Structure.objects.filter(pk__in=structure_ids).values_list(
                "pk", "name", "kind", "commune_id"
            )
        ],
    )
    tables[formats.SITES.name] = (
        formats.SITES.columns,
        [
            [exchange_id(Site, pk, ext), structure(s), kind, commune, places, opened, closed]
            for pk, ext, s, kind, commune, places, opened, closed in sites.values_list(
                "pk", "external_id", "structure_id", "kind", "commune_id", "places", "opened_on", "closed_on"
            )
        ],
    )

    household_columns = formats.HOUSEHOLDS.columns
    if not with_personal_data:
        household_columns = tuple(c for c in household_columns if c not in formats.PERSONAL_COLUMNS)
    people = {}
    if with_personal_data:
        members = Member.objects.filter(household__in=household_ids, relationship=Relationship.REFERENCE)
        for household, last, first, born in members.order_by("-id").values_list(
            "household_id", "last_name", "first_name", "birth_date"
        ):
            people[household] = [last, first, born]
    tables[formats.HOUSEHOLDS.name] = (
        household_columns,
        [
            [household_ids[pk], composition, adults, children, created, confidential]
            + (people.get(pk, ["", "", None]) if with_personal_data else [])
            for pk, composition, adults, children, created, confidential in Household.objects.filter(
                pk__in=household_ids
            ).values_list("pk", "composition", "adults", "children", "created_on", "confidential")
        ],
    )
    tables[formats.PATHWAYS.name] = (
        formats.PATHWAYS.columns,
        [
            [pathway_ids[pk], household_ids[household], structure(s), commune, opened, dalo]
            for pk, household, s, commune, opened, dalo in pathways.values_list(
                "pk", "household_id", "referent_structure_id", "commune_id", "opened_on", "dalo"
            )
        ],
    )
    # Child rows keep their pathway's history order; a stable sort on the pathway id preserves it.
    tables[formats.SITUATIONS.name] = (
        formats.SITUATIONS.columns,
        [
            [pathway_ids[p], situation, since]
            for p, situation, since in Situation.objects.filter(pathway__in=pathways)
            .order_by("since")
            .values_list("pathway_id", "situation", "since")
        ],
    )
    # A confidential household's free texts are read only inside its referent structures (roles.md,
    # pathways.perms.can_see_names): an export leaves them all, so its reasons are left out.
    tables[formats.TRANSITIONS.name] = (
        formats.TRANSITIONS.columns,
        [
            [pathway_ids[p], stage, on, kind, commune, structure(landlord), "" if confidential else reason]
            for p, stage, on, kind, commune, landlord, reason, confidential in transitions.order_by("seq").values_list(
                "pathway_id",
                "stage",
                "date",
                "housing_kind",
                "housing_commune_id",
                "landlord_id",
                "reason",
                "pathway__household__confidential",
            )
        ],
    )
    tables[formats.CONTACTS.name] = (
        formats.CONTACTS.columns,
        [
            [pathway_ids[p], on, kind]
            for p, on, kind in Contact.objects.filter(pathway__in=pathways)
            .order_by("date", "id")
            .values_list("pathway_id", "date", "kind")
        ],
    )
    tables[formats.MEASURES.name] = (
        formats.MEASURES.columns,
        [
            [exchange_id(Measure, pk, ext), pathway_ids[p], kind, structure(provider), started, ended]
            for pk, ext, p, kind, provider, started, ended in measures.values_list(
                "pk", "external_id", "pathway_id", "kind", "provider_id", "started_on", "ended_on"
            )
        ],
    )
    tables[formats.LABELS.name] = (formats.LABELS.columns, _labels(territory))
    # The places files only when the territory has places (places.exchange).
    tables |= export_places(
        territory,
        site_id=lambda pk, ext: exchange_id(Site, pk, ext),
        pathway_id=lambda pk, ext: pathway_ids.get(pk) or exchange_id(Pathway, pk, ext),
    )

    written = {}
    for name, (columns, rows) in tables.items():
        rows = [[_cell(value) for value in row] for row in rows]
        # Labels have no id: their territory, label and start date identify them; proposals and
        # occupancies their place, pathway and date.
        if name in (formats.LABELS.name, formats.PROPOSALS.name, formats.OCCUPANCIES.name):
            rows.sort(key=lambda row: (row[0], row[1], row[2]))
        else:
            rows.sort(key=lambda row: row[0])
        with open(folder / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
        written[name] = len(rows)
    return written


def _labels(territory: Territory) -> list[list]:
    """Labels covering some part of the territory."""
    labels = Label.objects.all()
    if territory.kind != "france":
        communes = Commune.objects.filter(territory.commune_q())
        labels = labels.filter(
            Q(commune__in=communes)
            | Q(epci__in=communes.values("epci"))
            | Q(departement__in=communes.values("departement"))
        )
    return [[label.territory_code, label.kind, label.started_on, label.ended_on] for label in labels]
