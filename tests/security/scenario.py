"""One world for the security tests: a user of every role, and real records in and out of each one's scope.

- structure A (Marseille) and structure B (Aix) in the Bouches-du-Rhône, structure N in Nice
  (Alpes-Maritimes); one household with a pathway and an open measure in each, and a confidential one
  in A (its names are read inside A only);
- caseworkers of A and of B, coordinators of the départements 13 and 06, administrators of the régions
  93 and 11, an observer of the région 93, a superuser;
- bilans: département 13 finished (one unpublished, one published), région 93 published, région 11
  published (the other administrator's);
- import jobs of each administrator, failed with errors.

Every household member bears a name found nowhere else, so a response body can be scanned for names the
role must not read."""

import datetime
import re
from dataclasses import dataclass, field

from accounts.enums import Role
from accounts.groups import reference_data_group
from accounts.invitations import invitation_send
from accounts.models import User
from pathways import services
from pathways.enums import ImportStatus, MeasureKind, SituationKind, Stage
from pathways.models import Household, ImportJob, Measure, Pathway
from reports.enums import PeriodKind
from reports.models import BilanFigure, BilanRun
from reports.services import bilan_run_execute, bilan_run_publish, bilan_run_request
from territories.models import Structure
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.geo import make_geo
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import StructureFactory

# The roles of the matrix, in the order of its report.
ROLES = (
    "anonymous",
    "caseworker_a",
    "caseworker_b",
    "coordinator",
    "coordinator_other",
    "administrator",
    "administrator_other",
    "observer",
    "superuser",
)

# Household member names (last, first), each a word that no page, label or territory holds.
NAMES = {
    "a": ("Quasimodzik", "Ysolde"),
    "b": ("Brizbourlak", "Ferdinande"),
    "n": ("Niczolvatre", "Hippolyte"),
    "c": ("Kryptovaldez", "Theodorine"),  # confidential, structure A
}


@dataclass
class Case:
    """A household of one structure with its pathway and an open measure."""

    household: Household
    pathway: Pathway
    measure: Measure

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.household.members.values_list("last_name", flat=True)) + tuple(
            self.household.members.values_list("first_name", flat=True)
        )


@dataclass
class World:
    users: dict[str, User | None]
    structures: dict[str, Structure]
    cases: dict[str, Case]  # "a", "b", "n", "c" (confidential, A)
    runs: dict[str, BilanRun]  # "d13", "d13_published", "r93_published", "r11_published"
    figures: dict[str, BilanFigure]  # one figure with pathway records per run
    jobs: dict[str, ImportJob]  # "mine" (administrator's), "other" (administrator_other's)
    extra: dict = field(default_factory=dict)


def _case(key: str, structure: Structure, commune, caseworker, *, confidential: bool = False) -> Case:
    last, first = NAMES[key]
    pathway = PathwayFactory(
        household=HouseholdFactory(confidential=confidential, members=[{"last_name": last, "first_name": first}]),
        referent_structure=structure,
        caseworker=caseworker,
        commune=commune,
        opened_on=datetime.date(2020, 3, 2),
        situation=SituationKind.RUE,
    )
    advance(pathway, Stage.EVALUATION, Stage.ATTENTE_ORIENTATION, on=datetime.date(2020, 4, 1))
    measure = services.measure_open(
        pathway=pathway, kind=MeasureKind.ASG, started_on=datetime.date(2020, 4, 2), by=None
    )
    pathway.refresh_from_db()
    return Case(pathway.household, pathway, measure)


def _run(territory: str, by: User, *, published: bool) -> BilanRun:
    run = bilan_run_request(
        territory=parse_territory(territory),
        start=datetime.date(2018, 1, 1),
        end=datetime.date(2022, 12, 31),
        by=by,
        period_kind=PeriodKind.PLAN_2018_2022,
    )
    run = bilan_run_execute(run_id=run.pk)
    if published:
        run = bilan_run_publish(run=run, by=by)
    run.refresh_from_db()
    return run


def _figure(run: BilanRun) -> BilanFigure:
    """A figure whose records are pathways, so its drill-down lists case files (any figure of a run
    without pathways)."""
    figures = BilanFigure.objects.filter(run=run).order_by("pk")
    return figures.filter(record_model="pathways.Pathway").exclude(record_ids=b"").first() or figures.first()


def _job(by: User) -> ImportJob:
    return ImportJob.objects.create(
        uploaded_by=by,
        file_name="menages.csv",
        file_size=10,
        content=b"",
        status=ImportStatus.FAILED,
        errors=[{"file": "menages.csv", "line": 2, "column": "nom", "message": "Valeur manquante."}],
    )


def make_world() -> World:
    geo = make_geo()
    structures = {
        "a": StructureFactory(name="Association Alpha", commune=geo.marseille),
        "b": StructureFactory(name="Bailleur Beta", commune=geo.aix),
        "n": StructureFactory(name="Association Azur", commune=geo.nice),
    }
    group = reference_data_group()
    administrator = UserFactory(username="admin93", role=Role.ADMINISTRATOR, territories="region:93", is_staff=True)
    administrator_other = UserFactory(
        username="admin11", role=Role.ADMINISTRATOR, territories="region:11", is_staff=True
    )
    for user in (administrator, administrator_other):
        user.groups.add(group)
    users = {
        "anonymous": None,
        "caseworker_a": UserFactory(username="cw_a", structures=[structures["a"]]),
        "caseworker_b": UserFactory(username="cw_b", structures=[structures["b"]]),
        "coordinator": UserFactory(username="coord13", role=Role.COORDINATOR, territories="departement:13"),
        "coordinator_other": UserFactory(username="coord06", role=Role.COORDINATOR, territories="departement:06"),
        "administrator": administrator,
        "administrator_other": administrator_other,
        "observer": UserFactory(username="obs93", role=Role.OBSERVER, territories="region:93"),
        "superuser": UserFactory(username="root", role="", is_superuser=True, is_staff=True),
    }
    cases = {
        "a": _case("a", structures["a"], geo.marseille, users["caseworker_a"]),
        "b": _case("b", structures["b"], geo.aix, users["caseworker_b"]),
        "n": _case("n", structures["n"], geo.nice, None),
        "c": _case("c", structures["a"], geo.marseille, None, confidential=True),
    }
    runs = {
        "d13": _run("departement:13", administrator, published=False),
        "d13_published": _run("departement:13", administrator, published=True),
        "r93_published": _run("region:93", administrator, published=True),
        "r11_published": _run("region:11", administrator_other, published=True),
    }
    figures = {key: _figure(run) for key, run in runs.items()}
    jobs = {"mine": _job(administrator), "other": _job(administrator_other)}
    world = World(users=users, structures=structures, cases=cases, runs=runs, figures=figures, jobs=jobs)
    world.extra["invitation_token"] = _invitation_token(administrator)
    world.extra.update(_places(structures, geo))
    return world


def _places(structures, geo) -> dict:
    """Places (places app): a site of A in Marseille with a vacant place and a place proposed to a
    household of B (names outside NAMES), and a site of N in Nice with a vacant place."""
    from places.services import place_create, proposal_create
    from tests.territories.factories import SiteFactory

    site_a = SiteFactory(structure=structures["a"], commune=geo.marseille, places=2)
    site_n = SiteFactory(structure=structures["n"], commune=geo.nice, places=1)
    on = datetime.date(2020, 5, 1)
    vacant_a = place_create(site=site_a, label="T1 A", persons_max=2, vacant_from=on, by=None)
    proposed_a = place_create(site=site_a, label="T2 A", persons_max=3, vacant_from=on, by=None)
    vacant_n = place_create(site=site_n, label="T1 N", persons_max=2, vacant_from=on, by=None)
    pathway = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Placeholderova", "first_name": "Pia"}]),
        referent_structure=structures["b"],
        commune=geo.aix,
        opened_on=datetime.date(2020, 3, 2),
    )
    advance(pathway, Stage.ORIENTE, on=datetime.date(2020, 4, 1))
    proposal = proposal_create(place=proposed_a, pathway=pathway, on=datetime.date(2020, 5, 2), by=None)
    return {
        "sites": {"a": site_a, "n": site_n},
        "places": {"a": vacant_a, "n": vacant_n},
        "proposals": {"a": proposal},
    }


def _invitation_token(by: User) -> str:
    """A pending invitation of a new account, and the token of the link its email carries."""
    from django.core import mail

    invited = UserFactory(username="invited", email="invitee@example.org", role=Role.OBSERVER, territories="region:93")
    invitation_send(user=invited, by=by, base_url="http://testserver")
    match = re.search(r"/compte/invitation/([^/\s]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)
