"""The read model kept at write time (services, import) equals the one `rebuild_facts` derives from the
records, on random histories: a service that forgot to refresh it would make these tests fail."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facts.models import ActiveSpan, Event, EventKind, StageSpan
from facts.refresh import rebuild_facts, refresh_facts
from pathways import services
from pathways.enums import HousingKind, SituationKind, Stage
from territories.models import Commune
from tests.facts.histories import OPERATION, START, apply
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance

EVENT_FIELDS = [f.name for f in Event._meta.concrete_fields if f.name != "id"]
SPAN_FIELDS = [f.name for f in StageSpan._meta.concrete_fields if f.name != "id"]
ACTIVE_FIELDS = [f.name for f in ActiveSpan._meta.concrete_fields if f.name != "id"]


def snapshot():
    events = sorted(Event.objects.values_list(*EVENT_FIELDS), key=repr)
    spans = sorted(StageSpan.objects.values_list(*SPAN_FIELDS), key=repr)
    active = sorted(ActiveSpan.objects.values_list(*ACTIVE_FIELDS), key=repr)
    return events, spans, active


def rebuilt():
    rebuild_facts()
    return snapshot()


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, max_size=30))
def test_rebuild_equals_the_rows_kept_by_the_services(geo, operations):
    with transaction.atomic():
        household = HouseholdFactory()
        pathways = [
            PathwayFactory(commune=geo.marseille, opened_on=START, household=household, situation=SituationKind.CHRS),
            # The same household, again after its move-in: a return after housing, unless the move-in goes.
            PathwayFactory(
                commune=geo.nice, opened_on=START + datetime.timedelta(days=300), household=household, dalo=True
            ),
            PathwayFactory(commune=geo.avignon, opened_on=START, stage=Stage.REPERAGE),
        ]
        # Housed on day 200: its lease and move-in rows exist from the start, and a situation recorded
        # later with an earlier start date changes them.
        advance(pathways[0], *ROAD_TO_ENTREE, on=START + datetime.timedelta(days=200))
        days = [200, 300, 0]
        for operation in operations:
            try:
                with transaction.atomic():
                    apply(operation, pathways, geo, days)
            except ValidationError:
                pass
        kept = snapshot()
        assert kept == rebuilt()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_rows_of_a_housed_pathway(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=START, situation=SituationKind.CHRS, housed=True)
    lease = Event.objects.get(pathway_id=pathway.pk, kind=EventKind.LEASE)
    move_in = Event.objects.get(pathway_id=pathway.pk, kind=EventKind.MOVE_IN)
    assert (lease.region, lease.departement, lease.commune) == ("93", "13", "13055")
    assert (lease.situation, lease.situation_group, lease.lease_kind) == ("chrs", "hebergement", "parc_social")
    assert move_in.days_since_opening == 0 and move_in.days_to_rupture is None and not move_in.cancelled
    services.pathway_transition(
        pathway=pathway, to_stage=Stage.RUPTURE, on=START + datetime.timedelta(days=200), by=None
    )
    assert Event.objects.get(pathway_id=pathway.pk, kind=EventKind.MOVE_IN).days_to_rupture == 200
    spans = StageSpan.objects.filter(pathway_id=pathway.pk)
    # The road to the move-in is walked in one day: only its last stage held that day.
    assert sorted(spans.values_list("stage", "valid_from", "valid_to")) == [
        (Stage.ENTREE, START, START + datetime.timedelta(days=200)),
        (Stage.RUPTURE, START + datetime.timedelta(days=200), None),
    ]


@pytest.mark.django_db
def test_a_cancelled_lease_is_marked_by_the_following_orientation(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=START)
    advance(pathway, *ROAD_TO_ENTREE[:6], on=START)
    services.pathway_transition(
        pathway=pathway,
        to_stage=Stage.BAIL_SIGNE,
        on=START,
        by=None,
        housing_kind=HousingKind.PARC_SOCIAL,
        housing_commune=geo.nice,
    )
    assert not Event.objects.get(kind=EventKind.LEASE).cancelled
    services.pathway_transition(pathway=pathway, to_stage=Stage.ORIENTE, on=START, by=None)
    assert Event.objects.get(kind=EventKind.LEASE).cancelled


@pytest.mark.django_db
def test_refresh_of_many_pathways_replaces_the_whole_model(geo, monkeypatch):
    pathways = [PathwayFactory(commune=geo.marseille, opened_on=START) for _ in range(3)]
    Event.objects.all().delete()
    monkeypatch.setattr("facts.refresh.WHOLE_TABLE_ABOVE", 1)
    refresh_facts(p.pk for p in pathways)
    assert Event.objects.filter(kind=EventKind.OPENED).count() == 3


@pytest.mark.django_db
def test_the_rebuild_command(geo):
    PathwayFactory(commune=geo.marseille, opened_on=START)
    StageSpan.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_facts", stdout=out)
    assert "1 événements, 1 périodes d'étape" in out.getvalue()


@pytest.mark.django_db
def test_a_geography_change_resolves_the_codes_again(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=START)
    Commune.objects.filter(pk="13055").update(departement_id="84")
    refresh_facts([pathway.pk])
    assert Event.objects.get(kind=EventKind.OPENED).departement == "84"
    out = io.StringIO()
    call_command("load_geography", stdout=out)
    assert "Modèle de lecture des indicateurs reconstruit" in out.getvalue()
    assert Event.objects.get(kind=EventKind.OPENED).departement == "13"
