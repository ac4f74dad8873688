"""The active periods of the read model (facts.models.ActiveSpan; docs/indicateurs.md, « Pilotage
mensuel »): exact periods, entries and exits on small histories written through the services."""

import datetime

import pytest
from django.test import override_settings

from facts.models import ActiveSpan, Entry, Exit
from pathways import services
from pathways.enums import Composition, SituationKind, Stage
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance

D = datetime.date


def periods(pathway):
    return list(
        ActiveSpan.objects.filter(pathway_id=pathway.pk)
        .order_by("valid_from")
        .values_list("valid_from", "valid_to", "entry", "exit")
    )


def contact(pathway, on):
    pathway.refresh_from_db()
    services.contact_record(pathway=pathway, on=on, kind="entretien", by=None)


@pytest.mark.django_db
def test_a_pathway_without_activity_for_90_days_becomes_inactive_then_returns(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=D(2024, 1, 1))
    contact(pathway, D(2024, 3, 1))
    # 90 days after the contact: the first day without activity in the last 90 days.
    assert periods(pathway) == [(D(2024, 1, 1), D(2024, 5, 30), Entry.NEW, Exit.INACTIVE)]
    advance(pathway, Stage.EVALUATION, on=D(2024, 8, 1))
    assert periods(pathway) == [
        (D(2024, 1, 1), D(2024, 5, 30), Entry.NEW, Exit.INACTIVE),
        (D(2024, 8, 1), D(2024, 10, 30), Entry.AFTER_INACTIVITY, Exit.INACTIVE),
    ]


@pytest.mark.django_db
def test_activity_on_the_90th_day_keeps_the_pathway_active_and_the_91st_does_not(geo):
    kept = PathwayFactory(commune=geo.marseille, opened_on=D(2024, 1, 1))
    contact(kept, D(2024, 3, 31))  # 90 days after the opening
    assert periods(kept) == [(D(2024, 1, 1), D(2024, 6, 29), Entry.NEW, Exit.INACTIVE)]
    lapsed = PathwayFactory(commune=geo.marseille, opened_on=D(2024, 1, 1))
    contact(lapsed, D(2024, 4, 1))  # 91 days: one day without activity in the last 90, on 31 March
    assert periods(lapsed) == [
        (D(2024, 1, 1), D(2024, 3, 31), Entry.NEW, Exit.INACTIVE),
        (D(2024, 4, 1), D(2024, 6, 30), Entry.AFTER_INACTIVITY, Exit.INACTIVE),
    ]


@pytest.mark.django_db
@override_settings(STEERING_INACTIVE_DAYS=30)
def test_the_number_of_days_is_a_setting(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=D(2024, 1, 1))
    assert periods(pathway) == [(D(2024, 1, 1), D(2024, 1, 31), Entry.NEW, Exit.INACTIVE)]


@pytest.mark.django_db
def test_a_move_in_ends_the_period_and_a_contact_once_housed_starts_none(geo):
    household = HouseholdFactory(composition=Composition.FAMILLE_MONOPARENTALE)
    pathway = PathwayFactory(
        commune=geo.marseille, opened_on=D(2024, 1, 1), household=household, situation=SituationKind.RUE
    )
    advance(pathway, *ROAD_TO_ENTREE, on=D(2024, 2, 15))
    contact(pathway, D(2024, 3, 1))
    assert periods(pathway) == [(D(2024, 1, 1), D(2024, 2, 15), Entry.NEW, Exit.HOUSED)]
    row = ActiveSpan.objects.get(pathway_id=pathway.pk)
    assert (row.composition, row.situation_group, row.departement, row.region) == (
        Composition.FAMILLE_MONOPARENTALE,
        "sans_abri",
        "13",
        "93",
    )


@pytest.mark.django_db
def test_a_closure_ends_the_period_and_a_reopening_returns_from_inactivity(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=D(2024, 1, 1))
    advance(pathway, Stage.PERDU_DE_VUE, on=D(2024, 2, 1))
    assert periods(pathway) == [(D(2024, 1, 1), D(2024, 2, 1), Entry.NEW, Exit.CLOSED)]
    advance(pathway, Stage.DEMANDE, on=D(2024, 2, 20))
    assert periods(pathway)[1] == (D(2024, 2, 20), D(2024, 5, 20), Entry.AFTER_INACTIVITY, Exit.INACTIVE)


@pytest.mark.django_db
def test_a_new_pathway_after_a_move_in_is_a_return_after_housing(geo):
    household = HouseholdFactory()
    first = PathwayFactory(commune=geo.marseille, opened_on=D(2023, 1, 1), household=household)
    advance(first, *ROAD_TO_ENTREE, on=D(2023, 3, 1))
    advance(first, Stage.RUPTURE, on=D(2023, 9, 1))
    again = PathwayFactory(commune=geo.nice, opened_on=D(2023, 10, 1), household=household)
    assert periods(again) == [(D(2023, 10, 1), D(2023, 12, 30), Entry.AFTER_HOUSING, Exit.INACTIVE)]
    # A household never housed before opens a new pathway.
    other = PathwayFactory(commune=geo.nice, opened_on=D(2023, 10, 1))
    assert periods(other)[0][2] == Entry.NEW
