"""The bench's hand-written SQL (benchmarks/hand_sql.py) gives the product's figures: on the bilan
scenario of tests/reports and on the edge cases the two definitions name, for several territories and
periods (so the ratio printed by `make bench` compares two computations of the same number)."""

import datetime

import pytest

from benchmarks import hand_sql
from pathways import services
from pathways.enums import HousingKind, SituationKind, Stage
from reports.catalogue import CATALOGUE
from territories.territory import parse_territory
from tests.pathways.factories import ROAD_TO_ENTREE, PathwayFactory, advance
from tests.reports.bilan_scenario import END, START, housed, make_scenario

D = datetime.date
TERRITORIES = ["region:93", "departement:13", "departement:06", "epci:200054807", "commune:13055", "commune:13201"]
PERIODS = [(START, END), (D(2019, 1, 1), D(2019, 12, 31)), (D(2020, 1, 1), D(2021, 6, 30))]


def _edge_cases(geo):
    # A cancelled lease (next transition `oriente`), from a CHRS: not an attribution.
    cancelled = housed(geo.marseille, SituationKind.CHU, opened=D(2019, 1, 5), leased=D(2019, 3, 1))
    services.pathway_transition(pathway=cancelled, to_stage=Stage.ORIENTE, on=D(2023, 1, 10), by=None)
    # Sheltered only after the lease: the situation on the lease's date counts (street), not the later one.
    late = housed(geo.marseille, SituationKind.RUE, opened=D(2019, 1, 5), leased=D(2019, 4, 1))
    services.situation_record(pathway=late, situation=SituationKind.CHRS, since=D(2019, 4, 2), by=None)
    # A CHRS household of Nice housed in Aix: the dwelling's commune counts.
    elsewhere = PathwayFactory(commune=geo.nice, opened_on=D(2020, 2, 1), situation=SituationKind.HOTEL_115)
    advance(elsewhere, *ROAD_TO_ENTREE[:6], on=D(2020, 3, 1))
    advance(elsewhere, Stage.BAIL_SIGNE, on=D(2020, 3, 1), housing_commune=geo.aix)
    # Private rental: not a social-housing attribution, still a pre-housing stage on its date.
    private = PathwayFactory(commune=geo.toulon, opened_on=D(2021, 1, 1), situation=SituationKind.CHRS)
    advance(private, *ROAD_TO_ENTREE[:4], on=D(2021, 2, 1))
    advance(private, Stage.BAIL_SIGNE, on=D(2021, 3, 1), housing_kind=HousingKind.PARC_PRIVE)
    # Pre-housing stages on the end date, closed ones, a lease and a move-in on the same day, a pathway
    # opened after the period.
    PathwayFactory(commune=geo.gap, opened_on=D(2018, 6, 1))
    PathwayFactory(commune=geo.marseille, opened_on=D(2019, 6, 1), stage=Stage.REPERAGE)
    lost = PathwayFactory(commune=geo.marseille, opened_on=D(2019, 6, 1))
    advance(lost, Stage.PERDU_DE_VUE, on=D(2020, 6, 1))
    advance(lost, Stage.DEMANDE, on=D(2021, 6, 1))
    same_day = PathwayFactory(commune=geo.antibes, opened_on=D(2019, 6, 1))
    advance(same_day, *ROAD_TO_ENTREE, on=D(2020, 1, 15))
    PathwayFactory(commune=geo.marseille, opened_on=D(2023, 2, 1))
    PathwayFactory(commune=geo.paris, opened_on=D(2019, 2, 1))


@pytest.fixture
def scenario(geo):
    make_scenario(geo)
    _edge_cases(geo)


@pytest.mark.parametrize("code", sorted(hand_sql.FIGURES))
def test_hand_sql_equals_the_product(scenario, code):
    compared = 0
    for territory in TERRITORIES:
        for start, end in PERIODS:
            product = CATALOGUE[code].compute(parse_territory(territory), start, end).value
            assert hand_sql.compute(code, territory, start, end) == product, (territory, start, end)
            compared += 1
    assert compared == len(TERRITORIES) * len(PERIODS)


def test_known_figures(scenario):
    # The 6 CHRS households of the scenario and the hotel household of Nice housed in Aix.
    assert hand_sql.compute("attributions_sortants_hebergement", "region:93", START, END) == 7
    assert hand_sql.compute("attributions_sortants_hebergement", "departement:06", START, END) == 0
    assert hand_sql.compute("attributions_sortants_hebergement", "commune:13201", START, END) == 6
    # At the end of 2022: the 2 street leases and the Nice lease of the scenario, the cancelled and late
    # leases (at bail_signe until 2023), the Aix lease (pathway of Nice), the private lease of Toulon, the
    # demand of Gap, the spotting and the reopened demand of Marseille.
    assert hand_sql.compute("parcours_actifs_fin_periode", "region:93", START, END) == 10
    # At the end of 2019 in Marseille: the cancelled and late leases, the spotting, the lost one (in
    # demande until 2020) and the 2 street pathways (in demande until their road of 2020); the 6 CHRS
    # households moved in that year.
    assert hand_sql.compute("parcours_actifs_fin_periode", "commune:13055", D(2019, 1, 1), D(2019, 12, 31)) == 6


def test_unknown_territory_kind_is_refused():
    with pytest.raises(ValueError):
        hand_sql.territory_condition("planete:3", "c")
