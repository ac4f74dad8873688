"""Every change through the services is logged with its before/after (AuditEvent.changes)."""

import datetime

import pytest

from audit.enums import Action, Target
from audit.models import AuditEvent
from pathways import services
from pathways.anonymisation import households_anonymise
from pathways.enums import Stage
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.territories.factories import StructureFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 2, 1)


def last_changes():
    return AuditEvent.objects.order_by("id").last().changes


def test_a_household_edit_logs_each_field_and_member_before_and_after(world):
    member = world.household.members.get()
    second = world.household.members.create(last_name="Benali", first_name="Nora", relationship="conjoint")
    services.household_update(
        household=world.household,
        members=[
            {"id": member.pk, "last_name": "Benali-Roux"},
            {"last_name": "Benali", "first_name": "Yanis", "relationship": "conjoint"},
        ],
        removed=[second.pk],
        by=world.ana,
        adults=2,
        composition="couple_sans_enfant",
    )
    event = AuditEvent.objects.get(action=Action.UPDATE, target=Target.HOUSEHOLD)
    added = world.household.members.exclude(pk=member.pk).get()
    assert event.changes == {
        "adults": [1, 2],
        "composition": ["personne_seule", "couple_sans_enfant"],
        f"membre {member.pk} : last_name": ["Benali", "Benali-Roux"],
        f"membre {second.pk} : first_name": ["Nora", None],
        f"membre {second.pk} : last_name": ["Benali", None],
        f"membre {second.pk} : relationship": ["conjoint", None],
        f"membre {added.pk} : first_name": [None, "Yanis"],
        f"membre {added.pk} : last_name": [None, "Benali"],
        f"membre {added.pk} : relationship": [None, added.relationship],
    }


def test_a_household_created_logs_its_values(world):
    household = services.household_create(
        composition="personne_seule",
        adults=1,
        children=0,
        members=[{"last_name": "Roux", "first_name": "Léa", "relationship": "reference"}],
        by=world.ana,
    )
    member = household.members.get()
    changes = last_changes()
    assert changes["composition"] == [None, "personne_seule"]
    assert changes[f"membre {member.pk} : last_name"] == [None, "Roux"]
    assert f"membre {member.pk} : birth_date" not in changes  # no value, no change


def test_a_transition_logs_the_stage_before_and_after(world):
    services.pathway_transition(pathway=world.pathway, to_stage=Stage.EVALUATION, on=DAY, by=world.ana)
    assert last_changes() == {"stage": ["demande", "evaluation"], "stage_on": ["2024-01-02", "2024-02-01"]}


def test_a_transfer_logs_who_held_the_pathway_and_who_holds_it(world):
    other = StructureFactory()
    services.pathway_assign(pathway=world.pathway, structure=other, note="Relais", by=world.coord)
    assert last_changes() == {"referent_structure": [world.accueil.pk, other.pk], "note": [None, "Relais"]}
    services.pathway_share(pathway=world.pathway, structure=world.accueil, by=world.coord)
    assert last_changes() == {"shared_with": [None, world.accueil.pk]}
    services.pathway_unshare(pathway=world.pathway, structure=world.accueil, by=world.coord)
    assert last_changes() == {"shared_with": [world.accueil.pk, None]}


def test_records_added_to_a_pathway_log_their_values(world):
    services.situation_record(pathway=world.pathway, situation="rue", since=DAY, by=world.ana)
    assert last_changes() == {"situation": [None, "rue"], "since": [None, "2024-02-01"]}
    services.contact_record(pathway=world.pathway, on=DAY, kind="visite", note="Vu au CHRS", by=world.ana)
    assert last_changes() == {"kind": [None, "visite"], "date": [None, "2024-02-01"], "note": [None, "Vu au CHRS"]}
    services.measure_close(measure=world.measure, ended_on=DAY, by=world.ana)
    assert last_changes() == {"ended_on": [None, "2024-02-01"]}


def test_a_pathway_opened_logs_its_values(world):
    opened = services.pathway_open(
        household=world.household,
        structure=world.accueil,
        commune=world.geo.marseille,
        opened_on=DAY,
        stage=Stage.DEMANDE,
        by=world.ana,
    )
    assert last_changes() == {
        "commune": [None, world.geo.marseille.pk],
        "dalo": [None, False],
        "opened_on": [None, "2024-02-01"],
        "referent_structure": [None, world.accueil.pk],
        "stage": [None, "demande"],
    }
    assert AuditEvent.objects.order_by("id").last().target_id == opened.pk


def test_anonymisation_logs_the_households_and_never_the_names_it_cleared(geo):
    household = HouseholdFactory(
        created_on=datetime.date(2020, 1, 1), members=[{"last_name": "Oublié", "first_name": "Jean"}]
    )
    PathwayFactory(household=household, opened_on=datetime.date(2020, 1, 1), commune=geo.marseille)
    households_anonymise(today=datetime.date(2024, 6, 1))
    event = AuditEvent.objects.get()
    assert event.object_ids == [household.pk]
    assert event.changes == {"anonymised_on": [None, "2024-06-01"]}
    assert "Oublié" not in str(event.changes) + event.detail


def test_a_change_without_a_user_is_not_logged_as_anyone(world):
    services.pathway_transition(pathway=world.pathway, to_stage=Stage.EVALUATION, on=DAY, by=None)
    assert not AuditEvent.objects.exists()
