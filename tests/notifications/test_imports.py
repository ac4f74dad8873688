"""An import writes its rows by COPY or bulk_create: no item per imported row, however many."""

import pytest

from notifications.models import Notification
from pathways.enums import Stage
from pathways.models import Pathway, Transition
from territories.models import Structure
from tests.accounts.factories import UserFactory
from tests.exchange.folders import content, replace_line, write_folder
from tests.exchange.test_import import run_import

pytestmark = pytest.mark.django_db


def test_an_imported_orientation_and_transfer_make_no_item(geo, tmp_path):
    run_import(write_folder(tmp_path / "first"))
    siao = Structure.objects.get(external_id="S1")
    UserFactory(username="ana", caseworker=True, structures=[siao], email="ana@example.org")
    # The second file orients P2 (attente_orientation -> oriente) and moves P1 to the other structure.
    transitions = content("transitions.csv") + "P2,oriente,2020-04-01,,,,\n"
    pathways = replace_line("pathways.csv", "P1,M1,S1,13055", "P1,M1,S2,13055")
    run_import(write_folder(tmp_path / "second", **{"transitions.csv": transitions, "pathways.csv": pathways}))
    assert Pathway.objects.get(external_id="P2").stage == Stage.ORIENTE
    assert Transition.objects.filter(pathway__external_id="P2", stage=Stage.ORIENTE).exists()
    assert Pathway.objects.get(external_id="P1").referent_structure.external_id == "S2"
    assert not Notification.objects.exists()
