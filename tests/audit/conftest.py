"""People and records for the read-logging tests: a household in the scope of a caseworker and of a
coordinator, with an open measure; a failed import whose errors quote a name; a finished bilan whose
households (bilan_scenario) are all named « Zorglub »."""

import datetime
from types import SimpleNamespace

import pytest

from pathways import services
from pathways.enums import ImportStatus
from reports.enums import PeriodKind, RunStatus
from reports.services import bilan_run_request
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.reports.bilan_scenario import END, START, make_scenario
from tests.territories.factories import StructureFactory

# Names found nowhere else in a page: a response that contains one shows a case file.
NAMES = ("Benali", "Zorglub")


@pytest.fixture
def world(geo):
    w = SimpleNamespace(geo=geo)
    w.accueil = StructureFactory(name="Accueil Marseille", commune=geo.marseille)
    w.ana = UserFactory(username="ana", structures=[w.accueil])
    w.coord = UserFactory(username="coord", coordinator=True, territories="departement:13")
    w.admin = UserFactory(username="dreets", administrator=True, is_staff=True)
    w.root = UserFactory(username="root", is_superuser=True, is_staff=True)
    w.household = HouseholdFactory(
        members=[{"last_name": "Benali", "first_name": "Samir", "birth_date": datetime.date(1980, 5, 2)}]
    )
    w.pathway = PathwayFactory(
        household=w.household, referent_structure=w.accueil, commune=geo.marseille, opened_on=datetime.date(2024, 1, 2)
    )
    w.measure = services.measure_open(pathway=w.pathway, kind="asll", started_on=datetime.date(2024, 1, 3), by=None)
    return w


@pytest.fixture
def job(world):
    from pathways.models import ImportJob

    return ImportJob.objects.create(
        uploaded_by=world.admin,
        file_name="echange.zip",
        file_size=3,
        content=b"abc",
        status=ImportStatus.FAILED,
        errors=[{"file": "membres.csv", "line": 2, "column": "nom", "message": "« Benali » : date invalide"}],
    )


@pytest.fixture
def run(world, django_capture_on_commit_callbacks):
    make_scenario(world.geo)
    with django_capture_on_commit_callbacks(execute=True):
        run = bilan_run_request(
            territory=parse_territory("region:93"),
            start=START,
            end=END,
            by=world.admin,
            period_kind=PeriodKind.PLAN_2018_2022,
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run
