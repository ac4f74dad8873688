import datetime

from reports.catalogue import CATALOGUE
from reports.indicators import compute_bilan
from territories.enums import SiteKind
from territories.territory import parse_territory
from tests.territories.factories import SiteFactory

START, END = datetime.date(2018, 1, 1), datetime.date(2022, 12, 31)


def figure(code, territory="region:93", start=START, end=END):
    return CATALOGUE[code].compute(parse_territory(territory), start, end)


def site(commune, kind, places, opened_on, closed_on=None):
    return SiteFactory(commune=commune, kind=kind, places=places, opened_on=opened_on, closed_on=closed_on)


def test_places_iml_creees_sums_both_iml_kinds_opened_in_the_period_and_territory(geo):
    sublet = site(geo.marseille, SiteKind.IML_SOUS_LOCATION, 10, datetime.date(2019, 6, 1))
    managed = site(geo.nice, SiteKind.IML_MANDAT_GESTION, 5, START)  # first day of P
    last_day = site(geo.aix, SiteKind.IML_SOUS_LOCATION, 3, END)
    site(geo.marseille, SiteKind.IML_SOUS_LOCATION, 100, datetime.date(2017, 12, 31))  # before P
    site(geo.marseille, SiteKind.IML_SOUS_LOCATION, 100, datetime.date(2023, 1, 1))  # after P
    site(geo.paris, SiteKind.IML_SOUS_LOCATION, 100, datetime.date(2019, 6, 1))  # outside T
    site(geo.marseille, SiteKind.PENSION_FAMILLE, 100, datetime.date(2019, 6, 1))  # other kind
    # A site closed since still counts as created in P.
    closed = site(geo.toulon, SiteKind.IML_MANDAT_GESTION, 2, datetime.date(2019, 1, 1), datetime.date(2020, 1, 1))

    result = figure("places_iml_creees")

    assert result.value == 20
    assert sorted(result.record_ids) == sorted([sublet.pk, managed.pk, last_day.pk, closed.pk])
    # An arrondissement stands for its commune.
    assert figure("places_iml_creees", "commune:13201").value == 10
    assert figure("places_iml_creees", "epci:200054807").value == 13


def test_places_iml_creees_is_zero_not_null_without_site(geo):
    result = figure("places_iml_creees")
    assert result.value == 0
    assert result.record_ids == []


def test_places_pensions_famille_creees_sums_pensions_and_residences_accueil(geo):
    pension = site(geo.avignon, SiteKind.PENSION_FAMILLE, 25, datetime.date(2018, 3, 1))
    accueil = site(geo.gap, SiteKind.RESIDENCE_ACCUEIL, 12, datetime.date(2022, 12, 31))
    site(geo.avignon, SiteKind.RESIDENCE_SOCIALE, 100, datetime.date(2018, 3, 1))  # other kind
    site(geo.paris, SiteKind.PENSION_FAMILLE, 100, datetime.date(2018, 3, 1))  # outside T
    site(geo.gap, SiteKind.PENSION_FAMILLE, 100, datetime.date(2023, 1, 1))  # after P

    result = figure("places_pensions_famille_creees")

    assert result.value == 37
    assert sorted(result.record_ids) == sorted([pension.pk, accueil.pk])
    assert figure("places_pensions_famille_creees", "departement:05").value == 12


def test_places_iml_ouvertes_is_the_stock_open_on_the_end_date(geo):
    old = site(geo.marseille, SiteKind.IML_SOUS_LOCATION, 10, datetime.date(2015, 1, 1))
    closes_after = site(geo.nice, SiteKind.IML_MANDAT_GESTION, 4, datetime.date(2016, 1, 1), datetime.date(2023, 1, 1))
    opens_on_end = site(geo.aix, SiteKind.IML_SOUS_LOCATION, 2, END)
    # Open until the day before its closing date: closed on `end`, it no longer counts.
    site(geo.marseille, SiteKind.IML_SOUS_LOCATION, 100, datetime.date(2016, 1, 1), END)
    site(geo.marseille, SiteKind.IML_SOUS_LOCATION, 100, datetime.date(2016, 1, 1), datetime.date(2020, 6, 30))
    site(geo.marseille, SiteKind.IML_SOUS_LOCATION, 100, datetime.date(2023, 1, 1))  # opened after end
    site(geo.paris, SiteKind.IML_SOUS_LOCATION, 100, datetime.date(2016, 1, 1))  # outside T
    site(geo.marseille, SiteKind.PENSION_FAMILLE, 100, datetime.date(2016, 1, 1))  # other kind

    result = figure("places_iml_ouvertes")

    assert result.value == 16
    assert sorted(result.record_ids) == sorted([old.pk, closes_after.pk, opens_on_end.pk])
    # The stock depends on `end` only, not on `start`.
    assert figure("places_iml_ouvertes", start=datetime.date(2022, 12, 1)).value == 16
    assert figure("places_iml_ouvertes", end=datetime.date(2022, 12, 30)).value == 114


def test_places_pensions_famille_ouvertes_is_the_stock_of_pensions_and_residences_accueil(geo):
    pension = site(geo.toulon, SiteKind.PENSION_FAMILLE, 20, datetime.date(2010, 1, 1))
    accueil = site(geo.toulon, SiteKind.RESIDENCE_ACCUEIL, 15, datetime.date(2021, 1, 1), datetime.date(2024, 1, 1))
    site(geo.toulon, SiteKind.PENSION_FAMILLE, 100, datetime.date(2010, 1, 1), datetime.date(2022, 12, 31))
    site(geo.toulon, SiteKind.IML_SOUS_LOCATION, 100, datetime.date(2010, 1, 1))

    result = figure("places_pensions_famille_ouvertes", "commune:83137")

    assert result.value == 35
    assert sorted(result.record_ids) == sorted([pension.pk, accueil.pk])
    assert figure("places_pensions_famille_ouvertes", "departement:13").value == 0


def test_places_are_public_figures_and_every_indicator_is_computed(geo):
    site(geo.marseille, SiteKind.IML_SOUS_LOCATION, 10, datetime.date(2019, 6, 1))
    bilan = compute_bilan(parse_territory("region:93"), START, END)
    assert bilan["places_iml_creees"].value == 10
    assert list(bilan) == list(CATALOGUE)
    assert [code for code, indicator in CATALOGUE.items() if indicator.axis == 1 and indicator.secret] == []
