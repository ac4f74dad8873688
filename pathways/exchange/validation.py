"""Validate every row of an exchange folder in memory, collecting every error, before anything is written.

The stage machine and the situation rules are those of `pathways.stages`, called here exactly as the
services call them: the import never restates a rule.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import TextChoices

from pathways.enums import IMPORT_INITIAL_STAGES, Composition, ContactKind, MeasureKind, Stage
from pathways.exchange import formats
from pathways.exchange.reading import ErrorList, RowError, Table, parse_bool, parse_date, parse_int
from pathways.models import Household, Pathway
from pathways.stages import check_situation, check_transition
from territories.enums import LabelKind, SiteKind, StructureKind
from territories.models import Arrondissement, Commune, Departement, Epci, Structure

CHUNK = 900


def chunks(values, size: int = CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(slots=True)
class StructureRow:
    line: int
    id: str
    name: str
    kind: str
    commune: str | None


@dataclass(slots=True)
class SiteRow:
    line: int
    id: str
    structure: str
    kind: str
    commune: str
    places: int
    opened_on: date
    closed_on: date | None


@dataclass(slots=True)
class HouseholdRow:
    line: int
    id: str
    composition: str
    adults: int
    children: int
    created_on: date
    confidential: bool
    last_name: str
    first_name: str
    birth_date: date | None


@dataclass(slots=True)
class PathwayRow:
    line: int
    id: str
    household: str
    structure: str
    commune: str
    opened_on: date
    dalo: bool


@dataclass(slots=True)
class TransitionRow:
    stage: str
    date: date
    housing_kind: str
    housing_commune: str | None
    landlord: str | None
    reason: str


@dataclass(slots=True)
class MeasureRow:
    line: int
    id: str
    pathway: str
    kind: str
    provider: str | None
    started_on: date
    ended_on: date | None


@dataclass(slots=True)
class LabelRow:
    line: int
    territory_kind: str
    territory_code: str
    label: str
    started_on: date
    ended_on: date | None


@dataclass
class ExistingPathway:
    pk: int
    opened_on: date


@dataclass
class Folder:
    """The validated content of a folder; child rows are grouped by pathway id in file order."""

    present: set[str] = field(default_factory=set)
    structures: list[StructureRow] = field(default_factory=list)
    sites: list[SiteRow] = field(default_factory=list)
    households: list[HouseholdRow] = field(default_factory=list)
    with_names: bool = False
    pathways: list[PathwayRow] = field(default_factory=list)
    situations: dict[str, list[tuple[str, date]]] = field(default_factory=dict)
    transitions: dict[str, list[TransitionRow]] = field(default_factory=dict)
    contacts: dict[str, list[tuple[date, str]]] = field(default_factory=dict)
    measures: list[MeasureRow] = field(default_factory=list)
    labels: list[LabelRow] = field(default_factory=list)
    # Records referenced by the folder but only known from an earlier import: external id -> pk.
    known_structures: dict[str, int] = field(default_factory=dict)
    known_households: dict[str, int] = field(default_factory=dict)
    known_pathways: dict[str, ExistingPathway] = field(default_factory=dict)
    communes: dict[str, str] = field(default_factory=dict)
    # places.csv, proposals.csv and occupancies.csv (places.exchange.PlacesFolder).
    places: object = None


_CODES: dict[type, frozenset[str]] = {}


def codes(choices: type[TextChoices]) -> frozenset[str]:
    """The codes of a TextChoices, computed once (its `.values` rebuilds a list on each access)."""
    if choices not in _CODES:
        _CODES[choices] = frozenset(choices.values)
    return _CODES[choices]


def _choices_message(noun: str, value: str, choices: type[TextChoices]) -> str:
    return f"{noun} : « {value} ». Valeurs possibles : {', '.join(choices.values)}."


# " : « value »" in a message, taken out of the messages about personal columns.
_QUOTED = re.compile(r" ?: « [^»]*»")


class _Row:
    """The cells of one row, with the errors found in it (one per column, the first one wins)."""

    __slots__ = ("table", "line", "cells", "sink", "errors")

    def __init__(self, table: Table, cells: tuple, sink: list[RowError]):
        # `cells`: the table's row tuple (line, cell, ...), see reading.Table.
        self.table, self.line, self.cells, self.sink = table, cells[0], cells, sink
        self.errors: dict[str, str] = {}

    def add(self, column: str, message: str) -> None:
        if column not in self.table.missing and column not in self.errors:
            self.errors[column] = message

    def close(self) -> bool:
        """Report the row's errors; True when the row is valid. A rejected name or birth date is not
        quoted: errors are stored with the import job, and must not keep personal data."""
        for column, message in self.errors.items():
            if column in formats.PERSONAL_COLUMNS:
                message = _QUOTED.sub("", message)
            self.sink.append(RowError(self.table.name, self.line, column, message))
        return not self.errors

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.table.cell(self.cells, column)
        if required and not value:
            self.add(column, "Valeur obligatoire.")
        return value

    def choice(self, column: str, choices: type[TextChoices], noun: str) -> str:
        value = self.text(column, required=True)
        if value and value not in codes(choices):
            self.add(column, _choices_message(noun, value, choices))
        return value

    def date(self, column: str, *, required: bool = False) -> date | None:
        value, error = parse_date(self.text(column, required=required))
        if error:
            self.add(column, error)
        return value

    def bool(self, column: str) -> bool:
        value, error = parse_bool(self.text(column))
        if error:
            self.add(column, error)
        return bool(value)

    def int(self, column: str, *, minimum: int) -> int | None:
        value, error = parse_int(self.text(column, required=True), minimum=minimum)
        if error:
            self.add(column, error)
        return value


# The kinds of reference a row may make: the file whose `id` column defines them, the message of an unknown one.
REFERENCES = {
    "structure": (formats.STRUCTURES, "Structure inconnue"),
    "household": (formats.HOUSEHOLDS, "Ménage inconnu"),
    "pathway": (formats.PATHWAYS, "Parcours inconnu"),
}


class Validator:
    """Checks one bucket of a folder (pathways/exchange/partition.py): `tables` are its files;
    `defined` the ids that the folder's files define, by kind of reference ("structure", "household",
    "pathway"), bucket or phase notwithstanding, so that a reference to a row of another bucket is
    known (that row is written before this bucket's, or nothing is written at all)."""

    def __init__(self, tables: dict[str, Table], *, today: date, heartbeat=None, defined=None):
        self.tables = tables
        self.today = today
        self.defined: dict[str, set[str]] = defined or {}
        # Called every thousand rows: a worker validating a million rows still shows it is alive.
        self.heartbeat = heartbeat or (lambda: None)
        self.errors = ErrorList()
        self.folder = Folder(present=set(tables))
        from places.exchange import PlacesValidation

        self.places = PlacesValidation(self)

    # --- lookups -------------------------------------------------------------------------------------

    def _ids(self, fmt: formats.FileFormat) -> set[str]:
        table = self.tables.get(fmt.name)
        return {table.cell(cells, "id") for cells in table.rows} - {""} if table else set()

    def _refs(self, fmt: formats.FileFormat, *columns: str) -> set[str]:
        table = self.tables.get(fmt.name)
        if not table:
            return set()
        return {table.cell(cells, c) for cells in table.rows for c in columns} - {""}

    def _load_references(self) -> None:
        """One query per kind for the references that the folder does not define itself."""
        folder = self.folder
        self.structure_ids = self._ids(formats.STRUCTURES)
        self.household_ids = self._ids(formats.HOUSEHOLDS)
        self.pathway_ids = self._ids(formats.PATHWAYS)
        wanted = (
            self._refs(formats.SITES, "structure")
            | self._refs(formats.PATHWAYS, "structure")
            | self._refs(formats.TRANSITIONS, "landlord")
            | self._refs(formats.MEASURES, "provider")
        ) - self.structure_ids
        for chunk in chunks(wanted):
            folder.known_structures.update(
                Structure.objects.filter(external_id__in=chunk).values_list("external_id", "pk")
            )
        wanted = self._refs(formats.PATHWAYS, "household") - self.household_ids
        for chunk in chunks(wanted):
            folder.known_households.update(
                Household.objects.filter(external_id__in=chunk).values_list("external_id", "pk")
            )
        wanted = (
            self._refs(formats.SITUATIONS, "pathway")
            | self._refs(formats.TRANSITIONS, "pathway")
            | self._refs(formats.CONTACTS, "pathway")
            | self._refs(formats.MEASURES, "pathway")
            | self.places.load_references()
        ) - self.pathway_ids
        for chunk in chunks(wanted):
            for external_id, pk, opened_on in Pathway.objects.filter(external_id__in=chunk).values_list(
                "external_id", "pk", "opened_on"
            ):
                folder.known_pathways[external_id] = ExistingPathway(pk, opened_on)
        # By kind of reference: the ids this bucket defines, those stored (_reference).
        self._known = {
            "structure": (self.structure_ids, folder.known_structures),
            "household": (self.household_ids, folder.known_households),
            "pathway": (self.pathway_ids, folder.known_pathways),
        }
        folder.communes = dict(Commune.objects.values_list("code", "code"))
        folder.communes.update(Arrondissement.objects.values_list("code", "commune_id"))

    def _commune(self, row: _Row, column: str, *, required: bool) -> str | None:
        code = row.text(column, required=required)
        if not code:
            return None
        commune = self.folder.communes.get(code)
        if commune is None:
            row.add(column, f"Commune inconnue : code INSEE « {code} ».")
        return commune

    def _reference(self, row: _Row, column: str, *, kind: str, required: bool = True) -> str | None:
        value = row.text(column, required=required)
        if not value:
            return None
        ids, known = self._known[kind]
        if value not in ids and value not in known and value not in self.defined.get(kind, ()):
            source, message = REFERENCES[kind]
            row.add(column, f"{message} : « {value} » (ni dans {source.name} ni importé auparavant).")
        return value

    def _rows(self, fmt: formats.FileFormat):
        table = self.tables.get(fmt.name)
        if table is None:
            return
        for count, cells in enumerate(table.rows, start=1):
            if count % 1000 == 0:
                self.heartbeat()
            yield _Row(table, cells, self.errors)

    def _unique_id(self, row: _Row, seen: dict[str, int]) -> str:
        value = row.text("id", required=True)
        if value in seen:
            row.add("id", f"Identifiant « {value} » en double (déjà utilisé ligne {seen[value]}).")
        elif value:
            seen[value] = row.line
        return value

    # --- files ---------------------------------------------------------------------------------------

    def run(self) -> Folder:
        self._load_references()
        self._structures()
        self._sites()
        self._households()
        self._pathways()
        self._situations()
        self._transitions()
        self._contacts()
        self._measures()
        self._labels()
        self.places.run()
        # The places' checks refer back to this validator: the cycle is broken here, so that a bucket's
        # rows are freed as soon as the importer lets the validator go, not at the next full collection.
        self.places = None
        return self.folder

    def _structures(self) -> None:
        seen: dict[str, int] = {}
        for row in self._rows(formats.STRUCTURES):
            record = StructureRow(
                row.line,
                self._unique_id(row, seen),
                row.text("name", required=True),
                row.choice("kind", StructureKind, "Type de structure inconnu"),
                self._commune(row, "commune", required=False),
            )
            if row.close():
                self.folder.structures.append(record)

    def _sites(self) -> None:
        seen: dict[str, int] = {}
        for row in self._rows(formats.SITES):
            record = SiteRow(
                row.line,
                self._unique_id(row, seen),
                self._reference(row, "structure", kind="structure"),
                row.choice("kind", SiteKind, "Type de lieu inconnu"),
                self._commune(row, "commune", required=True),
                row.int("places", minimum=1),
                row.date("opened_on", required=True),
                row.date("closed_on"),
            )
            if record.closed_on and record.opened_on and record.closed_on < record.opened_on:
                row.add("closed_on", "La date de fermeture précède la date d'ouverture.")
            if row.close():
                self.folder.sites.append(record)

    def _households(self) -> None:
        seen: dict[str, int] = {}
        table = self.tables.get(formats.HOUSEHOLDS.name)
        self.folder.with_names = bool(table) and any(c in table.columns for c in formats.PERSONAL_COLUMNS)
        for row in self._rows(formats.HOUSEHOLDS):
            record = HouseholdRow(
                row.line,
                self._unique_id(row, seen),
                row.choice("composition", Composition, "Composition inconnue"),
                row.int("adults", minimum=1),
                row.int("children", minimum=0),
                row.date("created_on", required=True),
                row.bool("confidential"),
                row.text("last_name"),
                row.text("first_name"),
                row.date("birth_date"),
            )
            if (record.first_name or record.birth_date) and not record.last_name:
                row.add("last_name", "Le nom est obligatoire quand un prénom ou une date de naissance est indiqué.")
            if record.birth_date and record.birth_date > self.today:
                row.add("birth_date", "La date de naissance ne peut pas être dans le futur.")
            if record.created_on and record.created_on > self.today:
                row.add("created_on", "La date de création ne peut pas être dans le futur.")
            if row.close():
                self.folder.households.append(record)

    def _pathways(self) -> None:
        seen: dict[str, int] = {}
        self.opened_on: dict[str, date | None] = {k: v.opened_on for k, v in self.folder.known_pathways.items()}
        for row in self._rows(formats.PATHWAYS):
            record = PathwayRow(
                row.line,
                self._unique_id(row, seen),
                self._reference(row, "household", kind="household"),
                self._reference(row, "structure", kind="structure"),
                self._commune(row, "commune", required=True),
                row.date("opened_on", required=True),
                row.bool("dalo"),
            )
            if record.opened_on and record.opened_on > self.today:
                row.add("opened_on", "La date d'ouverture ne peut pas être dans le futur.")
            # A faulty pathway row must not also fail every transition of that pathway.
            self.opened_on.setdefault(record.id, record.opened_on if "opened_on" not in row.errors else None)
            if row.close():
                self.folder.pathways.append(record)

    def _situations(self) -> None:
        taken: dict[str, set[date]] = defaultdict(set)
        grouped = self.folder.situations
        for row in self._rows(formats.SITUATIONS):
            pathway = self._reference(row, "pathway", kind="pathway")
            situation = row.text("situation", required=True)
            since = row.date("since", required=True)
            if situation and "since" not in row.errors:
                errors = check_situation(situation=situation, since=since, today=self.today, taken_dates=taken[pathway])
                for key, message in errors.items():
                    row.add(formats.SITUATION_COLUMNS[key], message)
            if since:
                taken[pathway].add(since)
            if row.close():
                grouped.setdefault(pathway, []).append((situation, since))

    def _transitions(self) -> None:
        state: dict[str, tuple[str, date | None]] = {}
        grouped = self.folder.transitions
        for row in self._rows(formats.TRANSITIONS):
            pathway = self._reference(row, "pathway", kind="pathway")
            stage = row.text("stage", required=True)
            on = row.date("date", required=True)
            housing_kind = row.text("housing_kind")
            housing_commune = self._commune(row, "housing_commune", required=False)
            landlord = self._reference(row, "landlord", kind="structure", required=False)
            reason = row.text("reason")
            previous_stage, previous_date = state.get(pathway, (None, None))
            if pathway and stage and "pathway" not in row.errors:
                errors = check_transition(
                    previous_stage=previous_stage,
                    previous_date=previous_date,
                    to_stage=stage,
                    on=on,
                    today=self.today,
                    opened_on=self.opened_on.get(pathway) if previous_stage is None else None,
                    housing_kind=housing_kind,
                    has_housing_commune=bool(row.text("housing_commune")),
                    reason=reason,
                    initial_stages=IMPORT_INITIAL_STAGES,
                )
                for key, message in errors.items():
                    row.add(formats.TRANSITION_COLUMNS[key], message)
                # Later rows are checked against what this row meant, so one mistake is reported once.
                if stage in codes(Stage):
                    state[pathway] = (stage, on or previous_date)
            if row.close():
                grouped.setdefault(pathway, []).append(
                    TransitionRow(stage, on, housing_kind, housing_commune, landlord, reason)
                )
        self._check_pathways_have_stages()

    def _check_pathways_have_stages(self) -> None:
        """A pathway always has a current stage: a new one needs its history in transitions.csv, and a
        named one cannot be emptied of it."""
        table = self.tables.get(formats.PATHWAYS.name)
        if table is None:
            return
        has_file = formats.TRANSITIONS.name in self.tables
        named = set(self.folder.transitions)
        named |= self._refs(formats.TRANSITIONS, "pathway")
        existing = set()
        if not has_file:
            for chunk in chunks(self.pathway_ids):
                existing.update(Pathway.objects.filter(external_id__in=chunk).values_list("external_id", flat=True))
        for cells in table.rows:
            line, pathway = cells[0], table.cell(cells, "id")
            if not pathway or pathway in named:
                continue
            if has_file:
                message = "Ce parcours n'a aucune étape dans transitions.csv (la première est son étape initiale)."
            elif pathway not in existing:
                message = "Nouveau parcours sans historique : ajoutez transitions.csv avec au moins son étape initiale."
            else:
                continue
            self.errors.append(RowError(table.name, line, "id", message))

    def _contacts(self) -> None:
        grouped = self.folder.contacts
        for row in self._rows(formats.CONTACTS):
            pathway = self._reference(row, "pathway", kind="pathway")
            on = row.date("date", required=True)
            kind = row.choice("kind", ContactKind, "Type de contact inconnu")
            if on and on > self.today:
                row.add("date", "La date du contact ne peut pas être dans le futur.")
            if row.close():
                grouped.setdefault(pathway, []).append((on, kind))

    def _measures(self) -> None:
        seen: dict[str, int] = {}
        for row in self._rows(formats.MEASURES):
            record = MeasureRow(
                row.line,
                self._unique_id(row, seen),
                self._reference(row, "pathway", kind="pathway"),
                row.choice("kind", MeasureKind, "Type de mesure inconnu"),
                self._reference(row, "provider", kind="structure", required=False),
                row.date("started_on", required=True),
                row.date("ended_on"),
            )
            if record.started_on and record.started_on > self.today:
                row.add("started_on", "La date de début ne peut pas être dans le futur.")
            if record.ended_on and record.ended_on > self.today:
                row.add("ended_on", "La date de fin ne peut pas être dans le futur.")
            elif record.ended_on and record.started_on and record.ended_on < record.started_on:
                row.add("ended_on", "La date de fin précède la date de début de la mesure.")
            if row.close():
                self.folder.measures.append(record)

    def _labels(self) -> None:
        if formats.LABELS.name not in self.tables:
            return
        known = {
            "commune": self.folder.communes,
            "epci": set(Epci.objects.values_list("siren", flat=True)),
            "departement": set(Departement.objects.values_list("code", flat=True)),
        }
        seen: dict[tuple, int] = {}
        for row in self._rows(formats.LABELS):
            territory = row.text("territory", required=True)
            kind, _, code = territory.partition(":")
            kind, code = kind.strip().lower(), code.strip().upper()
            if territory and (kind not in formats.LABEL_TERRITORY_KINDS or not code):
                row.add(
                    "territory",
                    f"Territoire invalide : « {territory} » (attendu commune:CODE, epci:SIREN ou departement:CODE).",
                )
            elif territory and code not in known[kind]:
                row.add("territory", f"Territoire inconnu : « {territory} ».")
            elif kind == "commune":
                code = self.folder.communes[code]
            record = LabelRow(
                row.line,
                kind,
                code,
                row.choice("label", LabelKind, "Label inconnu"),
                row.date("started_on", required=True),
                row.date("ended_on"),
            )
            if record.ended_on and record.started_on and record.ended_on < record.started_on:
                row.add("ended_on", "La date de fin précède la date de début.")
            key = (kind, code, record.label, record.started_on)
            if not row.errors and key in seen:
                row.add("started_on", f"Ce label est déjà indiqué ligne {seen[key]} (même territoire et même début).")
            seen.setdefault(key, row.line)
            if row.close():
                self.folder.labels.append(record)
