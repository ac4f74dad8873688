"""The export page: a .zip of the exchange folder of a territory of the user's scope, names only for a
superuser who asks for them, every export audited."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from audit.enums import Action
from audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.exchange.folders import BASE, write_folder
from tests.exchange.test_export import rows, run_export
from tests.exchange.test_import import run_import

FILES = sorted(BASE)
NAMES = ("Durand", "Alex", "Martin", "Léa", "1980-05-04")


@pytest.fixture
def imported(geo, tmp_path):
    run_import(write_folder(tmp_path / "in"))


def download(client, **data) -> tuple:
    response = client.post(reverse("exchange:export"), data)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    return response, files


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def exports(user) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(action=Action.EXPORT, user=user)
        .order_by("id")
        .values_list("user", "target", "detail")
    )


def test_administrator_downloads_the_folder_without_names(client, imported, tmp_path):
    admin = UserFactory(username="dreets", administrator=True)
    client.force_login(admin)

    response, files = download(client, territory="region:93", with_personal_data="on")

    assert response["Content-Disposition"].startswith('attachment; filename="echange-region-93-')
    assert sorted(files) == FILES
    assert csv_rows(files["households.csv"]) == [
        ["id", "composition", "adults", "children", "created_on", "confidential"],
        ["M1", "personne_seule", "1", "0", "2020-01-01", "false"],
        ["M2", "famille_monoparentale", "1", "2", "2020-02-01", "true"],
    ]
    assert not [(name, word) for name, text in files.items() for word in NAMES if word in text]
    # The same rows as the command writes.
    run_export(tmp_path / "command", "--territory", "region:93")
    for name in FILES:
        assert csv_rows(files[name]) == rows(tmp_path / "command" / name), name
    assert exports(admin) == [(admin.pk, "exchange", "region:93 (page web)")]


def test_a_commune_narrows_the_export(client, imported):
    client.force_login(UserFactory(username="dreets", administrator=True))

    _, files = download(client, territory="region:93", commune="13001")

    assert csv_rows(files["pathways.csv"]) == [
        ["id", "household", "structure", "commune", "opened_on", "dalo"],
        ["P2", "M2", "S1", "13001", "2020-02-03", "true"],
    ]
    assert [row[0] for row in csv_rows(files["transitions.csv"])[1:]] == ["P2", "P2"]
    assert AuditEvent.objects.get(action=Action.EXPORT).detail == "commune:13001 (page web)"


def test_superuser_may_ask_for_personal_data(client, imported):
    root = UserFactory(username="root", is_superuser=True, role="")
    client.force_login(root)
    page = client.get(reverse("exchange:export")).content.decode()
    assert "Avec données personnelles" in page

    _, files = download(client, territory="france", with_personal_data="on")

    assert csv_rows(files["households.csv"])[1] == [
        "M1",
        "personne_seule",
        "1",
        "0",
        "2020-01-01",
        "false",
        "Durand",
        "Alex",
        "1980-05-04",
    ]
    _, without = download(client, territory="france")
    assert "Durand" not in without["households.csv"]
    assert exports(root) == [
        (root.pk, "exchange", "france avec données personnelles (page web)"),
        (root.pk, "exchange", "france (page web)"),
    ]


def test_administrator_is_offered_no_personal_data(client, geo):
    client.force_login(UserFactory(username="dreets", administrator=True))
    page = client.get(reverse("exchange:export")).content.decode()
    assert "Avec données personnelles" not in page
    assert "Les noms, prénoms et dates de naissance ne sont pas exportés." in page


def test_territories_outside_the_scope_are_refused(client, imported):
    client.force_login(UserFactory(username="ddets", administrator=True, territories="departement:13"))

    outside = client.post(reverse("exchange:export"), {"territory": "region:93"})
    paris = client.post(reverse("exchange:export"), {"territory": "departement:13", "commune": "75056"})
    unknown = client.post(reverse("exchange:export"), {"territory": "departement:13", "commune": "99999"})

    assert outside.status_code == paris.status_code == unknown.status_code == 200
    assert "Sélectionnez un choix valide. region:93 n’en fait pas partie." in outside.content.decode()
    assert "La commune « Paris » n&#x27;est pas dans votre territoire (Bouches-du-Rhône)." in paris.content.decode()
    assert "Aucune commune n&#x27;a le code INSEE « 99999 »." in unknown.content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
