"""Shared people and places of the casework tests (imported by the other test_casework_* modules)."""

import datetime

import pytest

from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.territories.factories import StructureFactory

OPENED = datetime.date(2024, 1, 15)


class World:
    pass


@pytest.fixture
def world(geo):
    w = World()
    w.geo = geo
    w.accueil = StructureFactory(name="Accueil Marseille", commune=geo.marseille)
    w.abri = StructureFactory(name="Abri Nice", commune=geo.nice)
    w.ana = UserFactory(username="ana", first_name="Ana", last_name="Référente", structures=[w.accueil])
    w.bob = UserFactory(username="bob", first_name="Bob", last_name="Autre", structures=[w.abri])
    w.coord = UserFactory(username="coord", coordinator=True, territories="departement:13")
    w.coord_06 = UserFactory(username="coord06", coordinator=True, territories="departement:06")
    w.admin = UserFactory(username="admin", administrator=True, is_staff=True)
    w.observer = UserFactory(username="obs", observer=True)
    w.household = HouseholdFactory(
        members=[
            {"last_name": "Benali", "first_name": "Samir", "birth_date": datetime.date(1980, 5, 2)},
            {"last_name": "Benali", "first_name": "Nora", "relationship": "conjoint"},
        ],
        composition="couple_sans_enfant",
        adults=2,
    )
    w.pathway = PathwayFactory(
        household=w.household, referent_structure=w.accueil, commune=geo.marseille, opened_on=OPENED
    )
    return w


def test_world_is_consistent(world):
    assert world.pathway.stage == "demande"
    assert world.pathway.version == 1
