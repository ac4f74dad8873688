"""A small world for the notifications tests: two structures of the Bouches-du-Rhône, their caseworkers,
a coordinator and an administrator, and households whose members bear names found nowhere else, so an
email or a page can be scanned for them."""

import datetime
from dataclasses import dataclass

import pytest

from accounts.models import User
from pathways.enums import Stage
from pathways.models import Pathway
from territories.models import Structure
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import StructureFactory

NAMES = ("Zébulonovitch", "Anastabelle", "Krumpfeldt", "Orsolinde")


@dataclass
class World:
    alpha: Structure
    beta: Structure
    ana: User  # caseworker of Alpha
    alex: User  # caseworker of Alpha
    bea: User  # caseworker of Beta
    coord: User
    admin: User
    pathway: Pathway  # Alpha's, followed by Ana, waiting for an orientation
    other: Pathway  # Beta's, no designated caseworker


@pytest.fixture
def world(geo):
    alpha = StructureFactory(name="Association Alpha", commune=geo.marseille)
    beta = StructureFactory(name="Bailleur Beta", commune=geo.aix)
    ana = UserFactory(username="ana", caseworker=True, structures=[alpha], email="ana@example.org")
    alex = UserFactory(username="alex", caseworker=True, structures=[alpha], email="alex@example.org")
    bea = UserFactory(username="bea", caseworker=True, structures=[beta], email="bea@example.org")
    coord = UserFactory(username="coord", coordinator=True, email="coord@example.org")
    admin = UserFactory(username="dreets", administrator=True, email="dreets@example.org")
    pathway = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": NAMES[0], "first_name": NAMES[1]}]),
        referent_structure=alpha,
        caseworker=ana,
        commune=geo.marseille,
        opened_on=datetime.date(2024, 1, 10),
    )
    advance(pathway, Stage.EVALUATION, Stage.ATTENTE_ORIENTATION, on=datetime.date(2024, 2, 1))
    other = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": NAMES[2], "first_name": NAMES[3]}]),
        referent_structure=beta,
        commune=geo.aix,
        opened_on=datetime.date(2024, 1, 10),
    )
    pathway.refresh_from_db()
    other.refresh_from_db()
    return World(alpha, beta, ana, alex, bea, coord, admin, pathway, other)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the emails) of what the block does, as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def no_name_in(text: str) -> bool:
    lowered = text.lower()
    return not any(name.lower() in lowered for name in NAMES)
