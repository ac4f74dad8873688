import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Role
from audit.models import AuditEvent
from project.spreadsheets import neutralise
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.territories.factories import StructureFactory
from tests.web.queues_scenario import days_ago, make_scenario
from web.queues import exports

HEADER = [
    "Parcours",
    "Ménage",
    "Nom de la personne de référence",
    "Étape",
    "Depuis le",
    "Jours d'attente",
    "Bloqué",
    "DALO",
    "Structure référente",
    "Référent ou référente",
    "Code commune",
    "Commune",
    "Situation actuelle",
]


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def read_xlsx(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_xlsx_export_has_typed_cells(coordinator_client, scenario, django_assert_max_num_queries):
    # session, user, the scope's département, the ids of the exported pathways and the audit log entry
    # that keeps them, the confidential households' structures, the rows (one query, streamed), the
    # coordinator's own structures, then the session saved (savepoint, update, release); and the
    # territory's referent structures, read once a minute (web/queues/filters.py)
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(reverse("queues:export_xlsx"))
    rows = read_xlsx(response)
    assert rows[0] == tuple(HEADER)
    assert rows[1] == (
        scenario.durand.reference,
        scenario.durand.household.reference,
        "DURAND Alex",
        "Demande enregistrée",
        datetime.datetime.combine(days_ago(100), datetime.time()),
        100,
        "Oui",
        "Non",
        "Association Alpha",
        "Sam Aubert",
        "13055",
        "Marseille",
        "Rue, espace public",
    )
    assert rows[2][:8] == (
        scenario.diallo.reference,
        scenario.diallo.household.reference,
        "DIALLO Awa",
        "En attente d'orientation",
        datetime.datetime.combine(days_ago(20), datetime.time()),
        20,
        "Non",
        "Oui",
    )
    # The confidential household: reference numbers only.
    secret = scenario.secret
    assert rows[3][:4] == (secret.reference, secret.household.reference, None, "Repérage / premier contact")
    assert len(rows) == 4
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["E2"].is_date and sheet["E2"].number_format == "DD/MM/YYYY"
    assert isinstance(sheet["F2"].value, int)
    assert "Secret" not in str(rows)


def test_csv_export_for_french_spreadsheets_with_the_page_filters(
    coordinator_client, scenario, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):  # the same queries as the XLSX export
        response = coordinator_client.get(reverse("queues:export_csv"), {"dalo": "non", "tri": "attente_asc"})
    assert response["Content-Disposition"].startswith('attachment; filename="file-attente-')
    rows = read_csv(response)
    assert rows[0] == HEADER
    assert rows[1] == [
        scenario.secret.reference,
        scenario.secret.household.reference,
        "",
        "Repérage / premier contact",
        f"{days_ago(10):%d/%m/%Y}",
        "10",
        "Non",
        "Non",
        "Association Alpha",
        "",
        "13055",
        "Marseille",
        "Squat",
    ]
    assert [row[0] for row in rows[1:]] == [scenario.secret.reference, scenario.durand.reference]
    assert "Secret" not in response.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(action="export")  # signing in is logged too
    assert (event.user, event.action, event.target, event.detail) == (
        scenario.coordinator,
        "export",
        "queue",
        "CSV dalo=non&tri=attente_asc",
    )
    assert sorted(event.object_ids) == sorted([scenario.secret.pk, scenario.durand.pk])


def test_formulas_are_neutralised(coordinator_client, geo):
    structure = StructureFactory(name="+33 Association", commune=geo.marseille)
    caseworker = UserFactory(first_name="@Sam", last_name="Hack", structures=[structure])
    PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": '=HYPERLINK("http://x")', "first_name": "Eve"}]),
        referent_structure=structure,
        caseworker=caseworker,
        commune=geo.marseille,
        opened_on=days_ago(3),
    )
    PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "-2+3", "first_name": ""}]),
        referent_structure=structure,
        commune=geo.marseille,
        opened_on=days_ago(2),
    )
    only = {"structure": structure.pk}
    xlsx = read_xlsx(coordinator_client.get(reverse("queues:export_xlsx"), only))
    expected = [
        ('\'=HYPERLINK("HTTP://X") Eve', "'+33 Association", "'@Sam Hack"),
        ("'-2+3", "'+33 Association", None),
    ]
    assert [(row[2], row[8], row[9]) for row in xlsx[1:]] == expected
    rows = read_csv(coordinator_client.get(reverse("queues:export_csv"), only))
    assert [(row[2], row[8], row[9]) for row in rows[1:]] == [(a, b, c or "") for a, b, c in expected]


def test_neutralise():
    assert [neutralise(v) for v in ["=1", "+1", "-1", "@a", "a=1", "", "-", 5, -3]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "a=1",
        "",
        "-",
        5,
        -3,
    ]


def test_roles_that_see_no_people_get_no_name_column(db):
    assert "Nom de la personne de référence" not in exports.columns(UserFactory(administrator=True))
    assert "Nom de la personne de référence" not in exports.columns(UserFactory(observer=True))
    assert exports.columns(UserFactory(coordinator=True)) == HEADER


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.CASEWORKER])
def test_exports_are_refused_to_other_roles(client, scenario, role):
    client.force_login(UserFactory(role=role, territories="region:93" if role == Role.ADMINISTRATOR else ""))
    assert client.get(reverse("queues:export_xlsx")).status_code == 403
    assert client.get(reverse("queues:export_csv")).status_code == 403


def test_an_export_with_bad_filters_is_refused_in_french(coordinator_client):
    response = coordinator_client.get(reverse("queues:export_csv"), {"attente_min": "trois"})
    assert response.status_code == 400
    assert response.content.decode() == (
        "Les filtres de cette file sont invalides : corrigez-les sur la page de la file, puis exportez."
    )
    page = coordinator_client.get(reverse("queues:list"), {"attente_min": "trois"}).content.decode()
    assert "Exporter la file" not in page


def test_the_xlsx_export_has_column_widths_a_frozen_header_and_filters(coordinator_client, scenario):
    response = coordinator_client.get(reverse("queues:export_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{sheet.max_row}"
    assert sheet.max_row > 2  # the filter covers the rows written, not the header alone
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDI"}
    # References narrow, names, stages and structures wide enough to read.
    assert widths == {"A": 12, "B": 12, "C": 30, "D": 28, "I": 32}
