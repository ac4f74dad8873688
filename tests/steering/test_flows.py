"""Monthly flows of the active pathways (steering/flows.py; docs/indicateurs.md, « Pilotage mensuel »):
exact stocks, inflow and outflow by entry and exit, both breakdowns and the balance, on a small scenario."""

import datetime

import pytest

from facts.models import Entry, Exit
from pathways.enums import Composition, SituationKind, Stage
from project.months import last_complete_months, months_between
from steering.flows import monthly_flows
from territories.territory import Territory
from tests.pathways.factories import PathwayFactory, advance

D = datetime.date
BDR = Territory("departement", "13", "Bouches-du-Rhône")
PACA = Territory("region", "93", "Provence-Alpes-Côte d'Azur")


def table(flows):
    return [(f.month.key, f.start, f.inflow_total, f.outflow_total, f.end, f.balanced) for f in flows.total]


@pytest.mark.django_db
def test_stocks_inflow_outflow_of_a_departement(scenario):
    flows = monthly_flows(BDR, months_between(D(2024, 1, 1), D(2024, 4, 30)))
    assert table(flows) == [
        ("2024-01", 1, 1, 0, 2, True),
        ("2024-02", 2, 1, 2, 1, True),
        ("2024-03", 1, 0, 1, 0, True),
        ("2024-04", 0, 1, 0, 1, True),
    ]
    jan, feb, mar, apr = flows.total
    assert jan.inflow == {Entry.NEW: 1, Entry.AFTER_HOUSING: 0, Entry.AFTER_INACTIVITY: 0}
    assert feb.outflow == {Exit.HOUSED: 0, Exit.INACTIVE: 1, Exit.CLOSED: 1}
    assert mar.outflow == {Exit.HOUSED: 1, Exit.INACTIVE: 0, Exit.CLOSED: 0}
    assert apr.inflow == {Entry.NEW: 0, Entry.AFTER_HOUSING: 0, Entry.AFTER_INACTIVITY: 1}
    assert flows.balanced


@pytest.mark.django_db
def test_breakdowns_by_composition_and_situation_group(scenario):
    flows = monthly_flows(BDR, months_between(D(2024, 1, 1), D(2024, 4, 30)))
    by_composition = {
        c: [(f.start, f.inflow_total, f.outflow_total, f.end) for f in rows]
        for c, rows in flows.by["composition"].items()
    }
    assert by_composition == {
        Composition.PERSONNE_SEULE: [(1, 0, 0, 1), (1, 1, 2, 0), (0, 0, 0, 0), (0, 1, 0, 1)],
        Composition.COUPLE_AVEC_ENFANTS: [(0, 1, 0, 1), (1, 0, 0, 1), (1, 0, 1, 0), (0, 0, 0, 0)],
    }
    assert list(flows.by["situation_group"]) == ["sans_abri", "hebergement"]
    assert [f.end for f in flows.by["situation_group"]["hebergement"]] == [1, 0, 0, 1]


@pytest.mark.django_db
def test_the_region_counts_its_other_departements(scenario):
    flows = monthly_flows(PACA, months_between(D(2024, 1, 1), D(2024, 1, 31)))
    # D opened on 20 January in Nice.
    assert table(flows) == [("2024-01", 1, 2, 0, 3, True)]


@pytest.mark.django_db
def test_a_pathway_in_and_out_within_a_month_is_in_both_flows_and_in_no_stock(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=D(2024, 5, 2), situation=SituationKind.RUE)
    advance(pathway, Stage.RENONCIATION, on=D(2024, 5, 20))
    flows = monthly_flows(BDR, months_between(D(2024, 5, 1), D(2024, 5, 31)))
    assert table(flows) == [("2024-05", 0, 1, 1, 0, True)]


def test_the_last_24_complete_months():
    months = last_complete_months(D(2026, 12, 3))
    assert (len(months), months[0].key, months[-1].key, months[-1].last) == (24, "2024-12", "2026-11", D(2026, 11, 30))
    assert [m.key for m in months_between(D(2024, 11, 15), D(2025, 2, 1))] == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]


@pytest.mark.django_db
def test_a_window_starting_while_pathways_are_active(scenario):
    # From February: A (since 10 January) and B (since 1 December, inactive from 29 February) are active
    # on 31 January; B leaves in the window's first month.
    flows = monthly_flows(BDR, months_between(D(2024, 2, 1), D(2024, 3, 31)))
    assert table(flows) == [("2024-02", 2, 1, 2, 1, True), ("2024-03", 1, 0, 1, 0, True)]
