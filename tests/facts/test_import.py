"""The import keeps the read model exact in its transaction: after a first import, a corrected one
(situation, household size, measure, history) and a dry run, the rows are those a rebuild derives."""

import pytest

from facts.models import Event, EventKind
from pathways.models import Pathway
from tests.exchange.folders import replace_line, write_folder
from tests.exchange.test_import import run_import
from tests.facts.test_rebuild import rebuilt, snapshot


@pytest.mark.django_db
def test_imports_keep_the_read_model_exact(geo, tmp_path):
    run_import(write_folder(tmp_path / "first"))
    assert snapshot() == rebuilt()
    lease = Event.objects.get(kind=EventKind.LEASE)
    assert (lease.situation_group, lease.persons, lease.region) == ("hebergement", 1, "93")

    corrected = write_folder(
        tmp_path / "second",
        situations_csv=replace_line("situations.csv", "P1,chu,2020-03-01", "P1,rue,2020-03-01"),
        households_csv=replace_line("households.csv", "M1,personne_seule,1,0", "M1,autre,1,1"),
        measures_csv=replace_line("measures.csv", "A2,P2,asll,,2020-03-01,", "A2,P2,asll,,2020-03-01,2020-09-01"),
        transitions_csv=replace_line("transitions.csv", "P1,entree,2020-06-15", "P1,entree,2020-06-20"),
    )
    run_import(corrected, "--dry-run")
    assert Event.objects.get(kind=EventKind.LEASE).situation_group == "hebergement"
    run_import(corrected)
    assert snapshot() == rebuilt()
    move_in = Event.objects.get(kind=EventKind.MOVE_IN)
    assert (move_in.situation, move_in.persons, str(move_in.date)) == ("rue", 2, "2020-06-20")
    second = Pathway.objects.get(external_id="P2")
    assert str(Event.objects.get(kind=EventKind.MEASURE, pathway_id=second.pk).end_date) == "2020-09-01"
