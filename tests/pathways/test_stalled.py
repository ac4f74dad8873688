import datetime

import pytest

from pathways import services
from pathways.enums import ContactKind, Stage
from pathways.models import Pathway
from territories.models import StallThreshold
from tests.pathways.factories import ROAD_TO_ENTREE, PathwayFactory

OPENED = datetime.date(2024, 1, 1)


def stalled_ids(on):
    return set(Pathway.objects.stalled(on=on).values_list("pk", flat=True))


@pytest.mark.django_db
def test_demande_is_stalled_after_90_days(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=OPENED)
    assert stalled_ids(OPENED + datetime.timedelta(days=90)) == set()
    assert stalled_ids(OPENED + datetime.timedelta(days=91)) == {pathway.pk}


@pytest.mark.django_db
def test_a_contact_resets_the_inactivity(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=OPENED)
    services.contact_record(
        pathway=pathway, on=OPENED + datetime.timedelta(days=50), kind=ContactKind.TELEPHONE, by=None
    )
    assert stalled_ids(OPENED + datetime.timedelta(days=91)) == set()
    assert stalled_ids(OPENED + datetime.timedelta(days=141)) == {pathway.pk}


@pytest.mark.django_db
def test_dalo_pathways_are_stalled_sooner_when_oriented(geo):
    ordinary = PathwayFactory(commune=geo.marseille, opened_on=OPENED, road=ROAD_TO_ENTREE[:3])
    dalo = PathwayFactory(commune=geo.marseille, opened_on=OPENED, dalo=True, road=ROAD_TO_ENTREE[:3])
    assert ordinary.stage == dalo.stage == Stage.ORIENTE
    assert stalled_ids(OPENED + datetime.timedelta(days=91)) == {dalo.pk}
    assert stalled_ids(OPENED + datetime.timedelta(days=181)) == {dalo.pk, ordinary.pk}


@pytest.mark.django_db
def test_the_most_specific_override_applies(geo):
    in_amp = PathwayFactory(commune=geo.marseille, opened_on=OPENED)
    in_nice = PathwayFactory(commune=geo.nice, opened_on=OPENED)
    StallThreshold.objects.create(region_id="93", stage=Stage.DEMANDE, days=20)
    StallThreshold.objects.create(epci=geo.amp, stage=Stage.DEMANDE, days=40)
    assert stalled_ids(OPENED + datetime.timedelta(days=30)) == {in_nice.pk}
    assert stalled_ids(OPENED + datetime.timedelta(days=41)) == {in_nice.pk, in_amp.pk}


@pytest.mark.django_db
def test_housed_and_closed_pathways_are_never_stalled(geo):
    PathwayFactory(commune=geo.marseille, opened_on=OPENED, housed=True)
    closed = PathwayFactory(commune=geo.marseille, opened_on=OPENED)
    services.pathway_transition(pathway=closed, to_stage=Stage.RENONCIATION, on=OPENED, by=None)
    assert stalled_ids(OPENED + datetime.timedelta(days=1000)) == set()


@pytest.mark.django_db
def test_dalo_days_of_an_override_and_its_days_when_it_has_none(geo):
    dalo = PathwayFactory(commune=geo.marseille, opened_on=OPENED, dalo=True, road=ROAD_TO_ENTREE[:3])
    override = StallThreshold.objects.create(departement_id="13", stage=Stage.ORIENTE, days=50, dalo_days=10)
    assert stalled_ids(OPENED + datetime.timedelta(days=11)) == {dalo.pk}
    override.dalo_days = None
    override.save()
    # Without DALO days, the override's days apply to a DALO pathway too (not the DALO default, 90).
    assert stalled_ids(OPENED + datetime.timedelta(days=11)) == set()
    assert stalled_ids(OPENED + datetime.timedelta(days=51)) == {dalo.pk}


@pytest.mark.django_db
def test_an_override_saved_or_deleted_applies_at_once_and_is_read_once(geo, django_assert_num_queries):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=OPENED)
    on = OPENED + datetime.timedelta(days=30)
    assert stalled_ids(on) == set()
    override = StallThreshold.objects.create(commune=geo.marseille, stage=Stage.DEMANDE, days=20)
    assert stalled_ids(on) == {pathway.pk}
    with django_assert_num_queries(1):  # the overrides are not read again
        stalled_ids(on)
    override.delete()
    assert stalled_ids(on) == set()
