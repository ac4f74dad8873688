"""Returns after housing and the time to housing (steering/returns.py; docs/indicateurs.md, « Pilotage
mensuel »): exact shares and medians on three households housed in 2022."""

import datetime

import pytest

from pathways import services
from pathways.enums import SituationKind, Stage
from steering.returns import returns_after_housing
from territories.territory import Territory
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance

D = datetime.date
BDR = Territory("departement", "13", "Bouches-du-Rhône")


@pytest.fixture
def housed_in_2022(geo):
    # 1: on the street since 1 July 2021, opened 1 January 2022, housed on 2 March (60 days; 244 from
    # the situation's start), lost the housing on 1 August (152 days after the move-in).
    one = PathwayFactory(commune=geo.marseille, opened_on=D(2022, 1, 1), situation=SituationKind.RUE)
    services.situation_record(pathway=one, situation=SituationKind.RUE, since=D(2021, 7, 1), by=None)
    advance(one, *ROAD_TO_ENTREE, on=D(2022, 3, 2))
    advance(one, Stage.RUPTURE, on=D(2022, 8, 1))
    # 2: housed on 1 May (120 days), the household opens a new pathway on 1 March 2023 (304 days after).
    household = HouseholdFactory()
    two = PathwayFactory(
        commune=geo.marseille, household=household, opened_on=D(2022, 1, 1), situation=SituationKind.CHRS
    )
    advance(two, *ROAD_TO_ENTREE, on=D(2022, 5, 1))
    advance(two, Stage.SORTIE_LOGEE, on=D(2022, 12, 1))
    PathwayFactory(commune=geo.aix, household=household, opened_on=D(2023, 3, 1), situation=SituationKind.CHU)
    # 3: housed on 30 November (333 days), no return.
    three = PathwayFactory(commune=geo.aix, opened_on=D(2022, 1, 1), situation=SituationKind.CHRS)
    advance(three, *ROAD_TO_ENTREE, on=D(2022, 11, 30))
    # Elsewhere: a move-in in Nice is not in the cohort of the département.
    PathwayFactory(commune=geo.nice, opened_on=D(2022, 1, 1), situation=SituationKind.RUE, housed=True)


def shares(result):
    return [(h.months, h.followed, h.returned, h.share) for h in result.horizons]


@pytest.mark.django_db
def test_returns_within_6_12_and_24_months(housed_in_2022):
    result = returns_after_housing(BDR, D(2022, 1, 1), D(2022, 12, 31), today=D(2026, 12, 3))
    assert result.move_ins == 3
    assert shares(result) == [(6, 3, 1, 33.3), (12, 3, 2, 66.7), (24, 3, 2, 66.7)]


@pytest.mark.django_db
def test_a_horizon_counts_only_the_move_ins_followed_that_long(housed_in_2022):
    result = returns_after_housing(BDR, D(2022, 1, 1), D(2022, 12, 31), today=D(2023, 1, 1))
    # 183 days before 1 January 2023 is 2 July 2022: the move-ins of March and May only.
    assert shares(result) == [(6, 2, 1, 50.0), (12, 0, 0, None), (24, 0, 0, None)]


@pytest.mark.django_db
def test_median_time_to_housing_from_the_opening_and_from_the_situation_start(housed_in_2022):
    result = returns_after_housing(BDR, D(2022, 1, 1), D(2022, 12, 31), today=D(2026, 12, 3))
    assert (result.median_from_opening, result.median_from_situation) == (120.0, 244.0)


@pytest.mark.django_db
def test_a_street_situation_recorded_after_the_move_in_is_a_return(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=D(2022, 1, 1), situation=SituationKind.CHRS)
    advance(pathway, *ROAD_TO_ENTREE, on=D(2022, 2, 1))
    services.situation_record(pathway=pathway, situation=SituationKind.SQUAT, since=D(2022, 4, 1), by=None)
    result = returns_after_housing(BDR, D(2022, 1, 1), D(2022, 12, 31), today=D(2026, 12, 3))
    assert shares(result)[0] == (6, 1, 1, 100.0)


@pytest.mark.django_db
def test_an_empty_cohort(geo):
    result = returns_after_housing(BDR, D(2022, 1, 1), D(2022, 12, 31), today=D(2026, 12, 3))
    assert (result.move_ins, shares(result)[0], result.median_from_opening) == (0, (6, 0, 0, None), None)
