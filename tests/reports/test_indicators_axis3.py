import datetime

from pathways import services
from pathways.enums import MeasureKind, Stage
from reports.catalogue import CATALOGUE
from territories.territory import parse_territory
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance

START, END = datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)


def figure(code, territory="region:93", start=START, end=END):
    return CATALOGUE[code].compute(parse_territory(territory), start, end)


def measure(pathway, started_on, ended_on=None, kind=MeasureKind.AVDL_HORS_DALO):
    row = services.measure_open(pathway=pathway, kind=kind, started_on=started_on, by=None)
    if ended_on:
        services.measure_close(measure=row, ended_on=ended_on, by=None)
    return row


def test_parcours_ouverts_counts_opening_dates_in_the_period(geo):
    first_day = PathwayFactory(commune=geo.marseille, opened_on=START)
    last_day = PathwayFactory(commune=geo.nice, opened_on=END)
    PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2019, 12, 31))
    PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2021, 1, 1))
    PathwayFactory(commune=geo.paris, opened_on=datetime.date(2020, 6, 1))
    # Reopened in P, opened before it: its opening date stays the first one.
    reopened = PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2019, 3, 1))
    advance(reopened, Stage.PERDU_DE_VUE, on=datetime.date(2019, 9, 1))
    advance(reopened, Stage.DEMANDE, on=datetime.date(2020, 3, 1))

    result = figure("parcours_ouverts")

    assert result.value == 2
    assert result.record_ids == sorted([first_day.pk, last_day.pk])
    assert figure("parcours_ouverts", "commune:13201").record_ids == [first_day.pk]
    assert figure("parcours_ouverts", "region:11").value == 1
    assert figure("parcours_ouverts", "france").value == 3


def test_mesures_accompagnement_ouvertes_counts_measures_started_in_the_period(geo):
    pathway = PathwayFactory(commune=geo.toulon, opened_on=datetime.date(2019, 1, 1))
    first = measure(pathway, START, datetime.date(2020, 2, 1))
    second = measure(pathway, END, kind=MeasureKind.ASLL)  # same household, a second measure counts
    measure(pathway, datetime.date(2019, 12, 31))  # started before P, even if still active
    measure(PathwayFactory(commune=geo.paris, opened_on=START), datetime.date(2020, 5, 1))

    result = figure("mesures_accompagnement_ouvertes")

    assert result.value == 2
    assert result.record_ids == sorted([first.pk, second.pk])
    assert figure("mesures_accompagnement_ouvertes", "departement:83").value == 2
    assert figure("mesures_accompagnement_ouvertes", "epci:200054807").value == 0


def test_menages_accompagnes_counts_distinct_households_with_a_measure_active_in_the_period(geo):
    twice = HouseholdFactory()
    first_pathway = PathwayFactory(commune=geo.marseille, household=twice, opened_on=datetime.date(2018, 1, 1))
    measure(first_pathway, datetime.date(2018, 1, 1))  # never ended: active in P
    measure(first_pathway, datetime.date(2020, 3, 1), datetime.date(2020, 4, 1))
    second_pathway = PathwayFactory(commune=geo.aix, household=twice, opened_on=datetime.date(2020, 5, 1))
    measure(second_pathway, datetime.date(2020, 5, 1))
    # Ended on the first day of P: active for one day of P.
    ended_on_start = PathwayFactory(commune=geo.nice, opened_on=datetime.date(2019, 1, 1))
    measure(ended_on_start, datetime.date(2019, 1, 1), START)
    # Started on the last day of P.
    started_on_end = PathwayFactory(commune=geo.gap, opened_on=END)
    measure(started_on_end, END)
    # Ended the day before P, started the day after: not accompanied in P.
    ended_before = PathwayFactory(commune=geo.nice, opened_on=datetime.date(2019, 1, 1))
    measure(ended_before, datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    started_after = PathwayFactory(commune=geo.nice, opened_on=datetime.date(2021, 1, 1))
    measure(started_after, datetime.date(2021, 1, 1))
    # A pathway without measure is not accompanied in this sense.
    PathwayFactory(commune=geo.nice, opened_on=START)
    measure(PathwayFactory(commune=geo.paris, opened_on=START), START)

    result = figure("menages_accompagnes")

    assert result.value == 3
    expected = [twice.pk, ended_on_start.household_id, started_on_end.household_id]
    assert result.record_ids == sorted(expected)
    assert figure("menages_accompagnes", "commune:13001").record_ids == [twice.pk]
    assert figure("menages_accompagnes", "france").value == 4
