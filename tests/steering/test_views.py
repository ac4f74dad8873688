"""The « Pilotage mensuel » page: who reads it, the figures it shows and downloads, and bad query strings
refused with a French message (never a server error)."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.accounts.factories import UserFactory
from tests.territories.factories import StructureFactory

URL = reverse("steering:flows")
WINDOW = "?debut=2024-01&fin=2024-04&cohorte=2022"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("traits", "status"),
    [({"coordinator": True}, 200), ({"administrator": True}, 200), ({"observer": True}, 403), ({}, 403)],
)
def test_who_reads_the_page(client, geo, traits, status):
    user = UserFactory(**traits) if traits else UserFactory(structures=[StructureFactory()])
    client.force_login(user)
    assert client.get(URL).status_code == status


@pytest.mark.django_db
def test_the_coordinator_reads_the_flows_of_the_departement(client, scenario):
    client.force_login(UserFactory(coordinator=True))
    page = client.get(URL + WINDOW).content.decode()
    assert "Pilotage mensuel — Bouches-du-Rhône" in page
    assert "Équilibre vérifié" in page
    row = page[page.index('data-month="2024-02"') : page.index('data-month="2024-03"')]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    # Start 2; in: new 1, after housing 0, after inactivity 0, total 1; out: housed 0, inactive 1,
    # closed 1, total 2; end 1; balanced.
    assert cells == ["2", "1", "0", "0", "1", "0", "1", "1", "2", "1", "vérifié"]


@pytest.mark.django_db
def test_the_administrator_reads_the_region(client, scenario):
    client.force_login(UserFactory(administrator=True))
    page = client.get(URL + "?debut=2024-01&fin=2024-01").content.decode()
    assert "Provence-Alpes-Côte d&#x27;Azur" in page or "Provence-Alpes-Côte d'Azur" in page
    assert 'data-month="2024-01"' in page


@pytest.mark.django_db
def test_csv_and_xlsx_hold_the_same_rows(client, scenario):
    client.force_login(UserFactory(coordinator=True))
    response = client.get(URL + WINDOW + "&format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="flux-mensuels-departement-13-2024-01-2024-04.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("mois;ventilation;categorie;actifs_debut;entrees_nouveau;")
    assert "2024-02;ensemble;;2;1;0;0;1;0;1;1;2;1;oui" in lines
    assert "2024-03;composition;Couple avec enfants;1;0;0;0;0;1;0;0;1;0;oui" in lines
    workbook = load_workbook(io.BytesIO(client.get(URL + WINDOW + "&format=xlsx").content))
    rows = list(workbook["Flux mensuels"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(lines) - 1
    assert list(rows[1]) == ["2024-02", "ensemble", None, 2, 1, 0, 0, 1, 0, 1, 1, 2, 1, "oui"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?debut=2024-13", "Début « 2024-13 » invalide"),
        ("?fin=abc", "Fin « abc » invalide"),
        ("?debut=2025-06&fin=2024-01", "Le début est après la fin"),
        ("?debut=2010-01&fin=2024-12", "Au plus 36 mois"),
        ("?fin=2999-01", "Le mois en cours n&#x27;est pas terminé"),
        ("?cohorte=deux-mille", "Année de cohorte « deux-mille » invalide"),
        ("?territoire=region:11", "hors de votre périmètre"),
    ],
)
def test_a_bad_query_string_gets_a_french_message(client, geo, query, message):
    client.force_login(UserFactory(coordinator=True))
    response = client.get(URL + query)
    assert response.status_code == 200
    assert message in response.content.decode()
