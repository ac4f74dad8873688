import pytest

from reports import services
from reports.enums import PeriodKind, RunStatus
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.reports.bilan_scenario import END, START, make_scenario


@pytest.fixture
def admin():
    """The administrator of région 93."""
    return UserFactory(username="dreets", administrator=True)


@pytest.fixture
def run(geo, admin, django_capture_on_commit_callbacks):
    """A finished 2018-2022 bilan of région 93 on the scenario of bilan_scenario.py."""
    make_scenario(geo)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.bilan_run_request(
            territory=parse_territory("region:93"),
            start=START,
            end=END,
            by=admin,
            period_kind=PeriodKind.PLAN_2018_2022,
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run
