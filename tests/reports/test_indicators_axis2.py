import datetime

import pytest

from pathways import services
from pathways.enums import HousingKind, SituationKind, Stage
from pathways.models import Transition
from reports.catalogue import CATALOGUE
from reports.indicators.figures import median, percent
from territories.territory import parse_territory
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance

START, END = datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)
OPENED = datetime.date(2019, 6, 1)
DAY = datetime.timedelta(days=1)


def figure(code, territory="region:93", start=START, end=END):
    return CATALOGUE[code].compute(parse_territory(territory), start, end)


def pathway(commune, situation=SituationKind.CHU, *, opened=OPENED, adults=1, children=0, dalo=False):
    household = HouseholdFactory(adults=adults, children=children)
    return PathwayFactory(commune=commune, opened_on=opened, household=household, situation=situation, dalo=dalo)


def lease(pathway, on, *, kind=HousingKind.PARC_SOCIAL, commune=None) -> Transition:
    """Walk the pathway to `attribue` (from `demande` or `oriente`) and sign a lease on `on`."""
    road = ROAD_TO_ENTREE[:6] if pathway.stage == Stage.DEMANDE else [Stage.PROPOSITION, Stage.CALEOL, Stage.ATTRIBUE]
    advance(pathway, *road, on=on)
    return services.pathway_transition(
        pathway=pathway,
        to_stage=Stage.BAIL_SIGNE,
        on=on,
        by=None,
        housing_kind=kind,
        housing_commune=commune or pathway.commune,
    )


def move_in(pathway, on) -> Transition:
    return services.pathway_transition(pathway=pathway, to_stage=Stage.ENTREE, on=on, by=None)


def situation(pathway, kind, since):
    services.situation_record(pathway=pathway, situation=kind, since=since, by=None)


# Rounding -------------------------------------------------------------------------------------------


def test_percentages_round_halves_away_from_zero_from_exact_integers():
    assert percent(2, 3) == 66.7
    assert percent(1, 8) == 12.5
    assert percent(1, 16) == 6.3  # 6.25: float rounding would give 6.2
    assert percent(1, 3) == 33.3
    assert percent(0, 4) == 0.0
    assert percent(0, 0) is None


def test_medians_take_the_mean_of_the_two_middle_values_for_an_even_count():
    assert median([40, 10, 31, 20]) == 25.5
    assert median([7, 1, 3]) == 3.0
    assert median([]) is None


# Attributions ---------------------------------------------------------------------------------------


def test_attributions_sortants_hebergement_reads_the_situation_on_the_lease_date(geo):
    sheltered = lease(pathway(geo.marseille, SituationKind.CHRS), datetime.date(2020, 3, 1))
    # From the street to a CHU on the lease day: the situation on that date is the CHU.
    moved_on_lease_day = pathway(geo.marseille, SituationKind.RUE)
    situation(moved_on_lease_day, SituationKind.CHU, datetime.date(2020, 5, 1))
    on_lease_day = lease(moved_on_lease_day, datetime.date(2020, 5, 1))
    # In a CHU at the lease, back on the street the day after: still a household leaving shelter.
    changed_after = pathway(geo.marseille, SituationKind.CHU)
    after = lease(changed_after, datetime.date(2020, 6, 1))
    situation(changed_after, SituationKind.RUE, datetime.date(2020, 6, 2))
    # The asylum system is not shelter in the plan's sense.
    lease(pathway(geo.marseille, SituationKind.DNA), datetime.date(2020, 3, 1))
    # Not social housing.
    lease(pathway(geo.marseille, SituationKind.CHU), datetime.date(2020, 3, 1), kind=HousingKind.PARC_PRIVE)
    # Outside P.
    lease(pathway(geo.marseille, SituationKind.CHU), datetime.date(2021, 1, 1))

    result = figure("attributions_sortants_hebergement")

    assert result.value == 3
    assert sorted(result.record_ids) == sorted([sheltered.pk, on_lease_day.pk, after.pk])


def test_a_cancelled_lease_does_not_count_but_the_new_lease_does(geo):
    household = pathway(geo.marseille, SituationKind.CHU)
    lease(household, datetime.date(2020, 2, 1))
    advance(household, Stage.ORIENTE, on=datetime.date(2020, 2, 10))  # move-in cancelled
    second = lease(household, datetime.date(2020, 4, 1))
    # Cancelled after the end of P: the cancellation still changes this period's figure.
    late = pathway(geo.marseille, SituationKind.CHU)
    lease(late, datetime.date(2020, 12, 20))
    advance(late, Stage.ORIENTE, on=datetime.date(2021, 2, 1))
    # A closure after the lease leaves it effective.
    renounced = pathway(geo.marseille, SituationKind.CHU)
    kept = lease(renounced, datetime.date(2020, 7, 1))
    advance(renounced, Stage.RENONCIATION, on=datetime.date(2020, 7, 2))

    result = figure("attributions_sortants_hebergement")

    assert result.value == 2
    assert sorted(result.record_ids) == sorted([second.pk, kept.pk])
    assert figure("attributions_total").record_ids == sorted([second.pk, kept.pk])


def test_attributions_sans_abri_counts_street_households_by_dwelling_commune(geo):
    # Followed in Nice, housed in Marseille: the dwelling's commune decides.
    in_marseille = lease(pathway(geo.nice, SituationKind.SQUAT), datetime.date(2020, 3, 1), commune=geo.marseille)
    in_nice = lease(pathway(geo.marseille, SituationKind.RUE), datetime.date(2020, 3, 1), commune=geo.nice)
    lease(pathway(geo.marseille, SituationKind.CHU), datetime.date(2020, 3, 1))  # sheltered, not homeless
    # Situation unknown on the lease date: it starts the day after.
    unknown = pathway(geo.marseille, situation="")
    lease(unknown, datetime.date(2020, 3, 1))
    situation(unknown, SituationKind.RUE, datetime.date(2020, 3, 2))

    assert figure("attributions_sans_abri").value == 2
    marseille = figure("attributions_sans_abri", "commune:13201")
    assert marseille.value == 1
    assert marseille.record_ids == [in_marseille.pk]
    assert figure("attributions_sans_abri", "commune:06088").record_ids == [in_nice.pk]
    assert figure("attributions_sans_abri", "region:11").value == 0


def test_attributions_total_counts_every_effective_social_lease_of_the_territory(geo):
    first = lease(pathway(geo.toulon, SituationKind.CHEZ_TIERS), datetime.date(2020, 1, 1))
    last = lease(pathway(geo.toulon, SituationKind.DNA), datetime.date(2020, 12, 31))
    lease(pathway(geo.toulon, SituationKind.RUE), datetime.date(2019, 12, 31))
    lease(pathway(geo.toulon, SituationKind.RUE), datetime.date(2020, 6, 1), kind=HousingKind.IML_SOUS_LOCATION)
    lease(pathway(geo.paris, SituationKind.RUE), datetime.date(2020, 6, 1))

    result = figure("attributions_total")

    assert result.value == 2
    assert result.record_ids == sorted([first.pk, last.pk])
    assert figure("attributions_total", "epci:248300543").value == 2
    assert figure("attributions_total", "france").value == 3


def test_part_attributions_sans_domicile_is_rounded_and_excludes_asylum(geo):
    lease(pathway(geo.marseille, SituationKind.CHU), datetime.date(2020, 3, 1))
    lease(pathway(geo.marseille, SituationKind.RUE), datetime.date(2020, 3, 1))
    lease(pathway(geo.marseille, SituationKind.DNA), datetime.date(2020, 3, 1))

    result = figure("part_attributions_sans_domicile")

    assert result.value == 66.7
    assert len(result.record_ids) == 3
    assert figure("part_attributions_sans_domicile", "departement:06").value is None


def test_part_attributions_sans_domicile_keeps_an_exact_half(geo):
    lease(pathway(geo.avignon, SituationKind.RUE), datetime.date(2020, 3, 1))
    for _ in range(7):
        lease(pathway(geo.avignon, SituationKind.CHEZ_TIERS), datetime.date(2020, 3, 1))

    assert figure("part_attributions_sans_domicile", "commune:84007").value == 12.5


# Move-ins -------------------------------------------------------------------------------------------


def test_entrees_logement_uses_the_latest_lease_commune_whatever_the_kind(geo):
    # Lease before P, move-in in P: the move-in's date decides.
    early = pathway(geo.marseille)
    lease(early, datetime.date(2019, 12, 20), kind=HousingKind.PARC_PRIVE)
    early_in = move_in(early, datetime.date(2020, 1, 5))
    # A first lease in Marseille cancelled, then a lease in Toulon: the move-in is in Toulon.
    moved = pathway(geo.marseille)
    lease(moved, datetime.date(2020, 2, 1))
    advance(moved, Stage.ORIENTE, on=datetime.date(2020, 2, 10))
    lease(moved, datetime.date(2020, 3, 1), commune=geo.toulon)
    toulon_in = move_in(moved, datetime.date(2020, 3, 15))
    # Leased in P, moved in after P.
    late = pathway(geo.marseille)
    lease(late, datetime.date(2020, 12, 30))
    move_in(late, datetime.date(2021, 1, 2))

    assert figure("entrees_logement", "commune:13055").record_ids == [early_in.pk]
    assert figure("entrees_logement", "commune:83137").record_ids == [toulon_in.pk]
    assert figure("entrees_logement").value == 2
    assert figure("entrees_logement", start=datetime.date(2021, 1, 1), end=datetime.date(2021, 1, 31)).value == 1


def test_personnes_sans_domicile_logees_sums_household_sizes(geo):
    family = pathway(geo.marseille, SituationKind.RUE, adults=2, children=3)
    lease(family, datetime.date(2020, 2, 1))
    family_in = move_in(family, datetime.date(2020, 2, 15))
    single = pathway(geo.nice, SituationKind.HOTEL_115)
    lease(single, datetime.date(2020, 3, 1), kind=HousingKind.IML_MANDAT_GESTION, commune=geo.aix)
    single_in = move_in(single, datetime.date(2020, 3, 1))
    # Staying with a friend until the move-in day, when they came to a CHU: situation on that date.
    couple = pathway(geo.marseille, SituationKind.CHEZ_TIERS, adults=2)
    lease(couple, datetime.date(2020, 4, 1), kind=HousingKind.PENSION_FAMILLE)
    situation(couple, SituationKind.CHU, datetime.date(2020, 4, 10))
    couple_in = move_in(couple, datetime.date(2020, 4, 10))
    # Excluded: asylum, private rental, a situation that is not homeless, a move-in outside T.
    for kind, housing in [
        (SituationKind.DNA, HousingKind.PARC_SOCIAL),
        (SituationKind.RUE, HousingKind.PARC_PRIVE),
        (SituationKind.SUROCCUPATION, HousingKind.PARC_SOCIAL),
    ]:
        excluded = pathway(geo.marseille, kind, adults=2, children=2)
        lease(excluded, datetime.date(2020, 5, 1), kind=housing)
        move_in(excluded, datetime.date(2020, 5, 2))
    elsewhere = pathway(geo.paris, SituationKind.RUE, adults=4)
    lease(elsewhere, datetime.date(2020, 5, 1))
    move_in(elsewhere, datetime.date(2020, 5, 2))

    result = figure("personnes_sans_domicile_logees")

    assert result.value == 8
    assert result.record_ids == sorted([family_in.pk, single_in.pk, couple_in.pk])
    assert figure("personnes_sans_domicile_logees", "epci:200054807").value == 8
    assert figure("personnes_sans_domicile_logees", "commune:13001").value == 1
    assert figure("personnes_sans_domicile_logees", "departement:06").value == 0


def test_delai_median_acces_logement_counts_days_from_the_opening_date(geo):
    opened = datetime.date(2019, 12, 25)
    ids = []
    for days in (40, 10, 31, 20):
        housed = pathway(geo.gap, opened=opened)
        lease(housed, opened, kind=HousingKind.PARC_PRIVE)
        ids.append(move_in(housed, opened + datetime.timedelta(days=days)).pk)
    # Moved in before P: not in the population.
    before = pathway(geo.gap, opened=datetime.date(2019, 1, 1))
    lease(before, datetime.date(2019, 1, 1))
    move_in(before, datetime.date(2019, 12, 31))

    result = figure("delai_median_acces_logement")

    assert result.value == 25.5
    assert result.record_ids == sorted(ids)
    # One more move-in of 366 days: an odd count takes the middle value.
    slow = pathway(geo.gap, opened=datetime.date(2019, 2, 1))
    lease(slow, datetime.date(2019, 2, 1))
    move_in(slow, datetime.date(2020, 2, 2))
    assert figure("delai_median_acces_logement").value == 31.0


def test_delai_median_acces_logement_is_null_without_move_in(geo):
    result = figure("delai_median_acces_logement")
    assert result.value is None
    assert result.record_ids == []


@pytest.mark.parametrize("code", ["attributions_total", "entrees_logement", "personnes_sans_domicile_logees"])
def test_counts_are_zero_without_records(geo, code):
    assert figure(code).value == 0
