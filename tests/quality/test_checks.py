"""Each data-quality check (quality/checks.py, docs/indicateurs.md « Qualité des données »): a small
scenario, the exact files it flags and the count quality_figures gives, with the edge cases its definition
names."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from pathways import services
from pathways.enums import ContactKind, SituationKind, Stage
from pathways.models import Household
from quality.checks import CHECKS, late_days, stale_days
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, advance
from tests.quality.files import BORN, count, days_ago, flagged, open_file, today

pytestmark = pytest.mark.django_db


def test_the_seven_checks_are_listed_once():
    assert [c.code for c in CHECKS] == [
        "situation_inconnue",
        "situation_tardive",
        "naissance_manquante",
        "date_avant_ouverture",
        "dossier_inactif",
        "doublon_probable",
        "saisie_tardive",
    ]
    assert [c.code for c in CHECKS if not c.datable] == ["naissance_manquante", "doublon_probable"]


def test_a_file_with_every_field_right_has_no_problem(geo, alpha):
    open_file(alpha, geo.marseille, opened_on=days_ago(10))
    assert {c.code: flagged(c.code) for c in CHECKS} == {c.code: set() for c in CHECKS}


def test_situation_inconnue(geo, alpha):
    known = open_file(alpha, geo.marseille, opened_on=days_ago(10))
    unknown = open_file(alpha, geo.marseille, opened_on=days_ago(10), situation="")
    closed = open_file(alpha, geo.marseille, opened_on=days_ago(10), situation="")
    advance(closed, Stage.PERDU_DE_VUE, on=days_ago(2))
    assert flagged("situation_inconnue") == {unknown.pk}
    assert count("situation_inconnue") == 1
    # A situation recorded after the opening makes it known (the check on lateness takes over).
    services.situation_record(pathway=unknown, situation=SituationKind.SQUAT, since=days_ago(3), by=None)
    assert flagged("situation_inconnue") == set()
    assert known.pk not in flagged("situation_tardive")


def test_situation_tardive(geo, alpha):
    at_opening = open_file(alpha, geo.marseille, opened_on=days_ago(20))
    before = open_file(alpha, geo.marseille, opened_on=days_ago(20), situation_since=days_ago(25))
    late = open_file(alpha, geo.marseille, opened_on=days_ago(20), situation="")
    services.situation_record(pathway=late, situation=SituationKind.CHRS, since=days_ago(19), by=None)
    # A later situation beside one at the opening is a change of situation, not a late one.
    services.situation_record(pathway=at_opening, situation=SituationKind.CHRS, since=days_ago(5), by=None)
    unknown = open_file(alpha, geo.marseille, opened_on=days_ago(20), situation="")
    closed = open_file(alpha, geo.marseille, opened_on=days_ago(20), situation="")
    services.situation_record(pathway=closed, situation=SituationKind.CHRS, since=days_ago(10), by=None)
    advance(closed, Stage.RENONCIATION, on=days_ago(2))
    assert flagged("situation_tardive") == {late.pk}
    assert count("situation_tardive") == 1
    assert before.pk not in flagged("situation_tardive")
    assert flagged("situation_inconnue") == {unknown.pk}  # never both for one file


def test_naissance_manquante(geo, alpha):
    complete = open_file(alpha, geo.marseille, opened_on=days_ago(10))
    one_missing = open_file(
        alpha,
        geo.marseille,
        opened_on=days_ago(10),
        members=[
            {"last_name": "Diallo", "first_name": "Awa", "birth_date": BORN},
            {"last_name": "Diallo", "first_name": "Lina", "relationship": "enfant"},
        ],
    )
    anonymised = open_file(alpha, geo.marseille, opened_on=days_ago(10), members=[{"last_name": "X"}])
    Household.objects.filter(pk=anonymised.household_id).update(anonymised_on=days_ago(1))
    closed = open_file(alpha, geo.marseille, opened_on=days_ago(10), members=[{"last_name": "Y"}])
    advance(closed, Stage.DECES, on=days_ago(1))
    assert flagged("naissance_manquante") == {one_missing.pk}
    assert count("naissance_manquante") == 1
    assert complete.pk not in flagged("naissance_manquante")


def test_date_avant_ouverture(geo, alpha):
    opened = days_ago(30)
    contact_on_opening = open_file(alpha, geo.marseille, opened_on=opened)
    services.contact_record(pathway=contact_on_opening, on=opened, kind=ContactKind.ENTRETIEN, by=None)
    contact_before = open_file(alpha, geo.marseille, opened_on=opened)
    services.contact_record(
        pathway=contact_before, on=opened - datetime.timedelta(days=1), kind=ContactKind.TELEPHONE, by=None
    )
    measure_before = open_file(alpha, geo.marseille, opened_on=opened)
    services.measure_open(pathway=measure_before, kind="asll", started_on=opened - datetime.timedelta(days=3), by=None)
    measure_on_opening = open_file(alpha, geo.marseille, opened_on=opened)
    services.measure_open(pathway=measure_on_opening, kind="asll", started_on=opened, by=None)
    closed = open_file(alpha, geo.marseille, opened_on=opened)
    services.contact_record(pathway=closed, on=opened - datetime.timedelta(days=5), kind=ContactKind.VISITE, by=None)
    advance(closed, Stage.PERDU_DE_VUE, on=days_ago(1))
    assert flagged("date_avant_ouverture") == {contact_before.pk, measure_before.pk}
    assert count("date_avant_ouverture") == 2


def test_dossier_inactif_after_more_than_the_threshold(geo, alpha):
    exactly = open_file(alpha, geo.marseille, opened_on=days_ago(90))  # 90 days: not yet
    one_more = open_file(alpha, geo.marseille, opened_on=days_ago(91))
    contacted = open_file(alpha, geo.marseille, opened_on=days_ago(200))
    services.contact_record(pathway=contacted, on=days_ago(90), kind=ContactKind.ENTRETIEN, by=None)
    moved = open_file(alpha, geo.marseille, opened_on=days_ago(200))
    advance(moved, Stage.EVALUATION, on=days_ago(10))
    closed = open_file(alpha, geo.marseille, opened_on=days_ago(300))
    advance(closed, Stage.PERDU_DE_VUE, on=days_ago(200))
    assert flagged("dossier_inactif") == {one_more.pk}
    assert count("dossier_inactif") == 1
    assert exactly.pk not in flagged("dossier_inactif")
    # The threshold is a parameter (QUALITY_STALE_DAYS).
    assert flagged("dossier_inactif", stale=89) == {exactly.pk, one_more.pk, contacted.pk}
    assert count("dossier_inactif", stale=89) == 3


def test_doublon_probable_across_structures(geo, alpha, beta):
    durand = open_file(
        alpha,
        geo.marseille,
        opened_on=days_ago(30),
        members=[{"last_name": "Durand", "first_name": "Alex", "birth_date": BORN}],
    )
    # The same person, name spelt with other accents and case, followed by another structure.
    twin = open_file(
        beta,
        geo.aix,
        opened_on=days_ago(10),
        members=[
            {"last_name": "DURAND", "first_name": "alex", "birth_date": BORN},
            {"last_name": "Durand", "first_name": "Léa", "birth_date": datetime.date(2015, 1, 2)},
        ],
    )
    # The same name and birth date in the same structure: its own files, not a duplicate.
    same_structure = open_file(
        alpha, geo.marseille, opened_on=days_ago(30), members=[{"last_name": "Martin", "birth_date": BORN}]
    )
    open_file(alpha, geo.marseille, opened_on=days_ago(20), members=[{"last_name": "Martin", "birth_date": BORN}])
    # Same name, another birth date; same name, no birth date: not matched.
    open_file(
        beta, geo.aix, opened_on=days_ago(30), members=[{"last_name": "Martin", "birth_date": BORN.replace(day=18)}]
    )
    open_file(alpha, geo.marseille, opened_on=days_ago(30), members=[{"last_name": "Petit"}])
    open_file(beta, geo.aix, opened_on=days_ago(30), members=[{"last_name": "Petit"}])
    assert flagged("doublon_probable") == {durand.pk, twin.pk}
    assert count("doublon_probable") == 2
    assert same_structure.pk not in flagged("doublon_probable")


def test_doublon_probable_never_matches_a_confidential_or_anonymised_household(geo, alpha, beta):
    people = [{"last_name": "Nour", "first_name": "Sara", "birth_date": BORN}]
    open_one = open_file(alpha, geo.marseille, opened_on=days_ago(30), members=people)
    confidential = open_file(beta, geo.aix, opened_on=days_ago(30), members=people, confidential=True)
    anonymised = open_file(beta, geo.aix, opened_on=days_ago(30), members=people)
    Household.objects.filter(pk=anonymised.household_id).update(anonymised_on=days_ago(1))
    assert flagged("doublon_probable") == set()
    # Neither the open household against them, nor them against each other or it.
    assert {open_one.pk, confidential.pk, anonymised.pk}.isdisjoint(flagged("doublon_probable"))


def test_doublon_probable_needs_the_other_file_active(geo, alpha, beta):
    people = [{"last_name": "Roux", "first_name": "Jo", "birth_date": BORN}]
    kept = open_file(alpha, geo.marseille, opened_on=days_ago(30), members=people)
    other = open_file(beta, geo.aix, opened_on=days_ago(30), members=people)
    assert flagged("doublon_probable") == {kept.pk, other.pk}
    advance(other, Stage.HORS_TERRITOIRE, on=days_ago(1))
    assert flagged("doublon_probable") == set()


def test_doublon_probable_one_household_followed_by_two_structures(geo, alpha, beta):
    household = HouseholdFactory(members=[{"last_name": "Blanc", "birth_date": BORN}])
    first = open_file(alpha, geo.marseille, opened_on=days_ago(30), household=household)
    second = open_file(beta, geo.aix, opened_on=days_ago(20), household=household)
    assert flagged("doublon_probable") == {first.pk, second.pk}


def test_saisie_tardive(geo, alpha):
    sam = UserFactory(username="sam", structures=[alpha])
    late = open_file(alpha, geo.marseille, opened_on=days_ago(100))
    services.pathway_transition(pathway=late, to_stage=Stage.EVALUATION, on=days_ago(31), by=sam)
    in_time = open_file(alpha, geo.marseille, opened_on=days_ago(100))
    services.pathway_transition(pathway=in_time, to_stage=Stage.EVALUATION, on=days_ago(30), by=sam)
    # An import writes its rows without a person: never late.
    imported = open_file(alpha, geo.marseille, opened_on=days_ago(100))
    services.pathway_transition(pathway=imported, to_stage=Stage.EVALUATION, on=days_ago(60), by=None)
    # The opening is a transition too: a file opened by a person 40 days after its date is late.
    opened_late = services.pathway_open(
        household=HouseholdFactory(members=[{"last_name": "Lenoir", "birth_date": BORN}]),
        structure=alpha,
        commune=geo.marseille,
        opened_on=days_ago(40),
        situation=SituationKind.RUE,
        by=sam,
    )
    closed = open_file(alpha, geo.marseille, opened_on=days_ago(100))
    services.pathway_transition(pathway=closed, to_stage=Stage.PERDU_DE_VUE, on=days_ago(50), by=sam)
    assert flagged("saisie_tardive") == {late.pk, opened_late.pk}
    assert count("saisie_tardive") == 2
    assert {in_time.pk, imported.pk}.isdisjoint(flagged("saisie_tardive"))
    assert flagged("saisie_tardive", lag=31) == {opened_late.pk}


def test_saisie_tardive_looks_at_365_days_of_recordings(geo, alpha):
    sam = UserFactory(username="sam", structures=[alpha])
    late = open_file(alpha, geo.marseille, opened_on=days_ago(100))
    services.pathway_transition(pathway=late, to_stage=Stage.EVALUATION, on=days_ago(31), by=sam)
    # Recorded today: still in the window 364 days from now, out of it 365 days from now.
    assert flagged("saisie_tardive", on=today() + datetime.timedelta(days=364)) == {late.pk}
    assert flagged("saisie_tardive", on=today() + datetime.timedelta(days=365)) == set()
    # Nor is a recording after the day observed counted.
    assert flagged("saisie_tardive", on=today() - datetime.timedelta(days=1)) == set()


def test_thresholds_come_from_the_settings(settings):
    settings.QUALITY_STALE_DAYS, settings.QUALITY_LATE_DAYS = 120, 15
    assert (stale_days(), late_days()) == (120, 15)
    del settings.QUALITY_STALE_DAYS
    assert stale_days() == 90


@pytest.mark.parametrize("value", [0, -3, "90", None])
def test_a_bad_threshold_fails_loudly(settings, value):
    settings.QUALITY_LATE_DAYS = value
    with pytest.raises(ImproperlyConfigured, match="QUALITY_LATE_DAYS"):
        late_days()


def test_a_bad_threshold_is_a_system_check_error(settings):
    from quality.apps import thresholds_check

    assert thresholds_check() == []
    settings.QUALITY_STALE_DAYS = 0
    errors = thresholds_check()
    assert [(e.id, e.msg) for e in errors] == [
        ("quality.E001", "QUALITY_STALE_DAYS=0 must be a number of days of at least 1.")
    ]
