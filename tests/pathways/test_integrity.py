"""`check_integrity` passes a dataset written by the services and catches each kind of corruption,
injected with raw SQL as a faulty script, a partial restore or a manual fix in the database would."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from pathways import services
from pathways.enums import ContactKind, SituationKind, Stage
from pathways.integrity import EXAMPLES, _log_sql, integrity_check
from pathways.models import Pathway
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance

DAY = datetime.date(2024, 3, 1)


@pytest.fixture
def dataset(geo):
    """A housed pathway (with a lease), one reopened after being lost from view, one just opened."""
    housed = PathwayFactory(commune=geo.marseille, opened_on=DAY, housed=True)
    reopened = PathwayFactory(commune=geo.nice, opened_on=DAY)
    advance(reopened, Stage.PERDU_DE_VUE, on=DAY + datetime.timedelta(days=10))
    advance(reopened, Stage.DEMANDE, Stage.EVALUATION, on=DAY + datetime.timedelta(days=40))
    services.contact_record(pathway=reopened, on=DAY + datetime.timedelta(days=50), kind=ContactKind.ENTRETIEN, by=None)
    fresh = PathwayFactory(commune=geo.aix, opened_on=DAY, stage=Stage.REPERAGE)
    return {"housed": housed, "reopened": reopened, "fresh": fresh}


def inject(sql: str, params=()) -> None:
    """Write past the database's guards: on PostgreSQL, the append-only triggers on transitions and the
    foreign keys are triggers, which `replica` skips until the test's transaction rolls back. On SQLite
    the foreign keys are deferred to a commit that the test never makes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def remove_orphans() -> None:
    """Django checks the deferred foreign keys before rolling a test back: drop what the test orphaned
    (twice: removing a pathway without household orphans its steps)."""
    relations = [
        (table, "pathway_id", "pathways_pathway")
        for table in ("pathways_transition", "pathways_assignment", "pathways_situation", "pathways_contact")
    ] + [
        ("pathways_member", "household_id", "pathways_household"),
        ("pathways_pathway", "household_id", "pathways_household"),
    ]
    for _ in range(2):
        for table, column, parent in relations:
            inject(f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM {parent} AS r WHERE r.id = {table}.{column})")


def run_command(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("check_integrity", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def failing(report) -> dict[str, int]:
    return {check.code: check.count for check in report.checks if check.count}


def transition_id(pathway: Pathway, seq: int) -> int:
    return pathway.transitions.get(seq=seq).pk


def test_a_clean_dataset_passes(dataset):
    report = integrity_check()

    assert report.ok, report.text()
    assert (report.pathways, report.transitions) == (3, 1 + len(ROAD_TO_ENTREE) + 4 + 1)
    code, out = run_command()
    assert code == 0
    assert "Aucune incohérence." in out


def test_a_gap_in_the_sequence_is_found(dataset):
    housed = dataset["housed"]
    last = housed.transitions.order_by("-seq").first()
    inject("UPDATE pathways_transition SET seq = seq + 1 WHERE id = %s", [last.pk])

    report = integrity_check()

    assert failing(report) == {"seq_gaps": 1}
    assert report.by_code()["seq_gaps"].examples == [housed.reference]


def test_a_move_the_stage_table_forbids_is_found(dataset):
    # demande -> maintien skips the whole road; the neighbours' links and the pathway's own columns
    # follow, so that only the move is wrong.
    fresh = dataset["reopened"]
    inject(
        "UPDATE pathways_transition SET stage = 'maintien', next_stage = '' WHERE id = %s",
        [transition_id(fresh, 4)],
    )
    inject("UPDATE pathways_transition SET next_stage = 'maintien' WHERE id = %s", [transition_id(fresh, 3)])
    inject("UPDATE pathways_pathway SET stage = 'maintien' WHERE id = %s", [fresh.pk])

    report = integrity_check()

    assert failing(report) == {"move_not_allowed": 1}
    assert report.by_code()["move_not_allowed"].examples == [fresh.reference]


def test_a_pathway_opening_at_a_housed_stage_is_found(dataset):
    fresh = dataset["fresh"]
    inject("UPDATE pathways_transition SET stage = 'entree' WHERE pathway_id = %s", [fresh.pk])
    inject("UPDATE pathways_pathway SET stage = 'entree' WHERE id = %s", [fresh.pk])

    assert failing(integrity_check()) == {"first_stage": 1}


def test_a_first_step_dated_away_from_the_opening_is_found(dataset):
    fresh = dataset["fresh"]
    inject("UPDATE pathways_pathway SET opened_on = %s WHERE id = %s", [DAY - datetime.timedelta(days=1), fresh.pk])

    assert failing(integrity_check()) == {"first_date": 1}


def test_dates_out_of_order_are_found(dataset):
    reopened = dataset["reopened"]
    # The lost-from-view step moved before the opening; its neighbour's link moves with it.
    earlier = DAY - datetime.timedelta(days=5)
    inject("UPDATE pathways_transition SET date = %s WHERE id = %s", [earlier, transition_id(reopened, 2)])
    inject("UPDATE pathways_transition SET next_date = %s WHERE id = %s", [earlier, transition_id(reopened, 1)])

    assert failing(integrity_check()) == {"dates_out_of_order": 1}


def test_a_next_stage_link_out_of_step_is_found(dataset):
    inject("UPDATE pathways_transition SET next_stage = 'caleol' WHERE id = %s", [transition_id(dataset["housed"], 2)])
    inject("UPDATE pathways_transition SET next_date = NULL WHERE id = %s", [transition_id(dataset["reopened"], 3)])
    inject("UPDATE pathways_transition SET next_date = %s WHERE id = %s", [DAY, transition_id(dataset["fresh"], 1)])

    report = integrity_check()

    assert failing(report) == {"next_link": 3}


def test_a_last_step_still_linked_to_a_removed_one_is_found(dataset):
    reopened = dataset["reopened"]
    inject("DELETE FROM pathways_transition WHERE id = %s", [transition_id(reopened, 4)])
    inject("UPDATE pathways_pathway SET stage = 'demande' WHERE id = %s", [reopened.pk])
    inject("UPDATE pathways_pathway SET stage_on = %s WHERE id = %s", [DAY + datetime.timedelta(days=40), reopened.pk])

    assert failing(integrity_check()) == {"next_link": 1}


def test_a_dwelling_out_of_step_with_the_lease_is_found(dataset):
    housed = dataset["housed"]
    # The move-in after the lease lost its dwelling; a step before the lease claims one.
    inject("UPDATE pathways_transition SET dwelling_kind = '' WHERE id = %s", [transition_id(housed, 9)])
    inject("UPDATE pathways_transition SET dwelling_kind = 'parc_prive' WHERE id = %s", [transition_id(housed, 3)])

    report = integrity_check()

    assert failing(report) == {"dwelling_link": 1}


def test_a_dwelling_commune_out_of_step_is_found(dataset, geo):
    housed = dataset["housed"]
    inject(
        "UPDATE pathways_transition SET dwelling_commune_id = %s WHERE id = %s",
        [geo.nice.pk, transition_id(housed, 9)],
    )

    assert failing(integrity_check()) == {"dwelling_link": 1}


def test_a_current_stage_other_than_the_last_step_is_found(dataset):
    inject("UPDATE pathways_pathway SET stage = 'oriente' WHERE id = %s", [dataset["housed"].pk])
    inject("UPDATE pathways_pathway SET stage_on = %s WHERE id = %s", [DAY, dataset["reopened"].pk])

    report = integrity_check()

    assert failing(report) == {"current_stage": 2}
    assert report.by_code()["current_stage"].examples == sorted(
        [dataset["housed"].reference, dataset["reopened"].reference]
    )


def test_a_last_activity_before_the_last_contact_is_found(dataset):
    inject("UPDATE pathways_pathway SET last_activity_on = stage_on WHERE id = %s", [dataset["reopened"].pk])

    assert failing(integrity_check()) == {"last_activity": 1}


def test_a_current_situation_other_than_the_latest_recorded_is_found(dataset):
    fresh = dataset["fresh"]
    services.situation_record(pathway=fresh, situation=SituationKind.RUE, since=DAY, by=None)
    services.situation_record(
        pathway=fresh, situation=SituationKind.CHRS, since=DAY + datetime.timedelta(days=5), by=None
    )
    assert integrity_check().ok

    inject("UPDATE pathways_pathway SET current_situation = 'rue' WHERE id = %s", [fresh.pk])
    inject("UPDATE pathways_pathway SET current_situation_since = %s WHERE id = %s", [DAY, dataset["housed"].pk])

    report = integrity_check()

    assert failing(report) == {"current_situation": 2}
    assert report.by_code()["current_situation"].examples == sorted([fresh.reference, dataset["housed"].reference])


def test_a_household_composition_other_than_the_households_is_found(dataset):
    inject("UPDATE pathways_household SET composition = 'autre' WHERE id = %s", [dataset["fresh"].household_id])

    report = integrity_check()

    assert failing(report) == {"household_composition": 1}
    assert report.by_code()["household_composition"].examples == [dataset["fresh"].reference]


def test_a_pathway_without_any_step_is_found(dataset):
    inject("DELETE FROM pathways_transition WHERE pathway_id = %s", [dataset["fresh"].pk])

    assert failing(integrity_check()) == {"pathway_without_log": 1}


def test_orphans_are_found(dataset):
    housed, fresh = dataset["housed"], dataset["fresh"]
    lone = HouseholdFactory()
    # A member and a pathway whose household is gone; steps and contacts whose pathway is gone.
    inject("DELETE FROM pathways_household WHERE id = %s", [fresh.household_id])
    inject("DELETE FROM pathways_pathway WHERE id = %s", [housed.pk])
    inject("UPDATE pathways_member SET household_id = %s WHERE household_id = %s", [10**6, lone.pk])

    report = integrity_check()

    assert failing(report) == {
        "member_without_household": 2,  # fresh's member, and the one moved off `lone`
        "pathway_without_household": 1,  # fresh
        "row_without_pathway": 1 + len(ROAD_TO_ENTREE) + 1,  # housed's steps and its assignment
        "household_without_member": 1,  # lone
        "household_without_pathway": 2,  # lone (it never had one), housed's household
    }
    assert report.by_code()["household_without_pathway"].examples == sorted(
        [lone.reference, housed.household.reference]
    )
    remove_orphans()


def test_references_to_missing_structures_are_found(dataset):
    structure = dataset["fresh"].referent_structure_id
    inject("UPDATE pathways_pathway SET referent_structure_id = %s WHERE id = %s", [10**6, dataset["fresh"].pk])

    report = integrity_check()

    assert failing(report) == {"dangling_reference": 1}
    assert report.by_code()["dangling_reference"].examples == [f"pathways_pathway#{dataset['fresh'].pk}"]
    inject("UPDATE pathways_pathway SET referent_structure_id = %s WHERE id = %s", [structure, dataset["fresh"].pk])


def test_the_command_fails_and_lists_at_most_ten_examples(geo):
    pathways = [PathwayFactory(commune=geo.marseille, opened_on=DAY) for _ in range(EXAMPLES + 2)]
    inject("UPDATE pathways_pathway SET stage = 'oriente'")

    code, out = run_command()

    assert code == 1
    line = next(line for line in out.splitlines() if "Étape courante" in line)
    assert line.startswith("  ÉCHEC")
    assert f": {EXAMPLES + 2} (" in line
    assert line.count("P-") == EXAMPLES and line.endswith("...)")
    assert pathways[0].reference in line
    code, out = run_command("--json")
    data = json.loads(out)
    assert (code, data["ok"], data["violations"]) == (1, False, EXAMPLES + 2)
    current = next(check for check in data["checks"] if check["code"] == "current_stage")
    assert (current["count"], len(current["examples"])) == (EXAMPLES + 2, EXAMPLES)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="Plan PostgreSQL (DATABASE_URL).")
def test_on_postgresql_the_log_is_read_in_one_pass_without_correlated_subqueries(dataset):
    """A million pathways stay affordable only if each row is visited once: window functions over one
    scan of the log, no subquery run per row."""
    sql, params = _log_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "WindowAgg" in plan
    assert "SubPlan" not in plan
    assert plan.count("on pathways_transition") == 1, plan
    inject("UPDATE pathways_pathway SET stage = 'oriente' WHERE id = %s", [dataset["housed"].pk])
    assert run_command()[0] == 1
