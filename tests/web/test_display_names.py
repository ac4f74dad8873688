import csv
import io

import pytest
from django.urls import reverse

from pathways.names import display_name
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.territories.factories import StructureFactory
from tests.web.queues_scenario import days_ago

pytestmark = pytest.mark.django_db


def test_display_name_puts_the_last_name_in_capitals_first():
    assert display_name("Mendy", "Rachid") == "MENDY Rachid"
    assert display_name("Lefèvre-N'Diaye", "Élodie") == "LEFÈVRE-N'DIAYE Élodie"
    assert display_name(" Mendy ", "") == "MENDY"


def test_casework_list_queue_and_export_show_the_same_name(client, geo):
    structure = StructureFactory(commune=geo.marseille)
    pathway = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Lefèvre", "first_name": "Élodie"}]),
        referent_structure=structure,
        commune=geo.marseille,
        opened_on=days_ago(5),
    )
    assert pathway.household.members.get().display_name == "LEFÈVRE Élodie"
    client.force_login(UserFactory(coordinator=True))
    casework = client.get(reverse("casework:pathway_list")).content.decode()
    queue = client.get(reverse("queues:list")).content.decode()
    assert "<br>LEFÈVRE Élodie" in casework
    assert "<br>LEFÈVRE Élodie" in queue
    assert "Lefèvre Élodie" not in casework + queue
    response = client.get(reverse("queues:export_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[2] for row in rows[1:]] == ["LEFÈVRE Élodie"]
