import csv
import io
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from reports import services
from tests.accounts.factories import UserFactory
from tests.reports.bilan_scenario import make_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def observer(run, admin):
    services.bilan_run_publish(run=run, by=admin)
    return UserFactory(username="federation", observer=True)


def download(client, user, run, fmt):
    client.force_login(user)
    response = client.get(reverse("reports:run_export", args=[run.pk, fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="bilan-region-93-20180101-20221231.{fmt}"'
    return response.content


def sheet_rows(workbook, name):
    """{indicator code: {column header: value}} of a figures sheet (header on row 5)."""
    sheet = workbook[name]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    header = rows[0]
    return {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "bilan.pdf"
    path.write_bytes(content)
    text = subprocess.run(["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    return text.decode().replace("\xa0", " ")


def test_the_xlsx_holds_the_page_figures_as_numbers(client, run, admin):
    workbook = load_workbook(io.BytesIO(download(client, admin, run, "xlsx")))
    assert workbook.sheetnames == ["Par année", "Par sous-territoire", "Définitions"]
    by_year = sheet_rows(workbook, "Par année")
    assert len(by_year) == 19
    assert [by_year["places_iml_creees"][str(y)] for y in range(2018, 2023)] == [0, 120, 0, 40, 0]
    assert by_year["places_iml_creees"]["Total"] == 160
    assert by_year["attributions_sans_abri"]["Total"] == 2
    assert by_year["part_attributions_sans_domicile"]["Total"] == 88.9
    assert by_year["delai_median_acces_logement"]["2018"] is None  # no move-in: no median
    by_territory = sheet_rows(workbook, "Par sous-territoire")
    assert by_territory["attributions_total"]["Bouches-du-Rhône"] == 8
    assert by_territory["places_pensions_famille_creees"]["Vaucluse"] == 3
    definitions = list(workbook["Définitions"].iter_rows(min_row=2, values_only=True))
    assert definitions[0][0] == "places_iml_creees" and definitions[0][4].startswith("Somme des places")


def test_observers_download_the_published_figures_under_secrecy(client, run, observer):
    workbook = load_workbook(io.BytesIO(download(client, observer, run, "xlsx")))
    by_year = sheet_rows(workbook, "Par année")
    assert by_year["attributions_sans_abri"]["Total"] == "< 5"
    assert by_year["part_attributions_sans_domicile"]["2020"] == "secret"
    assert by_year["places_pensions_famille_creees"]["2018"] == 3
    rows = list(csv.DictReader(io.StringIO(download(client, observer, run, "csv").decode())))
    total = {r["code"]: r["valeur"] for r in rows if r["vue"] == "periode"}
    assert (total["attributions_sans_abri"], total["attributions_total"], total["territoires_acceleres"]) == (
        "< 5",
        "9",
        "2",
    )
    by_departement = {(r["code"], r["territoire"]): r["valeur"] for r in rows if r["vue"] == "sous_territoire"}
    assert by_departement[("part_attributions_sans_domicile", "Alpes-Maritimes")] == "secret"


def test_the_csv_has_a_line_per_figure(client, run, admin):
    rows = list(csv.DictReader(io.StringIO(download(client, admin, run, "csv").decode())))
    assert len(rows) == 19 * (1 + 5 + 6)
    places = [r for r in rows if r["code"] == "places_iml_creees"]
    assert [(r["vue"], r["annee"], r["territoire"], r["valeur"]) for r in places[:3]] == [
        ("periode", "", "Provence-Alpes-Côte d'Azur", "160"),
        ("annee", "2018", "Provence-Alpes-Côte d'Azur", "0"),
        ("annee", "2019", "Provence-Alpes-Côte d'Azur", "120"),
    ]


def test_the_pdf_has_the_tables_the_charts_and_the_definitions(client, run, admin, observer, tmp_path):
    text = pdf_text(download(client, admin, run, "pdf"), tmp_path)
    assert "Bilan du plan Logement d'abord" in text
    assert "Provence-Alpes-Côte d'Azur (région 93)" in text
    assert "region:93" not in text
    assert "du 01/01/2018 au 31/12/2022" in text
    assert "Document généré le" in text
    assert "Places créées par année" in text and "Attributions de logements sociaux par sous-territoire" in text
    assert "Annexe : définitions des indicateurs" in text
    line = next(line for line in text.splitlines() if "Places d'intermédiation locative créées" in line)
    assert line.split()[-6:] == ["0", "120", "0", "40", "0", "160"]
    hidden = pdf_text(download(client, observer, run, "pdf"), tmp_path)
    line = next(line for line in hidden.splitlines() if "ménages sans-abri" in line and "attributions" in line)
    # pdftotext -layout keeps « < 5 » as « <5 »: years 2018 to 2022, then the total.
    assert line.split()[-6:] == ["0", "0", "<5", "0", "0", "<5"]


def test_the_bilan_command_writes_the_same_files(geo, tmp_path):
    make_scenario(geo)
    xlsx, pdf = tmp_path / "bilan.xlsx", tmp_path / "bilan.pdf"
    common = {"territory": "region:93", "start": "2018-01-01", "end": "2022-12-31"}
    call_command("bilan", **common, format="xlsx", output=str(xlsx))
    by_year = sheet_rows(load_workbook(xlsx), "Par année")
    assert by_year["places_iml_creees"]["Total"] == 160
    assert by_year["attributions_sans_abri"]["Total"] == 2  # the command shows exact figures
    call_command("bilan", **common, format="pdf", output=str(pdf))
    assert "Places créées par sous-territoire" in pdf_text(pdf.read_bytes(), tmp_path)
