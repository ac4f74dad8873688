"""A bilan run computes its cells (whole period, each year, each sub-territory) grouped, in a few queries
per indicator: each cell must be exactly the indicator computed alone on it, on random histories, for a
région, a département (whose EPCI may reach beyond it) and France, over plan years and over a period
cut in the middle of years (the cohort of `taux_maintien_12_mois` is shifted a year back)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways.enums import SituationKind, Stage
from reports.catalogue import CATALOGUE
from reports.enums import FigureScope
from reports.indicators.breakdown import compute_cells, run_cells, years_of
from territories.territory import FRANCE, parse_territory
from tests.facts.histories import OPERATION, START, apply
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance

PERIODS = [
    (datetime.date(2021, 1, 1), datetime.date(2022, 12, 31)),
    (datetime.date(2021, 3, 15), datetime.date(2023, 2, 28)),
]


def history(geo, operations):
    household = HouseholdFactory()
    pathways = [
        PathwayFactory(commune=geo.marseille, opened_on=START, household=household, situation=SituationKind.CHRS),
        PathwayFactory(commune=geo.nice, opened_on=START, dalo=True, situation=SituationKind.RUE),
        PathwayFactory(commune=geo.avignon, opened_on=START, stage=Stage.REPERAGE),
    ]
    advance(pathways[0], *ROAD_TO_ENTREE, on=START + datetime.timedelta(days=200))
    days = [200, 0, 0]
    for operation in operations:
        try:
            with transaction.atomic():
                apply(operation, pathways, geo, days)
        except ValidationError:
            pass


def assert_cells_are_computed_alone(territory, start, end):
    cells = run_cells(territory, start, end)
    for code, indicator in CATALOGUE.items():
        grouped = compute_cells(indicator, cells)
        assert set(grouped) == set(cells), code
        for cell in cells:
            alone = indicator.compute(cell.territory, cell.start, cell.end)
            assert grouped[cell] == alone, (code, cell, grouped[cell].record_ids, alone.record_ids)


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, max_size=25))
def test_each_cell_of_a_run_is_its_indicator_computed_alone(geo, operations):
    with transaction.atomic():
        history(geo, operations)
        for text in ("region:93", "departement:13"):
            for start, end in PERIODS:
                assert_cells_are_computed_alone(parse_territory(text), start, end)
        assert_cells_are_computed_alone(FRANCE, *PERIODS[1])
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_cells_of_a_run(geo):
    cells = run_cells(parse_territory("region:93"), datetime.date(2019, 3, 1), datetime.date(2020, 6, 30))
    assert [(c.scope, c.year, c.start, c.end) for c in cells if c.scope != FigureScope.SUB_TERRITORY] == [
        (FigureScope.TOTAL, None, datetime.date(2019, 3, 1), datetime.date(2020, 6, 30)),
        (FigureScope.YEAR, 2019, datetime.date(2019, 3, 1), datetime.date(2019, 12, 31)),
        (FigureScope.YEAR, 2020, datetime.date(2020, 1, 1), datetime.date(2020, 6, 30)),
    ]
    children = [c.territory.key for c in cells if c.scope == FigureScope.SUB_TERRITORY]
    assert children == [f"departement:{code}" for code in ("04", "05", "06", "13", "83", "84")]
    assert years_of(datetime.date(2020, 5, 1), datetime.date(2020, 5, 31)) == [
        (2020, datetime.date(2020, 5, 1), datetime.date(2020, 5, 31))
    ]


@pytest.mark.django_db
def test_a_run_groups_its_indicators_in_a_few_queries(geo, django_assert_max_num_queries):
    history(geo, [("move", 1, 0, 10), ("measure", 2, 30)])
    cells = run_cells(parse_territory("region:93"), *PERIODS[0])
    grouped = [code for code, indicator in CATALOGUE.items() if hasattr(indicator.compute, "breakdown")]
    assert len(grouped) == 13
    for code in grouped:
        # Figures and ids, grouped by year then by sub-territory; a stage on a day: once per distinct day.
        with django_assert_max_num_queries(6, info=code):
            compute_cells(CATALOGUE[code], cells)
