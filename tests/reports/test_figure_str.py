from datetime import date
from decimal import Decimal

import pytest

from reports.enums import FigureScope, PeriodKind, RunStatus
from reports.models import BilanFigure, BilanRun
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return BilanRun.objects.create(
        territory_kind="region",
        territory_code="93",
        territory_name="Provence-Alpes-Côte d'Azur",
        start=date(2018, 1, 1),
        end=date(2022, 12, 31),
        period_kind=PeriodKind.PLAN_2018_2022,
        requested_by=UserFactory(administrator=True),
        status=RunStatus.DONE,
    )


def figure(run, code, scope, **fields) -> BilanFigure:
    return BilanFigure.objects.create(
        run=run,
        indicator_code=code,
        record_model="pathways.Transition",
        scope=scope,
        territory_code=fields.pop("territory_code", "region:93"),
        territory_name=fields.pop("territory_name", "Provence-Alpes-Côte d'Azur"),
        **fields,
    )


def test_a_figure_reads_in_french_with_its_label_scope_and_formatted_value(run):
    rate = figure(run, "taux_maintien_12_mois", FigureScope.YEAR, year=2021, decimal_value=Decimal("85.3"))
    count = figure(run, "attributions_total", FigureScope.TOTAL, count_value=4146)
    local = figure(
        run,
        "attributions_total",
        FigureScope.SUB_TERRITORY,
        territory_code="departement:13",
        territory_name="Bouches-du-Rhône",
        count_value=0,
    )
    empty = figure(run, "taux_maintien_12_mois", FigureScope.YEAR, year=2018)
    retired = figure(run, "ancien_indicateur", FigureScope.TOTAL, count_value=7)
    assert str(rate) == "Taux de maintien dans le logement à 12 mois, année 2021 : 85,3\u00a0%"
    assert str(count) == "Attributions de logements sociaux, période entière : 4\u00a0146"
    assert str(local) == "Attributions de logements sociaux, Bouches-du-Rhône : 0"
    assert str(empty) == "Taux de maintien dans le logement à 12 mois, année 2018 : —"
    # An indicator no longer in the catalogue still reads, by its code.
    assert str(retired) == "ancien_indicateur, période entière : 7"
