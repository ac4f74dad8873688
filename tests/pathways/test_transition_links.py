"""The links each transition stores (next stage and date, dwelling of the latest lease) stay equal to what
`chain_links` derives from the log, whichever way the log was written."""

import datetime
import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from pathways.enums import HousingKind, Stage
from pathways.models import Pathway, Transition
from pathways.stages import chain_links
from tests.pathways.factories import ROAD_TO_ENTREE, PathwayFactory, advance

DAY = datetime.date(2024, 3, 1)


def stored_and_derived(pathway):
    rows = list(
        Transition.objects.filter(pathway=pathway)
        .order_by("seq")
        .values_list(
            "stage",
            "date",
            "housing_kind",
            "housing_commune_id",
            "next_stage",
            "next_date",
            "dwelling_kind",
            "dwelling_commune_id",
        )
    )
    return [tuple(row[4:]) for row in rows], chain_links([row[:4] for row in rows])


def test_chain_links_of_a_cancelled_lease_then_a_new_one():
    day = datetime.date(2024, 1, 1)
    history = [
        (Stage.ATTRIBUE, day, "", None),
        (Stage.BAIL_SIGNE, day, HousingKind.PARC_SOCIAL, "13055"),
        (Stage.ORIENTE, day, "", None),
        (Stage.PROPOSITION, day, "", None),
        (Stage.BAIL_SIGNE, day, HousingKind.PARC_PRIVE, "06088"),
        (Stage.ENTREE, day, "", None),
    ]
    assert chain_links(history) == [
        (Stage.BAIL_SIGNE, day, "", None),
        (Stage.ORIENTE, day, HousingKind.PARC_SOCIAL, "13055"),
        (Stage.PROPOSITION, day, HousingKind.PARC_SOCIAL, "13055"),
        (Stage.BAIL_SIGNE, day, HousingKind.PARC_SOCIAL, "13055"),
        (Stage.ENTREE, day, HousingKind.PARC_PRIVE, "06088"),
        ("", None, HousingKind.PARC_PRIVE, "06088"),
    ]


@pytest.mark.django_db
def test_the_services_keep_the_links(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=DAY, road=ROAD_TO_ENTREE[:7])
    advance(pathway, Stage.ORIENTE, Stage.PROPOSITION)
    advance(pathway, Stage.BAIL_SIGNE, housing_kind=HousingKind.IML_SOUS_LOCATION, housing_commune=geo.aix)
    advance(pathway, Stage.ENTREE, Stage.RUPTURE, on=DAY + datetime.timedelta(days=30))
    stored, derived = stored_and_derived(pathway)
    assert stored == derived
    assert stored[-2] == (Stage.RUPTURE, DAY + datetime.timedelta(days=30), HousingKind.IML_SOUS_LOCATION, "13001")


@pytest.mark.django_db
def test_the_import_keeps_the_links(tmp_path, geo):
    (tmp_path / "structures.csv").write_text("id,name,kind\ns1,Accueil,association\n", encoding="utf-8")
    (tmp_path / "households.csv").write_text(
        "id,composition,adults,children,created_on\nh1,personne_seule,1,0,2024-01-01\n", encoding="utf-8"
    )
    (tmp_path / "pathways.csv").write_text(
        "id,household,structure,commune,opened_on\np1,h1,s1,13055,2024-01-01\n", encoding="utf-8"
    )
    (tmp_path / "transitions.csv").write_text(
        "pathway,stage,date,housing_kind,housing_commune\n"
        "p1,attribue,2024-01-01,,\n"
        "p1,bail_signe,2024-02-01,parc_social,13201\n"
        "p1,entree,2024-02-15,,\n"
        "p1,maintien,2024-03-01,,\n",
        encoding="utf-8",
    )
    call_command("import_exchange", str(tmp_path), stdout=io.StringIO())
    stored, derived = stored_and_derived(Pathway.objects.get(external_id="p1"))
    assert stored == derived
    assert stored[2] == (Stage.MAINTIEN, datetime.date(2024, 3, 1), HousingKind.PARC_SOCIAL, "13055")


@pytest.mark.django_db
def test_the_migration_fills_the_links_of_existing_rows(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=DAY, road=ROAD_TO_ENTREE)
    Transition.objects.update(next_stage="", next_date=None, dwelling_kind="", dwelling_commune=None)
    migration = importlib.import_module("pathways.migrations.0003_transition_links")
    # Only the schema editor's connection is used: SQLite refuses a real editor inside the test's transaction.
    migration.fill_links(apps, SimpleNamespace(connection=connection))
    stored, derived = stored_and_derived(pathway)
    assert stored == derived
    assert stored[0] == (Stage.EVALUATION, DAY, "", None)
