import datetime

from reports.catalogue import CATALOGUE
from territories.models import Epci
from territories.territory import parse_territory
from tests.territories.factories import LabelFactory

START, END = datetime.date(2018, 1, 1), datetime.date(2022, 12, 31)


def figure(code, territory="region:93", start=START, end=END):
    return CATALOGUE[code].compute(parse_territory(territory), start, end)


def label(*, started_on, ended_on=None, epci=None, commune=None, departement_id=None):
    return LabelFactory(
        epci=epci, commune=commune, departement_id=departement_id, started_on=started_on, ended_on=ended_on
    )


def test_territoires_acceleres_counts_the_reference_bilan_five_territories(geo):
    # The DREETS PACA bilan: two metropolises and an agglomeration in 2018 and 2021, one town in 2021.
    labels = [
        label(epci=geo.nca, started_on=datetime.date(2018, 3, 1)),
        label(epci=geo.sophia, started_on=datetime.date(2018, 3, 1)),
        label(epci=geo.amp, started_on=datetime.date(2021, 2, 1)),
        label(epci=Epci.objects.get(siren="248300543"), started_on=datetime.date(2021, 2, 1)),
        label(commune=geo.avignon, started_on=datetime.date(2021, 2, 1)),
    ]
    label(commune=geo.paris, started_on=datetime.date(2018, 3, 1))  # outside T

    result = figure("territoires_acceleres")

    assert result.value == 5
    assert result.record_ids == sorted(row.pk for row in labels)
    assert figure("territoires_acceleres", "france").value == 6
    assert figure("territoires_acceleres", "departement:06").value == 2


def test_territoires_acceleres_needs_one_labelled_day_in_the_period(geo):
    ended_on_start = label(commune=geo.gap, started_on=datetime.date(2016, 1, 1), ended_on=START)
    started_on_end = label(commune=geo.toulon, started_on=END)
    label(commune=geo.aix, started_on=datetime.date(2016, 1, 1), ended_on=datetime.date(2017, 12, 31))
    label(commune=geo.nice, started_on=datetime.date(2023, 1, 1))

    result = figure("territoires_acceleres")

    assert result.value == 2
    assert result.record_ids == sorted([ended_on_start.pk, started_on_end.pk])


def test_territoires_acceleres_counts_a_territory_once_and_its_epci_or_departement_for_a_commune(geo):
    first = label(epci=geo.amp, started_on=datetime.date(2018, 1, 1), ended_on=datetime.date(2019, 12, 31))
    renewed = label(epci=geo.amp, started_on=datetime.date(2020, 1, 1))  # the same territory, renewed
    departement = label(departement_id="13", started_on=datetime.date(2019, 1, 1))
    label(epci=geo.nca, started_on=datetime.date(2018, 1, 1))

    result = figure("territoires_acceleres", "commune:13201")

    # Marseille itself holds no label: its EPCI and its département count for it.
    assert result.value == 2
    assert result.record_ids == sorted([first.pk, renewed.pk, departement.pk])
    assert figure("territoires_acceleres", "commune:13001").value == 2
    assert figure("territoires_acceleres", "commune:06088").value == 1
    assert figure("territoires_acceleres", "commune:84007").value == 0
    assert figure("territoires_acceleres").value == 3
