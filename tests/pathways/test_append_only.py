"""The transition log is append-only in the database itself (PostgreSQL triggers), whoever writes:
only the next-step links, anonymisation's clearing of a reason and the import's replacement of a
pathway's history may change written rows. And no account that recorded anything can be deleted."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from pathways import services
from pathways.anonymisation import households_anonymise
from pathways.enums import Stage
from pathways.models import Transition, transition_history_replacement
from tests.accounts.factories import UserFactory
from tests.pathways.factories import PathwayFactory, advance


def postgres_only(test):
    skip = pytest.mark.skipif(connection.vendor != "postgresql", reason="The triggers exist on PostgreSQL only.")
    return pytest.mark.postgres_only(skip(test))


@pytest.fixture
def pathway(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2020, 1, 10))
    advance(pathway, Stage.EVALUATION, on=datetime.date(2020, 2, 1), reason="Vu avec Mme Durand")
    return pathway


def refused(sql: str, params=()) -> str:
    """Run `sql` in a savepoint; return the database's refusal (the test fails if there is none)."""
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


@pytest.mark.parametrize(
    "assignment",
    [
        "stage = 'entree'",
        "date = '2021-01-01'",
        "seq = 9",
        "pathway_id = pathway_id + 1000",
        "recorded_by_id = {user}",
        "recorded_at = now()",
        "orientation = 'pension_famille'",
        "reason = 'Autre motif'",
    ],
)
@pytest.mark.django_db
@postgres_only
def test_a_raw_update_of_a_written_transition_is_refused(pathway, assignment):
    first = pathway.transitions.order_by("seq").first()
    assignment = assignment.format(user=UserFactory().pk)

    message = refused(f"UPDATE pathways_transition SET {assignment} WHERE id = %s", [first.pk])

    assert "Cannot update rows from pathways_transition table" in message
    first.refresh_from_db()
    assert (first.stage, first.date, first.seq) == (Stage.DEMANDE, datetime.date(2020, 1, 10), 1)


@pytest.mark.django_db
@postgres_only
def test_a_delete_is_refused_raw_or_through_the_orm(pathway):
    assert "Cannot delete rows" in refused("DELETE FROM pathways_transition WHERE pathway_id = %s", [pathway.pk])
    with pytest.raises(DatabaseError, match="Cannot delete rows"), transaction.atomic():
        Transition.objects.filter(pathway=pathway).delete()
    # Deleting the pathway would cascade to its log: refused as well.
    with pytest.raises(DatabaseError, match="Cannot delete rows"), transaction.atomic():
        pathway.delete()
    assert pathway.transitions.count() == 2


@pytest.mark.django_db
@postgres_only
def test_the_documented_changes_go_through(pathway):
    # The next-step links, written on the previous row when a step is appended.
    services.pathway_transition(
        pathway=pathway, to_stage=Stage.ATTENTE_ORIENTATION, on=datetime.date(2020, 3, 1), by=None
    )
    evaluation = pathway.transitions.get(stage=Stage.EVALUATION)
    assert (evaluation.next_stage, evaluation.next_date) == (Stage.ATTENTE_ORIENTATION, datetime.date(2020, 3, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pathways_transition SET next_stage = '', next_date = NULL, dwelling_kind = '', "
            "dwelling_commune_id = NULL WHERE id = %s",
            [evaluation.pk],
        )
    # Anonymisation clears the reasons.
    report = households_anonymise(today=datetime.date(2023, 1, 1))
    assert report.households == 1
    assert list(pathway.transitions.values_list("reason", flat=True)) == ["", "", ""]


@pytest.mark.django_db
@postgres_only
def test_deleting_is_allowed_only_inside_the_import_s_history_replacement(pathway):
    with transaction.atomic(), transition_history_replacement():
        Transition.objects.filter(pathway=pathway, seq=2).delete()
    assert list(pathway.transitions.values_list("seq", flat=True)) == [1]
    # The permission ends with the context, in the same transaction too.
    with transaction.atomic():
        with transition_history_replacement():
            pass
        assert "Cannot delete rows" in refused("DELETE FROM pathways_transition WHERE pathway_id = %s", [pathway.pk])
    assert pathway.transitions.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("record", ["transition", "situation", "contact", "measure", "assignment", "caseworker"])
def test_an_account_that_recorded_anything_cannot_be_deleted(pathway, record):
    user = UserFactory(structures=[pathway.referent_structure])
    day = datetime.date(2020, 3, 1)
    if record == "transition":
        services.pathway_transition(pathway=pathway, to_stage=Stage.ATTENTE_ORIENTATION, on=day, by=user)
    elif record == "situation":
        services.situation_record(pathway=pathway, situation="rue", since=day, by=user)
    elif record == "contact":
        services.contact_record(pathway=pathway, on=day, kind="entretien", by=user)
    elif record == "measure":
        services.measure_open(pathway=pathway, kind="asll", started_on=day, by=user)
    elif record == "assignment":
        services.pathway_assign(pathway=pathway, structure=pathway.referent_structure, by=user)
    else:
        services.pathway_assign(pathway=pathway, structure=pathway.referent_structure, caseworker=user, by=None)

    with pytest.raises(ProtectedError):
        user.delete()


@pytest.mark.django_db
def test_an_account_that_edited_a_household_cannot_be_deleted(pathway):
    user = UserFactory(structures=[pathway.referent_structure])
    services.household_update(household=pathway.household, confidential=True, members=[], by=user)

    with pytest.raises(ProtectedError):
        user.delete()
