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
    rows = csv_rows(download(client, observer, run, "csv"))
    total = {r["code"]: r["valeur"] for r in rows if r["vue"] == "periode"}
    assert (total["attributions_sans_abri"], total["attributions_total"], total["territoires_acceleres"]) == (
        "< 5",
        "9",
        "2",
    )
    by_departement = {(r["code"], r["territoire"]): r["valeur"] for r in rows if r["vue"] == "sous_territoire"}
    assert by_departement[("part_attributions_sans_domicile", "Alpes-Maritimes")] == "secret"


def csv_rows(content: bytes) -> list[dict]:
    """The bilan CSV as a French spreadsheet reads it: UTF-8 with a byte-order mark, `;`-separated."""
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_a_line_per_figure(client, run, admin):
    content = download(client, admin, run, "csv")
    assert content.splitlines()[0].decode("utf-8-sig").startswith("code;axe;indicateur;unite;vue;")
    rows = csv_rows(content)
    assert len(rows) == 19 * (1 + 5 + 6)
    places = [r for r in rows if r["code"] == "places_iml_creees"]
    assert [(r["vue"], r["annee"], r["territoire"], r["valeur"]) for r in places[:3]] == [
        ("periode", "", "Provence-Alpes-Côte d'Azur", "160"),
        ("annee", "2018", "Provence-Alpes-Côte d'Azur", "0"),
        ("annee", "2019", "Provence-Alpes-Côte d'Azur", "120"),
    ]
    # Decimal commas: a French spreadsheet reads "88.9" as text.
    share = next(r for r in rows if r["code"] == "part_attributions_sans_domicile" and r["vue"] == "periode")
    assert share["valeur"] == "88,9"


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
    lines = hidden.split("\f")[0].splitlines()
    # The label wraps on two lines ("… à des" / "ménages sans-abri"); its figures are on the first.
    line = lines[next(i for i, line in enumerate(lines) if line.split()[:2] == ["ménages", "sans-abri"]) - 1]
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


def test_the_xlsx_sheets_have_column_widths_a_frozen_header_and_filters(client, run, admin):
    workbook = load_workbook(io.BytesIO(download(client, admin, run, "xlsx")))
    by_year = workbook["Par année"]
    # Header on row 5 and the indicator's four columns stay in view; every column is filtered.
    assert by_year.freeze_panes == "E6"
    assert by_year.auto_filter.ref == f"A5:J{by_year.max_row}" and by_year.max_row == 5 + 19
    assert by_year.column_dimensions["C"].width == 60 and by_year.column_dimensions["E"].width == 12
    by_territory = workbook["Par sous-territoire"]
    assert by_territory.auto_filter.ref == f"A5:K{5 + 19}"
    assert by_territory.column_dimensions["G"].width == len("Alpes-Maritimes") + 4
    definitions = workbook["Définitions"]
    assert (definitions.freeze_panes, definitions.auto_filter.ref) == ("A2", "A1:E20")
    assert definitions.column_dimensions["E"].width == 110
