"""Import an exchange folder in one transaction: phase by phase and bucket by bucket
(pathways/exchange/partition.py), each bucket validated then written in bulk; nothing is written when
any row of any bucket is invalid.

Records are matched on their `external_id`; a row identical to the stored record is left alone, so that
importing the same folder twice changes nothing. The situations, transitions and contacts of each
pathway that the folder names are replaced by the folder's, but only where they differ.
"""

import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from facts.models import ActiveSpan, Event, StageSpan
from facts.refresh import refresh_facts
from pathways.enums import Relationship
from pathways.exchange import formats
from pathways.exchange.lock import import_lock
from pathways.exchange.partition import PHASES, scratch_directory, split_phase
from pathways.exchange.reading import ErrorList, RowError, max_errors
from pathways.exchange.validation import Folder, Validator, chunks
from pathways.exchange.writing import BATCH, insert_rows
from pathways.models import (
    Assignment,
    Contact,
    Household,
    Measure,
    Member,
    Pathway,
    Situation,
    Transition,
    transition_history_replacement,
)
from pathways.stages import chain_links
from places.exchange import write_places
from territories.models import Label, Site, Structure
from territories.text import normalize_name


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        text = f"{self.created} créé(s), {self.updated} mis à jour, {self.unchanged} inchangé(s)"
        return f"{text}, {self.deleted} supprimé(s)" if self.deleted else text


@dataclass
class ImportReport:
    # The first IMPORT_MAX_ERRORS errors; `errors.total` counts them all.
    errors: ErrorList = field(default_factory=ErrorList)
    ignored: list[str] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _no_heartbeat(**fields) -> None:
    pass


def import_exchange(
    files: Mapping[str, bytes],
    *,
    dry_run: bool = False,
    today: date | None = None,
    before_commit: Callable[[ImportReport], None] | None = None,
    heartbeat: Callable[..., None] = _no_heartbeat,
) -> ImportReport:
    """`files`: the folder's files by name (see reading.read_source; a FolderFiles is streamed from
    disk). Writes nothing when any row is invalid, or when `dry_run` (the writes are then rolled back,
    so the counts are the real ones).

    One import at a time per instance (lock.import_lock: ImportBusy otherwise). `before_commit` runs
    inside the import's transaction once everything is written (not for a dry run): its audit event and
    the job's outcome commit with the rows, or not at all. `heartbeat` is called between files and
    batches (project/background.Heartbeat)."""
    with import_lock():
        return _import(files, dry_run=dry_run, today=today, before_commit=before_commit, heartbeat=heartbeat)


def _import(files, *, dry_run, today, before_commit, heartbeat) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    report.ignored = sorted(name for name in files if name not in formats.BY_NAME)
    today = today or timezone.localdate()
    errors = _Errors()
    defined: dict[str, set[str]] = {}
    touched: set[int] = set()
    scratch_root = scratch_directory()
    with tempfile.TemporaryDirectory(prefix="parcours-import-", dir=scratch_root) as scratch, transaction.atomic():
        for phase in PHASES:
            split = split_phase(files, phase, Path(scratch), heartbeat)
            if split is None:
                continue
            for file_errors in split.errors:
                errors.extend(file_errors)
            defined.update(split.defined)
            for bucket in range(split.count):
                validator = Validator(split.tables(bucket), today=today, heartbeat=heartbeat, defined=defined)
                folder = validator.run()
                errors.extend(validator.errors)
                # The raw cells are no longer needed: freed before the writer builds its rows, so
                # that the peak holds one of the two, not both.
                del validator
                heartbeat()
                if errors.any:
                    # Nothing will be written: the other buckets are only checked, for their errors.
                    continue
                writer = _Writer(folder, report, heartbeat)
                writer.run()
                touched |= writer.touched_pathways()
                del folder, writer
        if errors.any:
            transaction.set_rollback(True)
            report.counts = {}
            report.errors = errors.report()
            return report
        if dry_run:
            transaction.set_rollback(True)
        else:
            # The indicator read model of every pathway the import changed, in the same transaction, planned
            # on the statistics of the rows just written (at 1,000,000 pathways, without them, the read
            # model's statements took 9 minutes of an import of 18).
            _analyze(RECORD_TABLES)
            refresh_facts(touched)
            heartbeat()
            _analyze(FACT_TABLES)
            if before_commit is not None:
                before_commit(report)
    return report


class _Errors:
    """The errors of every phase and bucket; reported in file order (formats.FORMATS), then by line,
    the first IMPORT_MAX_ERRORS only (reading.ErrorList), however the buckets cut the files."""

    def __init__(self):
        self.kept: list[RowError] = []
        self.dropped = 0

    @property
    def any(self) -> bool:
        return bool(self.kept) or self.dropped > 0

    def extend(self, errors) -> None:
        self.kept.extend(errors)
        self.dropped += getattr(errors, "dropped", 0)
        if len(self.kept) > 4 * max_errors():
            self._trim()

    def _trim(self) -> None:
        order = {fmt.name: index for index, fmt in enumerate(formats.FORMATS)}
        self.kept.sort(key=lambda e: (order[e.file], e.line))
        limit = max_errors()
        self.dropped += max(0, len(self.kept) - limit)
        del self.kept[limit:]

    def report(self) -> ErrorList:
        self._trim()
        errors = ErrorList()
        errors.extend(self.kept)
        errors.dropped += self.dropped
        return errors


RECORD_TABLES = [Transition, Situation, Contact, Measure, Pathway, Household, Member, Site, Label]
FACT_TABLES = [Event, StageSpan, ActiveSpan]


def _analyze(models) -> None:
    """Refresh PostgreSQL's statistics after a bulk load: until autovacuum gets to it, the planner takes
    the new rows for absent and the bilan's correlated subqueries fall back to full scans (minutes).
    Inside the import's transaction, ANALYZE counts the rows this transaction wrote."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _existing(model, external_ids, *fields) -> dict[str, dict]:
    rows = {}
    for chunk in chunks(external_ids):
        for values in model.objects.filter(external_id__in=chunk).values("pk", "external_id", *fields):
            rows[values["external_id"]] = values
    return rows


PATHWAY_FIELDS = [
    "household_id",
    "referent_structure_id",
    "commune_id",
    "opened_on",
    "dalo",
    "stage",
    "stage_on",
    "last_activity_on",
    "current_situation",
    "current_situation_since",
    "household_composition",
    "version",
]


def _anonymised_households() -> set[int]:
    return set(Household.objects.filter(anonymised_on__isnull=False).values_list("pk", flat=True))


def _transition_rows(pathway_pk: int, history: list[tuple]) -> list[tuple]:
    """Rows of a pathway's transitions, with the links the services store (stages.chain_links)."""
    links = chain_links([(stage, day, kind, commune) for stage, day, kind, commune, _landlord, _reason in history])
    return [(pathway_pk, seq, *row, *link) for seq, (row, link) in enumerate(zip(history, links, strict=True), start=1)]


class _Writer:
    def __init__(self, folder: Folder, report: ImportReport, heartbeat: Callable[..., None] = _no_heartbeat):
        self.folder = folder
        self.report = report
        self.heartbeat = heartbeat
        self.structures: dict[str, int] = dict(folder.known_structures)
        self.households: dict[str, int] = dict(folder.known_households)
        self.pathways: dict[str, int] = {k: v.pk for k, v in folder.known_pathways.items()}
        self.sites: dict[str, int] = {}
        # External ids the last _sync created (the others it touched were already stored).
        self.synced_new: set[str] = set()
        # Pathways whose read-model rows (facts) the import may have changed, and households whose did.
        self.touched: set[int] = set()
        self.changed_households: set[int] = set()

    def touched_pathways(self) -> set[int]:
        touched = set(self.touched)
        for chunk in chunks(sorted(self.changed_households)):
            touched.update(Pathway.objects.filter(household_id__in=chunk).values_list("pk", flat=True))
        return touched

    def _count(self, fmt: formats.FileFormat) -> Counts:
        return self.report.counts.setdefault(fmt.name, Counts())

    def _sync(self, fmt, model, rows, values_of, *, pk_map=None) -> set[str]:
        """Create or update the rows of one file matched on external_id; returns the changed ids."""
        counts = self._count(fmt)
        fields = list(values_of(rows[0])) if rows else []
        existing = _existing(model, [r.id for r in rows], *fields)
        to_create, to_update = [], []
        for row in rows:
            values = values_of(row)
            stored = existing.get(row.id)
            if stored is None:
                to_create.append((row.id, *values.values()))
            elif any(stored[name] != value for name, value in values.items()):
                to_update.append(model(pk=stored["pk"], external_id=row.id, **values))
            else:
                counts.unchanged += 1
            if stored is not None and pk_map is not None:
                pk_map[row.id] = stored["pk"]
        self.heartbeat()
        ids = insert_rows(model, ["external_id", *fields], to_create, returning_ids=pk_map is not None)
        self.heartbeat()
        if pk_map is not None:
            pk_map.update(zip((row[0] for row in to_create), ids, strict=True))
        if to_update:
            model.objects.bulk_update(to_update, fields, batch_size=BATCH)
        counts.created += len(to_create)
        counts.updated += len(to_update)
        self.synced_new = {row[0] for row in to_create}
        return {row[0] for row in to_create} | {obj.external_id for obj in to_update}

    def run(self) -> None:
        folder = self.folder
        present = folder.present
        if formats.STRUCTURES.name in present:
            self._sync(
                formats.STRUCTURES,
                Structure,
                folder.structures,
                lambda r: {"name": r.name, "kind": r.kind, "commune_id": r.commune},
                pk_map=self.structures,
            )
        if formats.SITES.name in present:
            self._sync(
                formats.SITES,
                Site,
                folder.sites,
                lambda r: {
                    "structure_id": self.structures[r.structure],
                    "kind": r.kind,
                    "commune_id": r.commune,
                    "places": r.places,
                    "opened_on": r.opened_on,
                    "closed_on": r.closed_on,
                },
                pk_map=self.sites,
            )
        if formats.HOUSEHOLDS.name in present:
            self._households()
        self._pathways()
        if formats.MEASURES.name in present:
            changed_measures = self._sync(
                formats.MEASURES,
                Measure,
                folder.measures,
                lambda r: {
                    "pathway_id": self.pathways[r.pathway],
                    "kind": r.kind,
                    "provider_id": self.structures[r.provider] if r.provider else None,
                    "started_on": r.started_on,
                    "ended_on": r.ended_on,
                },
            )
            self.touched.update(self.pathways[r.pathway] for r in folder.measures if r.id in changed_measures)
        if formats.LABELS.name in present:
            self._labels()
        write_places(self, self._count)

    # --- households and their reference person -------------------------------------------------------

    def _households(self) -> None:
        rows = self.folder.households
        before = {}
        if self.folder.with_names:
            before = self._reference_members([r.id for r in rows])
        changed_households = self._sync(
            formats.HOUSEHOLDS,
            Household,
            rows,
            lambda r: {
                "composition": r.composition,
                "adults": r.adults,
                "children": r.children,
                "created_on": r.created_on,
                "confidential": r.confidential,
            },
            pk_map=self.households,
        )
        # Households already in the database whose values the import changes: their version moves on, so
        # that an edit form opened before the import is refused as stale (pathways.services.household_update).
        known = set(self.households) - self.synced_new
        self.changed_households.update(self.households[external_id] for external_id in changed_households & known)
        if not self.folder.with_names:
            self._bump_versions(changed_households & known)
            return
        counts = self._count(formats.HOUSEHOLDS)
        new_members, changed_members = [], []
        anonymised = _anonymised_households()
        for row in rows:
            # An empty name leaves a known person as it is: clearing names is anonymisation, not import.
            # An anonymised file stays anonymous whatever an older file says of it.
            if not row.last_name or self.households[row.id] in anonymised:
                continue
            values = {"last_name": row.last_name, "first_name": row.first_name, "birth_date": row.birth_date}
            member = before.get(row.id)
            if member is None:
                new_members.append(
                    (
                        self.households[row.id],
                        Relationship.REFERENCE,
                        row.last_name,
                        row.first_name,
                        row.birth_date,
                        normalize_name(f"{row.last_name} {row.first_name}"),
                    )
                )
            elif any(getattr(member, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(member, name, value)
                changed_members.append(member)
            else:
                continue
            if row.id not in changed_households:
                changed_households.add(row.id)
                counts.unchanged -= 1
                counts.updated += 1
        for member in changed_members:
            member.search_name = normalize_name(f"{member.last_name} {member.first_name}")
        insert_rows(
            Member,
            ["household_id", "relationship", "last_name", "first_name", "birth_date", "search_name"],
            new_members,
        )
        Member.objects.bulk_update(
            changed_members, ["last_name", "first_name", "birth_date", "search_name"], batch_size=BATCH
        )
        self._bump_versions(changed_households & known)

    def _bump_versions(self, external_ids) -> None:
        pks = [self.households[external_id] for external_id in external_ids]
        for chunk in chunks(pks):
            Household.objects.filter(pk__in=chunk).update(version=F("version") + 1)

    def _reference_members(self, external_ids) -> dict[str, Member]:
        """The reference person of each stored household of `external_ids`. By household primary key, two
        index reads per chunk: a join on the household's external id is planned as a full read of the
        members once earlier buckets have written many of them in the transaction (not yet analysed)."""
        members: dict[str, Member] = {}
        for chunk in chunks(external_ids):
            stored = dict(Household.objects.filter(external_id__in=chunk).values_list("pk", "external_id"))
            if not stored:
                continue
            query = Member.objects.filter(household_id__in=list(stored), relationship=Relationship.REFERENCE)
            for member in query.order_by("id"):  # the first reference person, when a file has several
                members.setdefault(stored[member.household_id], member)
        return members

    # --- pathways and their histories -----------------------------------------------------------------

    def _pathways(self) -> None:
        folder = self.folder
        present = folder.present
        rows = folder.pathways if formats.PATHWAYS.name in present else []
        row_ids = {r.id for r in rows}
        # Each child file replaces its kind of rows for the pathways of pathways.csv and those it names.
        scopes = {
            name: (row_ids | set(grouped)) if name in present else set()
            for name, grouped in (
                (formats.SITUATIONS.name, folder.situations),
                (formats.TRANSITIONS.name, folder.transitions),
                (formats.CONTACTS.name, folder.contacts),
            )
        }
        named = row_ids.union(*scopes.values())
        stored = _existing(
            Pathway,
            named,
            "household_id",
            "referent_structure_id",
            "commune_id",
            "opened_on",
            "dalo",
            "stage",
            "stage_on",
            "last_activity_on",
            "current_situation",
            "current_situation_since",
            "household_composition",
            "version",
        )
        by_pk = {values["pk"]: external_id for external_id, values in stored.items()}
        for external_id, values in stored.items():
            self.pathways[external_id] = values["pk"]

        def old_rows(name, query, fields):
            scope = [stored[p]["pk"] for p in scopes[name] if p in stored]
            grouped: dict[str, list] = {}
            for chunk in chunks(scope):
                for values in query.filter(pathway_id__in=chunk).values_list("pathway_id", *fields):
                    grouped.setdefault(by_pk[values[0]], []).append(values[1:])
            return grouped

        # The reasons of an anonymised file's transitions stay cleared (pathways/anonymisation.py).
        anonymised = _anonymised_households()
        household_of = {r.id: self.households[r.household] for r in rows}
        silenced = {
            p for p in folder.transitions if household_of.get(p, stored.get(p, {}).get("household_id")) in anonymised
        }
        new_transitions = {
            p: [
                (
                    t.stage,
                    t.date,
                    t.housing_kind,
                    t.housing_commune,
                    self.structures[t.landlord] if t.landlord else None,
                    "" if p in silenced else t.reason,
                )
                for t in history
            ]
            for p, history in folder.transitions.items()
        }
        transition_fields = ("stage", "date", "housing_kind", "housing_commune_id", "landlord_id", "reason")
        changed_transitions = self._diff(
            formats.TRANSITIONS,
            scopes[formats.TRANSITIONS.name],
            new_transitions,
            old_rows(formats.TRANSITIONS.name, Transition.objects.order_by("pathway_id", "seq"), transition_fields),
            key=lambda rows: dict(enumerate(rows)),
        )
        changed_situations = self._diff(
            formats.SITUATIONS,
            scopes[formats.SITUATIONS.name],
            folder.situations,
            old_rows(formats.SITUATIONS.name, Situation.objects.all(), ("situation", "since")),
            key=lambda rows: {since: situation for situation, since in rows},
        )
        changed_contacts = self._diff(
            formats.CONTACTS,
            scopes[formats.CONTACTS.name],
            folder.contacts,
            old_rows(formats.CONTACTS.name, Contact.objects.all(), ("date", "kind")),
            key=None,
        )
        latest_contact = self._latest_contacts(
            [stored[p]["pk"] for p in changed_transitions - scopes[formats.CONTACTS.name] if p in stored]
        )
        for p in scopes[formats.CONTACTS.name]:
            latest_contact[p] = max((on for on, _ in folder.contacts.get(p, ())), default=None)

        composition_of = self._compositions({self.households[r.household] for r in rows})
        counts = self._count(formats.PATHWAYS) if formats.PATHWAYS.name in present else Counts()
        to_create, to_update, assignments = [], [], []
        rows_by_id = {r.id: r for r in rows}
        for external_id in sorted(named):
            row = rows_by_id.get(external_id)
            old = stored.get(external_id)
            values = dict(old) if old else {"version": 1}
            values.pop("external_id", None)
            if row is not None:
                values.update(
                    household_id=self.households[row.household],
                    referent_structure_id=self.structures[row.structure],
                    commune_id=row.commune,
                    opened_on=row.opened_on,
                    dalo=row.dalo,
                )
            own_change = old is not None and any(values[k] != old[k] for k in values)
            if external_id in changed_transitions or external_id in changed_contacts or old is None:
                history = new_transitions.get(external_id)
                if history:
                    values["stage"], values["stage_on"] = history[-1][0], history[-1][1]
                contact = latest_contact.get(external_id)
                values["last_activity_on"] = max(values["stage_on"], contact) if contact else values["stage_on"]
            if external_id in changed_situations or old is None:
                # The latest situation, as the services keep it (pathways.models.Pathway.current_situation).
                latest = max(folder.situations.get(external_id, ()), key=lambda row: row[1], default=None)
                values["current_situation"], values["current_situation_since"] = latest or ("", None)
            changed = old is None or any(values[k] != old[k] for k in values)
            # After the comparison: a household's new composition is no change of its pathways (their
            # version stays), and _spread_compositions gives it to the stored ones.
            values["household_composition"] = composition_of.get(
                values["household_id"], values.get("household_composition", "")
            )
            if row is not None:
                if old is None:
                    counts.created += 1
                elif own_change:
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            if old is None:
                to_create.append((external_id, *(values[name] for name in PATHWAY_FIELDS)))
            elif changed or external_id in changed_situations:
                values["version"] = old["version"] + 1
                to_update.append(Pathway(external_id=external_id, **values))
                if values["referent_structure_id"] != old["referent_structure_id"]:
                    assignments.append((old["pk"], values["referent_structure_id"]))
        self.heartbeat()
        ids = insert_rows(Pathway, ["external_id", *PATHWAY_FIELDS], to_create, returning_ids=True)
        self.heartbeat()
        self.pathways.update(zip((row[0] for row in to_create), ids, strict=True))
        self.touched.update(ids)
        self.touched.update(pathway.pk for pathway in to_update)
        self.touched.update(self.pathways[p] for p in changed_transitions | changed_situations)
        structure_at = 1 + PATHWAY_FIELDS.index("referent_structure_id")
        assignments.extend((pk, row[structure_at]) for pk, row in zip(ids, to_create, strict=True))
        Pathway.objects.bulk_update(
            to_update,
            [
                "household",
                "referent_structure",
                "commune",
                "opened_on",
                "dalo",
                "stage",
                "stage_on",
                "last_activity_on",
                "current_situation",
                "current_situation_since",
                "household_composition",
                "version",
            ],
            batch_size=BATCH,
        )
        self._spread_compositions(composition_of)
        insert_rows(Assignment, ["pathway_id", "structure_id"], assignments)
        created = {row[0] for row in to_create}
        self._replace(
            Transition,
            [
                "pathway_id",
                "seq",
                "stage",
                "date",
                "housing_kind",
                "housing_commune_id",
                "landlord_id",
                "reason",
                "next_stage",
                "next_date",
                "dwelling_kind",
                "dwelling_commune_id",
            ],
            changed_transitions,
            created,
            lambda pk, p: _transition_rows(pk, new_transitions.get(p, ())),
        )
        self._replace(
            Situation,
            ["pathway_id", "situation", "since"],
            changed_situations,
            created,
            lambda pk, p: [(pk, *row) for row in folder.situations.get(p, ())],
        )
        self._replace(
            Contact,
            ["pathway_id", "date", "kind"],
            changed_contacts,
            created,
            lambda pk, p: [(pk, *row) for row in folder.contacts.get(p, ())],
        )

    def _compositions(self, household_pks: set[int]) -> dict[int, str]:
        """The composition of each household, by pk: the folder's, else the stored one."""
        compositions = {self.households[r.id]: r.composition for r in self.folder.households}
        missing = [pk for pk in household_pks if pk not in compositions]
        for chunk in chunks(missing):
            compositions.update(Household.objects.filter(pk__in=chunk).values_list("pk", "composition"))
        return compositions

    def _spread_compositions(self, composition_of: dict[int, str]) -> None:
        """The pathways of the stored households whose composition the folder changed, including those the
        folder does not name, take it (pathways.models.Pathway.household_composition)."""
        by_composition: dict[str, list[int]] = {}
        for pk in self.changed_households:
            by_composition.setdefault(composition_of[pk], []).append(pk)
        for composition, pks in by_composition.items():
            for chunk in chunks(pks):
                Pathway.objects.filter(household_id__in=chunk).exclude(household_composition=composition).update(
                    household_composition=composition
                )

    def _diff(self, fmt, scope, new, old, *, key) -> set[str]:
        """Count a child file's rows against the stored ones; returns the pathways whose rows differ.
        `key` turns a pathway's rows into {identity: row}; None for rows without identity (a multiset)."""
        counts = self._count(fmt) if fmt.name in self.folder.present else Counts()
        changed = set()
        for pathway in scope:
            new_rows, old_rows = new.get(pathway, []), old.get(pathway, [])
            if key is None:
                new_count, old_count = Counter(new_rows), Counter(old_rows)
                common = sum((new_count & old_count).values())
                counts.unchanged += common
                counts.created += len(new_rows) - common
                counts.deleted += len(old_rows) - common
                if new_count != old_count:
                    changed.add(pathway)
                continue
            new_keyed, old_keyed = key(new_rows), key(old_rows)
            if new_keyed == old_keyed:
                counts.unchanged += len(new_rows)
                continue
            changed.add(pathway)
            for k, value in new_keyed.items():
                if k not in old_keyed:
                    counts.created += 1
                elif old_keyed[k] != value:
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            counts.deleted += len(old_keyed.keys() - new_keyed.keys())
        return changed

    def _latest_contacts(self, pathway_pks) -> dict[str, date | None]:
        by_pk = {pk: external_id for external_id, pk in self.pathways.items()}
        latest = {}
        for chunk in chunks(pathway_pks):
            for pk, on in Contact.objects.filter(pathway_id__in=chunk).values_list("pathway_id").annotate(Max("date")):
                latest[by_pk[pk]] = on
        return latest

    def _replace(self, model, fields: list[str], pathways: set[str], created: set[str], build) -> None:
        """Delete the stored rows of `pathways` (none for those just created), then insert `build`'s."""
        # The transition log refuses DELETE on PostgreSQL except in this context: the replacement of a
        # pathway's whole history by the folder's (pathways.models.Transition).
        with transition_history_replacement():
            for chunk in chunks([self.pathways[p] for p in pathways - created]):
                model.objects.filter(pathway_id__in=chunk).delete()
                self.heartbeat()
        insert_rows(model, fields, [row for p in sorted(pathways) for row in build(self.pathways[p], p)])

    # --- labels: identified by territory, label and start date ----------------------------------------

    def _labels(self) -> None:
        counts = self._count(formats.LABELS)
        stored = {}
        for label in Label.objects.all():
            kind, _, code = label.territory_code.partition(":")
            stored[(kind, code, label.kind, label.started_on)] = label
        to_create, to_update = [], []
        for row in self.folder.labels:
            label = stored.get((row.territory_kind, row.territory_code, row.label, row.started_on))
            if label is None:
                to_create.append(
                    Label(
                        kind=row.label,
                        started_on=row.started_on,
                        ended_on=row.ended_on,
                        **{f"{row.territory_kind}_id": row.territory_code},
                    )
                )
            elif label.ended_on != row.ended_on:
                label.ended_on = row.ended_on
                to_update.append(label)
            else:
                counts.unchanged += 1
        Label.objects.bulk_create(to_create, batch_size=BATCH)
        Label.objects.bulk_update(to_update, ["ended_on"])
        counts.created += len(to_create)
        counts.updated += len(to_update)
