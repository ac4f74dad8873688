"""The active periods of the read model against the written definition (docs/indicateurs.md, « Pilotage
mensuel »), computed here day by day in plain Python from the transition log and the contacts, on random
histories written through the services: active or not on every day, and the entry of each period."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facts.models import ActiveSpan, Entry
from pathways.enums import PRE_HOUSING_STAGES, Stage
from pathways.models import Contact, Pathway, Transition
from tests.facts.histories import OPERATION, START, apply
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance

N = 90
DAYS = 900


def stage_on(transitions, day):
    """The stage of the latest transition dated on or before `day` (same-day ones in their order)."""
    held = [t for t in transitions if t.date <= day]
    return held[-1].stage if held else None


def expected(pathway):
    """{day: active} over START .. START + DAYS, by the definition, and the days a period starts."""
    transitions = list(Transition.objects.filter(pathway=pathway).order_by("date", "seq"))
    activity = {t.date for t in transitions}
    for contact in Contact.objects.filter(pathway=pathway):
        if stage_on(transitions, contact.date) in PRE_HOUSING_STAGES:
            activity.add(contact.date)
    active = {}
    for k in range(DAYS):
        day = START + datetime.timedelta(days=k)
        recent = any(day - datetime.timedelta(days=N) < a <= day for a in activity)
        active[day] = stage_on(transitions, day) in PRE_HOUSING_STAGES and recent
    return active


def kept(pathway):
    spans = list(ActiveSpan.objects.filter(pathway_id=pathway.pk))
    return {
        START + datetime.timedelta(days=k): any(
            s.valid_from <= START + datetime.timedelta(days=k) < s.valid_to for s in spans
        )
        for k in range(DAYS)
    }, spans


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, max_size=25))
def test_active_days_and_entries_follow_the_definition(geo, operations):
    with transaction.atomic():
        household = HouseholdFactory()
        pathways = [
            PathwayFactory(commune=geo.marseille, opened_on=START, household=household),
            PathwayFactory(commune=geo.nice, opened_on=START + datetime.timedelta(days=300), household=household),
            PathwayFactory(commune=geo.avignon, opened_on=START, stage=Stage.REPERAGE),
        ]
        advance(pathways[0], *ROAD_TO_ENTREE, on=START + datetime.timedelta(days=200))
        days = [200, 300, 0]
        for operation in operations:
            try:
                with transaction.atomic():
                    apply(operation, pathways, geo, days)
            except ValidationError:
                pass
        for pathway in Pathway.objects.filter(pk__in=[p.pk for p in pathways]):
            by_day, spans = kept(pathway)
            assert by_day == expected(pathway), pathway.pk
            # Periods never overlap nor touch (touching periods would be one).
            ordered = sorted(spans, key=lambda s: s.valid_from)
            assert all(a.valid_to < b.valid_from for a, b in zip(ordered, ordered[1:], strict=False))
            for k, span in enumerate(ordered):
                if k:
                    assert span.entry == Entry.AFTER_INACTIVITY
                else:
                    housed_before = Transition.objects.filter(
                        pathway__household=pathway.household, stage=Stage.ENTREE, date__lt=span.valid_from
                    ).exclude(pathway=pathway)
                    assert span.entry == (Entry.AFTER_HOUSING if housed_before.exists() else Entry.NEW)
        transaction.set_rollback(True)
