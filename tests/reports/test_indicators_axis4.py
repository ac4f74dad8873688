import datetime

from pathways import services
from pathways.enums import ContactKind, HousingKind, Stage
from pathways.models import Transition
from reports.catalogue import CATALOGUE
from territories.models import StallThreshold
from territories.territory import parse_territory
from tests.pathways.factories import ROAD_TO_ENTREE, PathwayFactory, advance

END = datetime.date(2022, 12, 31)
TO_ORIENTE = ROAD_TO_ENTREE[:3]


def figure(code, territory="region:93", start=datetime.date(2022, 1, 1), end=END):
    return CATALOGUE[code].compute(parse_territory(territory), start, end)


def transition(pathway, stage, on, **fields) -> Transition:
    return services.pathway_transition(pathway=pathway, to_stage=stage, on=on, by=None, **fields)


def housed(commune, moved_in, *, lease_commune=None, opened=None) -> tuple:
    """A pathway that signed a social lease in `lease_commune` and moved in on `moved_in`."""
    pathway = PathwayFactory(commune=commune, opened_on=opened or moved_in - datetime.timedelta(days=30))
    return pathway, lease_and_move_in(pathway, moved_in, lease_commune or commune)


def lease_and_move_in(pathway, moved_in, commune) -> Transition:
    road = ROAD_TO_ENTREE[:6] if pathway.stage == Stage.DEMANDE else [Stage.PROPOSITION, Stage.CALEOL, Stage.ATTRIBUE]
    advance(pathway, *road, on=moved_in)
    transition(pathway, Stage.BAIL_SIGNE, moved_in, housing_kind=HousingKind.PARC_SOCIAL, housing_commune=commune)
    return transition(pathway, Stage.ENTREE, moved_in)


def contact(pathway, on):
    services.contact_record(pathway=pathway, on=on, kind=ContactKind.TELEPHONE, by=None)


# Ruptures -------------------------------------------------------------------------------------------


def test_ruptures_are_placed_in_the_commune_of_the_latest_lease(geo):
    followed_in_nice, _ = housed(geo.nice, datetime.date(2022, 1, 15), lease_commune=geo.marseille)
    in_marseille = transition(followed_in_nice, Stage.RUPTURE, datetime.date(2022, 6, 1))
    # A lease in Marseille cancelled, then a lease in Toulon: the rupture is in Toulon.
    moved = PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2021, 1, 1))
    advance(moved, *ROAD_TO_ENTREE[:7], on=datetime.date(2021, 6, 1))
    advance(moved, Stage.ORIENTE, on=datetime.date(2021, 6, 2))
    lease_and_move_in(moved, datetime.date(2021, 9, 1), geo.toulon)
    advance(moved, Stage.MAINTIEN, on=datetime.date(2021, 10, 1))
    in_toulon = transition(moved, Stage.RUPTURE, datetime.date(2022, 9, 1))
    late, _ = housed(geo.marseille, datetime.date(2022, 1, 15))
    transition(late, Stage.RUPTURE, datetime.date(2023, 1, 1))  # after P
    dead, _ = housed(geo.marseille, datetime.date(2022, 1, 15))
    transition(dead, Stage.DECES, datetime.date(2022, 5, 1))  # a death is no rupture

    result = figure("ruptures")

    assert result.value == 2
    assert result.record_ids == sorted([in_marseille.pk, in_toulon.pk])
    assert figure("ruptures", "commune:13201").record_ids == [in_marseille.pk]
    assert figure("ruptures", "commune:83137").record_ids == [in_toulon.pk]
    assert figure("ruptures", "commune:06088").value == 0


# Staying housed -------------------------------------------------------------------------------------


def test_taux_maintien_12_mois_follows_the_cohort_of_move_ins_a_year_before(geo):
    # P = 2021: the cohort moved in from 2021-01-01 − 365 days = 2020-01-02 (leap year) to 2020-12-31.
    start, end = datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)
    broken, broken_in = housed(geo.marseille, datetime.date(2020, 1, 2))
    transition(broken, Stage.RUPTURE, datetime.date(2021, 1, 1))  # exactly 365 days later: not retained
    late_break, late_in = housed(geo.marseille, datetime.date(2020, 3, 1))
    transition(late_break, Stage.RUPTURE, datetime.date(2021, 3, 2))  # 366 days later: retained
    died, died_in = housed(geo.aix, datetime.date(2020, 6, 1))
    transition(died, Stage.DECES, datetime.date(2020, 7, 1))  # a death is not a rupture: retained
    still, still_in = housed(geo.nice, datetime.date(2020, 12, 31), lease_commune=geo.toulon)
    advance(still, Stage.MAINTIEN, on=datetime.date(2021, 1, 10))
    # Two move-ins on one pathway: the rupture belongs to the second one only.
    twice, first_in = housed(geo.marseille, datetime.date(2020, 2, 1))
    advance(twice, Stage.PERDU_DE_VUE, on=datetime.date(2020, 3, 1))
    advance(twice, Stage.DEMANDE, on=datetime.date(2020, 3, 2))
    second_in = lease_and_move_in(twice, datetime.date(2020, 5, 1), geo.marseille)
    transition(twice, Stage.RUPTURE, datetime.date(2020, 6, 1))
    # Moved in one day before the cohort's first day.
    early, _ = housed(geo.marseille, datetime.date(2020, 1, 1))
    transition(early, Stage.RUPTURE, datetime.date(2020, 2, 1))
    elsewhere, _ = housed(geo.paris, datetime.date(2020, 6, 1))
    transition(elsewhere, Stage.RUPTURE, datetime.date(2020, 7, 1))

    result = figure("taux_maintien_12_mois", start=start, end=end)

    assert result.value == 66.7  # 4 retained of 6
    cohort = [broken_in, late_in, died_in, still_in, first_in, second_in]
    assert result.record_ids == sorted(t.pk for t in cohort)
    assert figure("taux_maintien_12_mois", "commune:83137", start, end).value == 100.0
    assert figure("taux_maintien_12_mois", "region:11", start, end).value == 0.0
    # Nobody moved in a year before P in Gap: no cohort, no rate.
    empty = figure("taux_maintien_12_mois", "commune:05061", start, end)
    assert empty.value is None
    assert empty.record_ids == []


# Pathways at the end of the period ------------------------------------------------------------------


def test_parcours_actifs_fin_periode_reads_the_stage_held_on_the_end_date(geo):
    waiting = PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2022, 6, 1))
    housed(geo.marseille, datetime.date(2022, 5, 1))  # housed on `end`
    # Lease signed before `end`, move-in after it: still in `bail_signe` on `end`.
    leased = PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2022, 6, 1))
    advance(leased, *ROAD_TO_ENTREE[:7], on=datetime.date(2022, 12, 20))
    advance(leased, Stage.ENTREE, on=datetime.date(2023, 1, 5))
    opened_after = PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2023, 1, 2))  # no stage on `end`
    # Same-day transitions keep their recorded order.
    renounced = PathwayFactory(commune=geo.marseille, opened_on=END)
    advance(renounced, Stage.RENONCIATION, on=END)
    evaluated = PathwayFactory(commune=geo.marseille, opened_on=END)
    advance(evaluated, Stage.EVALUATION, on=END)
    reopened = PathwayFactory(commune=geo.aix, opened_on=datetime.date(2020, 1, 1))
    advance(reopened, Stage.RENONCIATION, on=datetime.date(2021, 1, 1))
    advance(reopened, Stage.DEMANDE, on=datetime.date(2022, 2, 1))
    lost_later = PathwayFactory(commune=geo.nice, opened_on=datetime.date(2022, 1, 1))
    advance(lost_later, Stage.PERDU_DE_VUE, on=datetime.date(2023, 2, 1))
    PathwayFactory(commune=geo.paris, opened_on=datetime.date(2022, 6, 1))

    result = figure("parcours_actifs_fin_periode")

    assert result.value == 5
    assert result.record_ids == sorted(p.pk for p in [waiting, leased, evaluated, reopened, lost_later])
    assert figure("parcours_actifs_fin_periode", "commune:13201").value == 3
    assert figure("parcours_actifs_fin_periode", end=datetime.date(2023, 3, 1)).record_ids == sorted(
        p.pk for p in [waiting, opened_after, evaluated, reopened]
    )


def test_parcours_bloques_fin_periode_uses_the_activity_and_stage_on_the_end_date(geo):
    opened = datetime.date(2022, 9, 1)  # 121 days before `end`
    stalled = PathwayFactory(commune=geo.marseille, opened_on=opened)
    PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2022, 10, 2))  # 90 days: not more than 90
    just_over = PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2022, 10, 1))  # 91 days
    reached = PathwayFactory(commune=geo.marseille, opened_on=opened)
    contact(reached, datetime.date(2022, 11, 1))  # a contact resets the inactivity
    reached_later = PathwayFactory(commune=geo.marseille, opened_on=opened)
    contact(reached_later, datetime.date(2023, 1, 10))  # after `end`: does not count
    dalo = PathwayFactory(commune=geo.nice, opened_on=opened, dalo=True, road=TO_ORIENTE)  # 121 > 90
    PathwayFactory(commune=geo.nice, opened_on=opened, road=TO_ORIENTE)  # 121 <= 180
    moved_later = PathwayFactory(commune=geo.aix, opened_on=opened)
    advance(moved_later, Stage.EVALUATION, on=datetime.date(2023, 1, 5))  # still `demande` on `end`
    housed(geo.marseille, datetime.date(2021, 1, 1))
    PathwayFactory(commune=geo.paris, opened_on=opened)

    result = figure("parcours_bloques_fin_periode")

    assert result.value == 5
    assert result.record_ids == sorted(p.pk for p in [stalled, just_over, reached_later, dalo, moved_later])
    assert figure("parcours_actifs_fin_periode").value == 8
    assert figure("parcours_bloques_fin_periode", "commune:06088").record_ids == [dalo.pk]


def test_parcours_bloques_fin_periode_applies_an_administrator_override(geo):
    opened = datetime.date(2022, 9, 1)  # 121 days before `end`
    in_marseille = PathwayFactory(commune=geo.marseille, opened_on=opened)
    in_nice = PathwayFactory(commune=geo.nice, opened_on=opened)
    dalo_marseille = PathwayFactory(commune=geo.marseille, opened_on=opened, dalo=True, road=TO_ORIENTE)
    assert figure("parcours_bloques_fin_periode").value == 3

    StallThreshold.objects.create(epci=geo.amp, stage=Stage.DEMANDE, days=150)
    StallThreshold.objects.create(departement_id="13", stage=Stage.ORIENTE, days=200, dalo_days=130)

    def stalled_on(day):
        return figure("parcours_bloques_fin_periode", end=day).record_ids

    assert stalled_on(END) == [in_nice.pk]
    # The DALO override (130 days) wins over the default DALO threshold (90 days) in Bouches-du-Rhône.
    assert stalled_on(datetime.date(2023, 1, 9)) == [in_nice.pk]  # 130 days
    assert stalled_on(datetime.date(2023, 1, 10)) == sorted([in_nice.pk, dalo_marseille.pk])  # 131 days
    # The EPCI's 150 days apply to Marseille, Nice keeps the default 90.
    assert stalled_on(datetime.date(2023, 1, 29)) == sorted([in_nice.pk, dalo_marseille.pk])  # 150 days
    assert stalled_on(datetime.date(2023, 1, 30)) == sorted([in_marseille.pk, in_nice.pk, dalo_marseille.pk])
