"""The files of the exchange format and their columns (spec: exchange-format.md), in dependency order."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FileFormat:
    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]


STRUCTURES = FileFormat("structures.csv", ("id", "name", "kind", "commune"), ("id", "name", "kind"))
SITES = FileFormat(
    "sites.csv",
    ("id", "structure", "kind", "commune", "places", "opened_on", "closed_on"),
    ("id", "structure", "kind", "commune", "places", "opened_on"),
)
PERSONAL_COLUMNS = ("last_name", "first_name", "birth_date")
HOUSEHOLDS = FileFormat(
    "households.csv",
    ("id", "composition", "adults", "children", "created_on", "confidential", *PERSONAL_COLUMNS),
    ("id", "composition", "adults", "children", "created_on"),
)
PATHWAYS = FileFormat(
    "pathways.csv",
    ("id", "household", "structure", "commune", "opened_on", "dalo"),
    ("id", "household", "structure", "commune", "opened_on"),
)
SITUATIONS = FileFormat("situations.csv", ("pathway", "situation", "since"), ("pathway", "situation", "since"))
TRANSITIONS = FileFormat(
    "transitions.csv",
    ("pathway", "stage", "date", "housing_kind", "housing_commune", "landlord", "reason"),
    ("pathway", "stage", "date"),
)
CONTACTS = FileFormat("contacts.csv", ("pathway", "date", "kind"), ("pathway", "date", "kind"))
MEASURES = FileFormat(
    "measures.csv",
    ("id", "pathway", "kind", "provider", "started_on", "ended_on"),
    ("id", "pathway", "kind", "started_on"),
)
LABELS = FileFormat(
    "labels.csv", ("territory", "label", "started_on", "ended_on"), ("territory", "label", "started_on")
)

# The supply of places and its life (places app, docs/echange.md « Places, propositions, occupations »).
PLACES = FileFormat(
    "places.csv",
    (
        "id",
        "site",
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
        "pathway",
    ),
    ("id", "site", "label", "persons_min", "persons_max", "bedrooms", "state", "state_since"),
)
PROPOSALS = FileFormat(
    "proposals.csv",
    ("place", "pathway", "proposed_on", "status", "decline_reason", "answered_on", "waiting_since", "note"),
    ("place", "pathway", "proposed_on", "status"),
)
OCCUPANCIES = FileFormat(
    "occupancies.csv",
    ("place", "pathway", "reserved_on", "started_on", "ended_on", "end_reason"),
    ("place", "pathway", "reserved_on"),
)

FORMATS = (
    STRUCTURES,
    SITES,
    HOUSEHOLDS,
    PATHWAYS,
    SITUATIONS,
    TRANSITIONS,
    CONTACTS,
    MEASURES,
    LABELS,
    PLACES,
    PROPOSALS,
    OCCUPANCIES,
)
BY_NAME = {f.name: f for f in FORMATS}
# Stage-machine field keys (pathways.stages) -> transitions.csv columns.
TRANSITION_COLUMNS = {
    "stage": "stage",
    "date": "date",
    "housing_kind": "housing_kind",
    "housing_commune": "housing_commune",
    "reason": "reason",
}
SITUATION_COLUMNS = {"situation": "situation", "since": "since"}
LABEL_TERRITORY_KINDS = ("commune", "epci", "departement")
