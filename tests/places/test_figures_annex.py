"""The bilan's « Annexe : offre et propositions »: on the page and in its XLSX, CSV and PDF files when the
territory has places, with the statistical secrecy of published bilans, and never among the plan's
indicators."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from places import services
from places.figures import build_annex, supply_figures
from reports import services as report_services
from reports.enums import PeriodKind, RunStatus
from reports.exports.pdf import pdf_html
from reports.exports.tables import run_table
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.places.factories import make_place, oriented_pathway
from tests.territories.factories import SiteFactory

D = datetime.date


@pytest.fixture
def places_2022(geo):
    """In Marseille: A vacant since 3 January 2022; B vacant on 10 January, accepted on 11 February."""
    site = SiteFactory(commune=geo.marseille)
    make_place(site=site, label="A", on=D(2022, 1, 3))
    b = make_place(site=site, label="B", on=D(2022, 1, 10))
    proposal = services.proposal_create(place=b, pathway=oriented_pathway(on=D(2022, 1, 4)), on=D(2022, 2, 1), by=None)
    services.proposal_answer(proposal=proposal, status="acceptee", on=D(2022, 2, 11), by=None)


@pytest.fixture
def admin():
    return UserFactory(username="dreets", administrator=True)


@pytest.fixture
def run(places_2022, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = report_services.bilan_run_request(
            territory=parse_territory("commune:13055"),
            start=D(2022, 1, 1),
            end=D(2022, 12, 31),
            by=admin,
            period_kind=PeriodKind.YEAR,
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run


def annex_values(annex) -> dict[str, str]:
    return {row.code: row.cell.text for row in annex.rows}


def test_the_annex_figures_of_the_territory(places_2022):
    figures = supply_figures(parse_territory("commune:13055"), D(2022, 1, 1), D(2022, 12, 31))

    values = annex_values(build_annex(figures, secrecy=False))

    # A: 362 days on 31 December; B: 32 days from its vacancy to its acceptance.
    assert values["places_vacantes"] == "1"
    assert values["age_median_vacance"] == "362,0"
    assert (values["places_attribuees"], values["delai_median_vacance_occupation"]) == ("1", "32,0")
    assert (values["propositions"], values["propositions_acceptee"], values["propositions_retiree"]) == ("1", "1", "0")
    assert values["part_propositions_acceptees"] == "100,0"


def test_under_secrecy_small_counts_and_few_cases_are_hidden(places_2022):
    figures = supply_figures(parse_territory("commune:13055"), D(2022, 1, 1), D(2022, 12, 31))

    values = annex_values(build_annex(figures, secrecy=True))

    assert values["places_vacantes"] == "< 5"
    assert values["age_median_vacance"] == "secret"
    assert values["propositions_acceptee"] == "< 5"
    assert values["part_propositions_acceptees"] == "secret"
    # A zero is no secret.
    assert values["propositions_retiree"] == "0"


def test_the_bilan_page_shows_the_annex_after_the_plan_indicators(client, run, admin):
    client.force_login(admin)

    html = client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()

    assert html.index('id="graphiques"') < html.index('<h2 id="annexe-offre">Annexe : offre et propositions</h2>')
    assert '<tr data-annex="age_median_vacance">' in html and "362,0" in html


def test_the_files_of_the_bilan_carry_the_annex(client, run, admin):
    client.force_login(admin)

    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:run_export", args=[run.pk, "xlsx"])).content))
    csv_text = client.get(reverse("reports:run_export", args=[run.pk, "csv"])).content.decode("utf-8-sig")
    table = run_table(run, secrecy=False)
    table.annex = build_annex(supply_figures(run.territory, run.start, run.end), secrecy=False)

    assert workbook.sheetnames == ["Par année", "Par sous-territoire", "Définitions", "Annexe offre"]
    sheet = workbook["Annexe offre"]
    assert {row[0]: row[3] for row in sheet.iter_rows(min_row=6, values_only=True)}[
        "delai_median_vacance_occupation"
    ] == 32.0
    assert "delai_median_vacance_occupation;;Délai médian de la vacance à l'attribution;jours;annexe;" in csv_text
    # The plan's indicators keep their lines: the annex only adds its own.
    assert csv_text.count(";annexe;") == len(table.annex.rows)
    assert "<h2>Annexe : offre et propositions</h2>" in pdf_html(table)
    pdf = client.get(reverse("reports:run_export", args=[run.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_places_summary_gives_the_coordination_its_supply_figures(client, places_2022):
    client.force_login(UserFactory(coordinator=True))

    html = client.get(reverse("places:summary")).content.decode()

    # Département 13 today: A and B's figures of 2022 are out of the last 365 days, but A is still vacant.
    assert "Offre et propositions — " in html
    assert '<tr data-annex="places_vacantes">' in html
    row = html[html.index('<tr data-annex="places_vacantes">') :]
    assert row[: row.index("</tr>")].endswith("<td>1</td>")
    row = html[html.index('<tr data-annex="propositions">') :]
    assert row[: row.index("</tr>")].endswith("<td>0</td>")


def test_caseworkers_get_no_territory_figures_on_the_summary(client, places_2022):
    client.force_login(UserFactory(caseworker=True))

    html = client.get(reverse("places:summary")).content.decode()

    assert 'data-testid="supply-figures"' not in html
