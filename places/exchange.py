"""The places of the exchange format: places.csv, proposals.csv, occupancies.csv (docs/echange.md).

Validation runs inside pathways.exchange.validation.Validator (every error collected, nothing written);
the rules are the services' own (places.services.place_errors and answer_errors, the codes of
places.enums) and the database's constraints restated as row errors: a place is never proposed nor
occupied twice at once, a pathway never holds two places. The writer matches places on their external
id, proposals on (place, pathway, proposed on) and occupancies on (place, pathway, reserved on): a row
identical to the stored one is left alone, so importing the same folder twice changes nothing. Rows of
the database that the folder does not name are kept (a proposal or an occupancy is history).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from pathways.exchange import formats
from pathways.exchange.validation import chunks
from places.enums import (
    DECLINED_STATUSES,
    HELD_STATES,
    OccupancyEnd,
    PlaceState,
    ProposalStatus,
    UnavailableReason,
)
from places.models import Occupancy, Place, PlaceEvent, Proposal
from places.services import answer_errors, place_errors
from territories.enums import SiteKind
from territories.models import Site

VACANCY_STATES = (PlaceState.VACANT, PlaceState.PROPOSED)
IMPORT_NOTE = "import"
# Shown instead of the free text of a confidential household's proposal (it stays in its structure).
CONFIDENTIAL_NOTE = "(précisions confidentielles, non exportées)"
PLACE_PREFIX = "PL"


@dataclass(slots=True)
class PlaceRow:
    line: int
    id: str
    site: str
    label: str
    kind: str
    persons_min: int
    persons_max: int
    bedrooms: int
    reduced_mobility: bool
    pets_allowed: bool
    state: str
    state_since: date
    vacant_since: date | None
    unavailable_reason: str
    pathway: str | None


@dataclass(slots=True)
class ProposalRow:
    line: int
    place: str
    pathway: str
    proposed_on: date
    status: str
    decline_reason: str
    answered_on: date | None
    waiting_since: date
    note: str

    @property
    def key(self) -> tuple:
        return (self.place, self.pathway, self.proposed_on)


@dataclass(slots=True)
class OccupancyRow:
    line: int
    place: str
    pathway: str
    reserved_on: date
    started_on: date | None
    ended_on: date | None
    end_reason: str

    @property
    def key(self) -> tuple:
        return (self.place, self.pathway, self.reserved_on)


@dataclass
class PlacesFolder:
    places: list[PlaceRow] = field(default_factory=list)
    proposals: list[ProposalRow] = field(default_factory=list)
    occupancies: list[OccupancyRow] = field(default_factory=list)
    # Stored records the folder refers to: external id -> pk (sites: with their kind).
    known_sites: dict[str, tuple[int, str]] = field(default_factory=dict)
    known_places: dict[str, int] = field(default_factory=dict)


def _overlap(a: tuple[date, date | None], b: tuple[date, date | None]) -> bool:
    """Two occupancies [reserved, ended) overlap; an open one runs for ever; ending on the day the next
    one is reserved is no overlap (the services free then give a place on the same day)."""
    a_end, b_end = a[1] or date.max, b[1] or date.max
    return a[0] < b_end and b[0] < a_end


class PlacesValidation:
    """Called by the exchange Validator once the pathways are checked; `v` is that validator."""

    def __init__(self, validator):
        self.v = validator
        self.folder = PlacesFolder()
        validator.folder.places = self.folder

    # --- references -----------------------------------------------------------------------------------

    def load_references(self) -> set[str]:
        """Stored sites and places the files name; returns the pathway ids they name."""
        v = self.v
        place_ids = v._ids(formats.PLACES)
        wanted_sites = v._refs(formats.PLACES, "site") - v._ids(formats.SITES)
        for chunk in chunks(wanted_sites):
            for external_id, pk, kind in Site.objects.filter(external_id__in=chunk).values_list(
                "external_id", "pk", "kind"
            ):
                self.folder.known_sites[external_id] = (pk, kind)
        wanted_places = v._refs(formats.PROPOSALS, "place") | v._refs(formats.OCCUPANCIES, "place")
        for chunk in chunks(wanted_places - place_ids):
            self.folder.known_places.update(
                Place.objects.filter(external_id__in=chunk).values_list("external_id", "pk")
            )
        return (
            v._refs(formats.PLACES, "pathway")
            | v._refs(formats.PROPOSALS, "pathway")
            | v._refs(formats.OCCUPANCIES, "pathway")
        )

    def _place_ref(self, row, column: str = "place") -> str | None:
        value = row.text(column, required=True)
        if value and value not in self.place_ids and value not in self.folder.known_places:
            row.add(column, f"Place inconnue : « {value} » (ni dans places.csv ni importée auparavant).")
        return value or None

    def run(self) -> None:
        v = self.v
        self.place_ids = v._ids(formats.PLACES)
        self.site_kinds = {s.id: s.kind for s in v.folder.sites}
        self._places()
        self._proposals()
        self._occupancies()
        self._check_holders()

    # --- places.csv ----------------------------------------------------------------------------------

    def _places(self) -> None:
        v = self.v
        seen: dict[str, int] = {}
        holders: dict[str, int] = {}
        for row in v._rows(formats.PLACES):
            site = row.text("site", required=True)
            if site and site not in self.site_kinds and site not in self.folder.known_sites:
                row.add("site", f"Lieu inconnu : « {site} » (ni dans sites.csv ni importé auparavant).")
            kind = row.text("kind")
            if kind and kind not in SiteKind.values:
                row.add(
                    "kind", f"Type de place inconnu : « {kind} ». Valeurs possibles : {', '.join(SiteKind.values)}."
                )
            if not kind:
                kind = self.site_kinds.get(site) or self.folder.known_sites.get(site, (None, ""))[1]
            record = PlaceRow(
                row.line,
                v._unique_id(row, seen),
                site,
                row.text("label", required=True),
                kind,
                row.int("persons_min", minimum=1),
                row.int("persons_max", minimum=1),
                row.int("bedrooms", minimum=0),
                row.bool("reduced_mobility"),
                row.bool("pets_allowed"),
                row.choice("state", PlaceState, "État inconnu"),
                row.date("state_since", required=True),
                row.date("vacant_since"),
                row.text("unavailable_reason"),
                row.text("pathway") or None,
            )
            if len(record.label) > 100:
                row.add("label", "La désignation ne peut pas dépasser 100 caractères.")
            if None not in (record.persons_min, record.persons_max, record.bedrooms):
                for column, message in place_errors(
                    persons_min=record.persons_min, persons_max=record.persons_max, bedrooms=record.bedrooms
                ).items():
                    row.add(column, message)
            self._check_state(row, record, holders)
            if row.close():
                self.folder.places.append(record)

    def _check_state(self, row, record: PlaceRow, holders: dict[str, int]) -> None:
        v = self.v
        state, since = record.state, record.state_since
        for column, day in (("state_since", since), ("vacant_since", record.vacant_since)):
            if day and day > v.today:
                row.add(column, "La date ne peut pas être dans le futur.")
        if state not in PlaceState.values:
            return
        if state in VACANCY_STATES:
            if record.vacant_since is None and "vacant_since" not in row.errors:
                row.add("vacant_since", "Obligatoire pour une place vacante ou proposée (début de la vacance).")
            elif since and record.vacant_since and record.vacant_since > since:
                row.add("vacant_since", "Le début de la vacance ne peut pas suivre la date de l'état (state_since).")
        elif record.vacant_since:
            row.add("vacant_since", "Seule une place vacante ou proposée a un début de vacance.")
        reason = record.unavailable_reason
        if state == PlaceState.UNAVAILABLE:
            if not reason:
                row.add("unavailable_reason", "Obligatoire pour une place indisponible.")
            elif reason not in UnavailableReason.values:
                row.add(
                    "unavailable_reason",
                    f"Motif d'indisponibilité inconnu : « {reason} ». Valeurs possibles : "
                    f"{', '.join(UnavailableReason.values)}.",
                )
        elif reason and state:
            row.add("unavailable_reason", "Seule une place indisponible a un motif d'indisponibilité.")
        pathway = record.pathway
        if state in HELD_STATES:
            if not pathway:
                row.add("pathway", "Obligatoire pour une place proposée ou occupée (le parcours qui la tient).")
            else:
                v._reference(row, "pathway", kind="pathway")
                if pathway in holders:
                    row.add(
                        "pathway",
                        f"Ce parcours tient déjà la place de la ligne {holders[pathway]} : "
                        "un parcours ne tient qu'une place à la fois.",
                    )
                else:
                    holders[pathway] = row.line
        elif pathway and state:
            row.add("pathway", "Seule une place proposée ou occupée nomme un parcours.")

    # --- proposals.csv -------------------------------------------------------------------------------

    def _proposals(self) -> None:
        v = self.v
        seen: dict[tuple, int] = {}
        pending_place: dict[str, int] = {}
        pending_pathway: dict[str, int] = {}
        for row in v._rows(formats.PROPOSALS):
            place = self._place_ref(row)
            pathway = v._reference(row, "pathway", kind="pathway")
            proposed_on = row.date("proposed_on", required=True)
            status = row.choice("status", ProposalStatus, "Réponse inconnue")
            reason = row.text("decline_reason")
            answered_on = row.date("answered_on")
            waiting_since = row.date("waiting_since")
            note = row.text("note")
            if proposed_on and proposed_on > v.today:
                row.add("proposed_on", "La date ne peut pas être dans le futur.")
            if waiting_since and proposed_on and waiting_since > proposed_on:
                row.add("waiting_since", "Le début de l'attente ne peut pas suivre la proposition.")
            if status == ProposalStatus.PENDING:
                if answered_on:
                    row.add("answered_on", "Une proposition en attente n'a pas encore de réponse.")
                if reason:
                    row.add("decline_reason", "Seule une proposition refusée a un motif de refus.")
            elif status == ProposalStatus.WITHDRAWN:
                if reason:
                    row.add("decline_reason", "Seule une proposition refusée a un motif de refus.")
                if answered_on is None and "answered_on" not in row.errors:
                    row.add("answered_on", "Obligatoire : la date du retrait.")
                elif answered_on and proposed_on and answered_on < proposed_on:
                    row.add("answered_on", "Le retrait ne peut pas précéder la proposition.")
                elif answered_on and answered_on > v.today:
                    row.add("answered_on", "La date ne peut pas être dans le futur.")
            elif status in ProposalStatus.values and "answered_on" not in row.errors:
                # The answer page's own rules (reason codes by decliner, a date, « autre » explained).
                errors = answer_errors(status=status, reason=reason, note=note, on=answered_on, proposed_on=proposed_on)
                columns = {"status": "status", "reason": "decline_reason", "note": "note", "date": "answered_on"}
                for key, message in errors.items():
                    row.add(columns[key], message)
            key = (place, pathway, proposed_on)
            if None not in key and not row.errors:
                if key in seen:
                    row.add("proposed_on", f"Cette proposition est déjà indiquée ligne {seen[key]}.")
                seen.setdefault(key, row.line)
                if status == ProposalStatus.PENDING:
                    for value, taken, noun in (
                        (place, pending_place, "cette place"),
                        (pathway, pending_pathway, "ce parcours"),
                    ):
                        if value in taken:
                            row.add(
                                "status",
                                f"Une autre proposition en attente concerne déjà {noun} (ligne {taken[value]}) : "
                                "une seule à la fois.",
                            )
                        taken.setdefault(value, row.line)
            if row.close():
                self.folder.proposals.append(
                    ProposalRow(
                        row.line,
                        place,
                        pathway,
                        proposed_on,
                        status,
                        reason,
                        answered_on,
                        waiting_since or proposed_on,
                        note,
                    )
                )

    # --- occupancies.csv -----------------------------------------------------------------------------

    def _occupancies(self) -> None:
        v = self.v
        seen: dict[tuple, int] = {}
        spans: dict[tuple[str, str], list[tuple[tuple, int]]] = {}
        for row in v._rows(formats.OCCUPANCIES):
            place = self._place_ref(row)
            pathway = v._reference(row, "pathway", kind="pathway")
            reserved_on = row.date("reserved_on", required=True)
            started_on = row.date("started_on")
            ended_on = row.date("ended_on")
            end_reason = row.text("end_reason")
            for column, day in (("reserved_on", reserved_on), ("started_on", started_on), ("ended_on", ended_on)):
                if day and day > v.today:
                    row.add(column, "La date ne peut pas être dans le futur.")
            if reserved_on and started_on and started_on < reserved_on:
                row.add("started_on", "L'entrée ne peut pas précéder l'attribution (reserved_on).")
            if reserved_on and ended_on and ended_on < reserved_on:
                row.add("ended_on", "La fin ne peut pas précéder l'attribution (reserved_on).")
            if ended_on and not end_reason:
                row.add("end_reason", "Obligatoire pour une occupation terminée.")
            elif end_reason and not ended_on and "ended_on" not in row.errors:
                row.add("end_reason", "Seule une occupation terminée (ended_on) a un motif de fin.")
            elif end_reason and end_reason not in OccupancyEnd.values:
                row.add(
                    "end_reason",
                    f"Motif de fin inconnu : « {end_reason} ». Valeurs possibles : {', '.join(OccupancyEnd.values)}.",
                )
            key = (place, pathway, reserved_on)
            if None not in key and not row.errors:
                if key in seen:
                    row.add("reserved_on", f"Cette occupation est déjà indiquée ligne {seen[key]}.")
                seen.setdefault(key, row.line)
                span = (reserved_on, ended_on)
                for value, noun in ((("place", place), "cette place"), (("pathway", pathway), "ce parcours")):
                    for other, line in spans.get(value, []):
                        if _overlap(span, other) and "reserved_on" not in row.errors:
                            row.add(
                                "reserved_on",
                                f"Cette occupation chevauche celle de la ligne {line} pour {noun} : "
                                "jamais deux occupations à la fois.",
                            )
                    spans.setdefault(value, []).append((span, row.line))
            if row.close():
                self.folder.occupancies.append(
                    OccupancyRow(row.line, place, pathway, reserved_on, started_on, ended_on, end_reason)
                )

    # --- the files together, and the database --------------------------------------------------------

    def _check_holders(self) -> None:
        """A proposed place has its pending proposal, an occupied one its open occupancy, with the same
        pathway (in the folder or already stored), and the reverse; a pending proposal or an open
        occupancy already stored, that the folder does not restate, still holds its place and its
        pathway; a pathway held by a stored place that the folder does not name holds no other."""
        v, folder = self.v, self.folder
        places = {p.id: p for p in folder.places}
        stored_pending, stored_open, stored_holders = self._stored_holdings()
        restated = {p.key for p in folder.proposals} | {o.key for o in folder.occupancies}
        kept_pending = [key for key in stored_pending if key not in restated]
        kept_open = [key for key in stored_open if key not in restated]
        pending = {(p.place, p.pathway) for p in folder.proposals if p.status == ProposalStatus.PENDING}
        pending |= {(place, pathway) for place, pathway, _ in kept_pending}
        open_ = {(o.place, o.pathway) for o in folder.occupancies if o.ended_on is None}
        open_ |= {(place, pathway) for place, pathway, _ in kept_open}
        for record in folder.places:
            if record.state == PlaceState.PROPOSED and (record.id, record.pathway) not in pending:
                v.errors.append(
                    _error(
                        formats.PLACES,
                        record.line,
                        "state",
                        "Place proposée sans proposition en attente pour ce parcours dans proposals.csv.",
                    )
                )
            elif record.state == PlaceState.OCCUPIED and (record.id, record.pathway) not in open_:
                v.errors.append(
                    _error(
                        formats.PLACES,
                        record.line,
                        "state",
                        "Place occupée sans occupation en cours pour ce parcours dans occupancies.csv.",
                    )
                )
            holder = stored_holders.get(record.pathway) if record.pathway else None
            if holder is not None and holder != record.id and holder not in places:
                v.errors.append(
                    _error(
                        formats.PLACES,
                        record.line,
                        "pathway",
                        f"Ce parcours tient déjà la place « {holder} » : un parcours ne tient qu'une place à la fois.",
                    )
                )
        checks = (
            (
                formats.PROPOSALS,
                [p for p in folder.proposals if p.status == ProposalStatus.PENDING],
                PlaceState.PROPOSED,
                kept_pending,
                "proposée",
                "Une proposition en attente déjà enregistrée",
            ),
            (
                formats.OCCUPANCIES,
                [o for o in folder.occupancies if o.ended_on is None],
                PlaceState.OCCUPIED,
                kept_open,
                "occupée",
                "Une occupation en cours déjà enregistrée",
            ),
        )
        for fmt, rows, wanted, kept, noun, what in checks:
            for record in rows:
                place = places.get(record.place)
                if place is not None and (place.state != wanted or place.pathway != record.pathway):
                    v.errors.append(
                        _error(
                            fmt,
                            record.line,
                            "place",
                            f"Dans places.csv (ligne {place.line}), cette place n'est pas {noun} à ce parcours.",
                        )
                    )
                for key in kept:
                    if key != record.key and (key[0] == record.place or key[1] == record.pathway):
                        v.errors.append(
                            _error(
                                fmt,
                                record.line,
                                "place" if key[0] == record.place else "pathway",
                                f"{what} ({key[0]}, {key[1]}, {key[2]:%d/%m/%Y}) tient déjà cette place ou ce "
                                "parcours : indiquez sa réponse ou sa fin dans le fichier.",
                            )
                        )
                        break

    def _stored_holdings(self):
        """Pending proposals and open occupancies already stored (place, pathway, date) for the places
        or the pathways of the folder, and the stored places that hold its pathways, by external ids."""
        folder = self.folder
        names = (
            {p.id for p in folder.places} | {p.place for p in folder.proposals} | {o.place for o in folder.occupancies}
        )
        pathways = {p.pathway for p in folder.places if p.pathway}
        pathways |= {p.pathway for p in folder.proposals} | {o.pathway for o in folder.occupancies}
        pending, open_, holders = [], [], {}
        if not names and not pathways:
            return pending, open_, holders
        where = Q(place__external_id__in=names) | Q(pathway__external_id__in=pathways)
        pending = list(
            Proposal.objects.pending()
            .filter(where)
            .values_list("place__external_id", "pathway__external_id", "proposed_on")
        )
        open_ = list(
            Occupancy.objects.filter(where, ended_on__isnull=True).values_list(
                "place__external_id", "pathway__external_id", "reserved_on"
            )
        )
        for place, pathway in Place.objects.filter(pathway__external_id__in=pathways).values_list(
            "external_id", "pathway__external_id"
        ):
            holders[pathway] = place
        return pending, open_, holders


def _error(fmt, line: int, column: str, message: str):
    from pathways.exchange.reading import RowError

    return RowError(fmt.name, line, column, message)


# --- writing -----------------------------------------------------------------------------------------

PLACE_FIELDS = [
    "site_id",
    "label",
    "kind",
    "persons_min",
    "persons_max",
    "bedrooms",
    "reduced_mobility",
    "pets_allowed",
    "state",
    "state_since",
    "vacant_since",
    "unavailable_reason",
    "pathway_id",
]


def _state_events(place_pk: int, old: dict | None, values: dict) -> list[PlaceEvent]:
    """The history rows a service would have written to reach the imported state: the start of the
    vacancy when it is new, then the state itself unless it is plain vacancy."""
    events = []
    state, vacant_since = values["state"], values["vacant_since"]
    vacancy_is_new = old is None or old["state"] not in VACANCY_STATES or old["vacant_since"] != vacant_since
    if state in VACANCY_STATES and vacancy_is_new:
        events.append(PlaceEvent(place_id=place_pk, state=PlaceState.VACANT, on=vacant_since, note=IMPORT_NOTE))
    if state != PlaceState.VACANT or (not vacancy_is_new and old["state_since"] != values["state_since"]):
        events.append(
            PlaceEvent(
                place_id=place_pk,
                state=state,
                on=values["state_since"],
                unavailable_reason=values["unavailable_reason"],
                pathway_id=values["pathway_id"],
                note=IMPORT_NOTE,
            )
        )
    return events


def write_places(writer, counts_of) -> None:
    """Write the validated places files; `writer` is the importer's (its structures, sites and
    pathways maps), `counts_of(fmt)` its Counts of a file."""
    folder: PlacesFolder = writer.folder.places
    present = writer.folder.present
    place_pks = dict(folder.known_places)
    if formats.PLACES.name in present:
        _write_place_rows(writer, folder, place_pks, counts_of(formats.PLACES))
    if formats.PROPOSALS.name in present:
        _write_proposals(writer, folder, place_pks, counts_of(formats.PROPOSALS))
    if formats.OCCUPANCIES.name in present:
        _write_occupancies(writer, folder, place_pks, counts_of(formats.OCCUPANCIES))


def _write_place_rows(writer, folder: PlacesFolder, place_pks: dict, counts) -> None:
    stored = {}
    for chunk in chunks([r.id for r in folder.places]):
        for values in Place.objects.filter(external_id__in=chunk).values("pk", "external_id", "version", *PLACE_FIELDS):
            stored[values["external_id"]] = values
    sites = {key: pk for key, (pk, _kind) in folder.known_sites.items()} | writer.sites
    to_create, to_update, events = [], [], []
    # A pathway moved from one place to another: the places it leaves are freed first (the database
    # allows one place per pathway at any moment, even inside the transaction).
    releasing = []
    for row in folder.places:
        values = {
            "site_id": sites[row.site],
            "label": row.label,
            "kind": row.kind,
            "persons_min": row.persons_min,
            "persons_max": row.persons_max,
            "bedrooms": row.bedrooms,
            "reduced_mobility": row.reduced_mobility,
            "pets_allowed": row.pets_allowed,
            "state": row.state,
            "state_since": row.state_since,
            "vacant_since": row.vacant_since,
            "unavailable_reason": row.unavailable_reason,
            "pathway_id": writer.pathways[row.pathway] if row.pathway else None,
        }
        old = stored.get(row.id)
        if old is None:
            to_create.append((row.id, values))
            continue
        place_pks[row.id] = old["pk"]
        if all(old[name] == value for name, value in values.items()):
            counts.unchanged += 1
            continue
        counts.updated += 1
        if old["pathway_id"] is not None and old["pathway_id"] != values["pathway_id"]:
            releasing.append(old["pk"])
        to_update.append((old, values))
        state_fields = ("state", "state_since", "vacant_since", "pathway_id", "unavailable_reason")
        if any(old[name] != values[name] for name in state_fields):
            events += _state_events(old["pk"], old, values)
    if releasing:
        # A transient free state satisfying every constraint: vacant since its state date.
        for chunk in chunks(releasing):
            for place in Place.objects.filter(pk__in=chunk):
                Place.objects.filter(pk=place.pk).update(
                    state=PlaceState.VACANT,
                    pathway=None,
                    vacant_since=place.vacant_since or place.state_since,
                    unavailable_reason="",
                )
    created = Place.objects.bulk_create(
        [Place(external_id=external_id, **values) for external_id, values in to_create], batch_size=1000
    )
    for place, (external_id, values) in zip(created, to_create, strict=True):
        place_pks[external_id] = place.pk
        events += _state_events(place.pk, None, values)
    counts.created += len(to_create)
    to_save = []
    for old, values in to_update:
        place = Place(pk=old["pk"], **values)
        # The version moves on: a form opened before the import is refused as stale (places.services).
        place.version = old["version"] + 1
        to_save.append(place)
    Place.objects.bulk_update(
        to_save, [*(name.removesuffix("_id") for name in PLACE_FIELDS), "version"], batch_size=1000
    )
    PlaceEvent.objects.bulk_create(events)


def _write_proposals(writer, folder: PlacesFolder, place_pks: dict, counts) -> None:
    rows = folder.proposals
    wanted_places = {place_pks[r.place] for r in rows}
    stored = {}
    for chunk in chunks(wanted_places):
        for proposal in Proposal.objects.filter(place_id__in=chunk):
            stored[(proposal.place_id, proposal.pathway_id, proposal.proposed_on)] = proposal
    fields = ["status", "decline_reason", "answered_on", "waiting_since", "note"]
    to_create, to_update = [], []
    for row in rows:
        key = (place_pks[row.place], writer.pathways[row.pathway], row.proposed_on)
        values = {
            "status": row.status,
            "decline_reason": row.decline_reason if row.status in DECLINED_STATUSES else "",
            "answered_on": row.answered_on,
            "waiting_since": row.waiting_since,
            "note": row.note,
        }
        proposal = stored.get(key)
        if proposal is None:
            to_create.append(Proposal(place_id=key[0], pathway_id=key[1], proposed_on=row.proposed_on, **values))
        elif any(getattr(proposal, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(proposal, name, value)
            to_update.append(proposal)
        else:
            counts.unchanged += 1
    # Answers first: a proposal answered by the folder frees its place for the folder's next one.
    Proposal.objects.bulk_update(to_update, fields)
    Proposal.objects.bulk_create(to_create)
    counts.created += len(to_create)
    counts.updated += len(to_update)


def _write_occupancies(writer, folder: PlacesFolder, place_pks: dict, counts) -> None:
    rows = folder.occupancies
    wanted_places = {place_pks[r.place] for r in rows}
    stored, accepted = {}, {}
    for chunk in chunks(wanted_places):
        for occupancy in Occupancy.objects.filter(place_id__in=chunk):
            stored[(occupancy.place_id, occupancy.pathway_id, occupancy.reserved_on)] = occupancy
        for pk, place, pathway, on in Proposal.objects.filter(
            place_id__in=chunk, status=ProposalStatus.ACCEPTED, occupancy__isnull=True
        ).values_list("pk", "place_id", "pathway_id", "answered_on"):
            accepted[(place, pathway, on)] = pk
    fields = ["started_on", "ended_on", "end_reason"]
    to_create, to_update = [], []
    for row in rows:
        key = (place_pks[row.place], writer.pathways[row.pathway], row.reserved_on)
        values = {"started_on": row.started_on, "ended_on": row.ended_on, "end_reason": row.end_reason}
        occupancy = stored.get(key)
        if occupancy is None:
            # The accepted proposal of that day, when there is one, is the occupancy's origin.
            to_create.append(
                Occupancy(
                    place_id=key[0],
                    pathway_id=key[1],
                    reserved_on=row.reserved_on,
                    proposal_id=accepted.get(key),
                    **values,
                )
            )
        elif any(getattr(occupancy, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(occupancy, name, value)
            to_update.append(occupancy)
        else:
            counts.unchanged += 1
    Occupancy.objects.bulk_update(to_update, fields)
    Occupancy.objects.bulk_create(to_create)
    counts.created += len(to_create)
    counts.updated += len(to_update)


# --- export ------------------------------------------------------------------------------------------


def place_exchange_id(pk: int, external_id: str | None) -> str:
    return external_id or f"{PLACE_PREFIX}-{pk:06d}"


def export_tables(territory, *, site_id, pathway_id) -> dict[str, tuple[tuple[str, ...], list[list]]]:
    """The places of the sites of `territory`, their proposals and occupancies; {} when there is no
    place (the folder then has no places files). `site_id(pk, external_id)` and `pathway_id(pk,
    external_id)` give the exchange ids the other files use."""
    places = Place.objects.in_territory(territory)
    if not places.exists():
        return {}
    ids = {}
    place_rows = []
    for values in places.values(
        "pk", "external_id", "site_id", "site__external_id", "pathway_id", "pathway__external_id", *PLACE_FIELDS[1:-1]
    ):
        ids[values["pk"]] = place_exchange_id(values["pk"], values["external_id"])
        place_rows.append(
            [
                ids[values["pk"]],
                site_id(values["site_id"], values["site__external_id"]),
                values["label"],
                values["kind"],
                values["persons_min"],
                values["persons_max"],
                values["bedrooms"],
                values["reduced_mobility"],
                values["pets_allowed"],
                values["state"],
                values["state_since"],
                values["vacant_since"],
                values["unavailable_reason"],
                pathway_id(values["pathway_id"], values["pathway__external_id"]) if values["pathway_id"] else None,
            ]
        )
    proposal_rows = [
        [
            ids[place],
            pathway_id(pathway, pathway_ext),
            proposed_on,
            status,
            reason,
            answered_on,
            waiting_since,
            (CONFIDENTIAL_NOTE if note else "") if confidential else note,
        ]
        for place, pathway, pathway_ext, proposed_on, status, reason, answered_on, waiting_since, note, confidential in (
            Proposal.objects.filter(place__in=places)
            .order_by("proposed_on", "id")
            .values_list(
                "place_id",
                "pathway_id",
                "pathway__external_id",
                "proposed_on",
                "status",
                "decline_reason",
                "answered_on",
                "waiting_since",
                "note",
                "pathway__household__confidential",
            )
        )
    ]
    occupancy_rows = [
        [ids[place], pathway_id(pathway, pathway_ext), reserved, started, ended, reason]
        for place, pathway, pathway_ext, reserved, started, ended, reason in (
            Occupancy.objects.filter(place__in=places)
            .order_by("reserved_on", "id")
            .values_list(
                "place_id", "pathway_id", "pathway__external_id", "reserved_on", "started_on", "ended_on", "end_reason"
            )
        )
    ]
    return {
        formats.PLACES.name: (formats.PLACES.columns, place_rows),
        formats.PROPOSALS.name: (formats.PROPOSALS.columns, proposal_rows),
        formats.OCCUPANCIES.name: (formats.OCCUPANCIES.columns, occupancy_rows),
    }
