import pytest

from pathways.enums import Stage
from pathways.perms import can_coordinate, can_do_casework, can_record_stage, can_see_names
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.territories.factories import StructureFactory


@pytest.mark.django_db
def test_only_coordinators_record_the_orientation_decision():
    caseworker = UserFactory(caseworker=True)
    coordinator = UserFactory(coordinator=True)
    administrator = UserFactory(administrator=True)
    assert can_record_stage(caseworker, Stage.EVALUATION)
    assert not can_record_stage(caseworker, Stage.ORIENTE)
    assert can_record_stage(coordinator, Stage.ORIENTE)
    assert not can_do_casework(administrator)
    assert not can_coordinate(caseworker)


@pytest.mark.django_db
def test_confidential_names_only_inside_the_referent_structure(geo):
    own, other = StructureFactory(), StructureFactory()
    household = HouseholdFactory(confidential=True)
    PathwayFactory(household=household, referent_structure=own, commune=geo.marseille)
    assert can_see_names(UserFactory(structures=[own]), household)
    assert not can_see_names(UserFactory(structures=[other]), household)
    assert not can_see_names(UserFactory(coordinator=True), household)
    household.confidential = False
    assert can_see_names(UserFactory(structures=[other]), household)
