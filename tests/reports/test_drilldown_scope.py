"""Coordinators read the bilans of the territories that meet theirs, in exact figures, never request
nor publish one; a drill-down lists only the case files of the reader's scope and says how many it
leaves out (docs/bilans.md)."""

import re

import pytest
from django.urls import reverse

from reports import perms
from reports.enums import FigureScope
from tests.accounts.factories import UserFactory
from tests.reports.bilan_scenario import SECRET_NAME
from tests.reports.test_views import row_cells


def references(html: str) -> list[str]:
    return re.findall(r'data-testid="record-reference">(?:<a href="[^"]+">)?([^<]+)<', html)


def left_out(html: str) -> str:
    found = re.search(r'data-testid="left-out">([^<]+)<', html)
    return found.group(1) if found else ""


@pytest.fixture
def attributions(run):
    """9 attributions of the région: 8 in Marseille (Bouches-du-Rhône), 1 in Nice (Alpes-Maritimes)."""
    figure = run.figures.get(indicator_code="attributions_total", scope=FigureScope.TOTAL)
    return reverse("reports:figure_records", args=[run.pk, figure.pk])


@pytest.mark.parametrize(
    ("territories", "listed", "notice"),
    [
        ("departement:06", 1, "8 dossiers hors de votre périmètre ne sont pas listés."),
        ("departement:13", 8, "1 dossier hors de votre périmètre n'est pas listé."),
        ("departement:13 departement:06", 9, ""),
    ],
)
def test_a_coordinator_lists_only_the_records_of_its_scope(client, attributions, territories, listed, notice):
    client.force_login(UserFactory(username="coord", coordinator=True, territories=territories))
    html = client.get(attributions).content.decode()
    assert "9 enregistrements derrière ce chiffre" in html
    assert len(references(html)) == listed
    assert left_out(html) == notice
    assert SECRET_NAME not in html


def test_an_administrator_lists_every_record_of_its_territory_by_reference(client, attributions, admin):
    client.force_login(admin)
    html = client.get(attributions).content.decode()
    assert len(references(html)) == 9 and left_out(html) == ""
    assert SECRET_NAME not in html and "/menages/" not in html


def test_a_coordinator_reads_exact_figures_but_never_requests_nor_publishes(client, run):
    coordinator = UserFactory(username="coord", coordinator=True, territories="departement:06")
    client.force_login(coordinator)
    html = client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    # The région's 2 attributions from the street, exact (an observer reads « < 5 »).
    assert row_cells(html, "attributions_sans_abri")[-1] == "2"
    figure = run.figures.get(indicator_code="attributions_sans_abri", scope=FigureScope.TOTAL)
    assert f"/chiffres/{figure.pk}/" in html
    assert client.get(reverse("reports:run_publish", args=[run.pk])).status_code == 403
    assert client.post(reverse("reports:run_publish", args=[run.pk])).status_code == 403
    assert client.get(reverse("reports:run_request")).status_code == 403
    listing = client.get(reverse("reports:run_list")).content.decode()
    assert "<h1>Bilans</h1>" in listing and "Demander un bilan" not in listing
    assert "bilans publiés" not in listing.lower()
    assert "recoupent le vôtre" in listing


def test_an_observer_s_list_says_published(client, run):
    client.force_login(UserFactory(username="federation", observer=True))
    listing = client.get(reverse("reports:run_list")).content.decode()
    assert "<h1>Bilans publiés</h1>" in listing and "Les bilans publiés de votre territoire." in listing


def test_a_page_reads_only_its_records_and_the_scope_once_per_reader(client, attributions, monkeypatch):
    monkeypatch.setattr("reports.views.records.RECORDS_PER_PAGE", 2)
    client.force_login(UserFactory(username="coord", coordinator=True, territories="departement:13"))
    first = client.get(attributions).content.decode()
    assert len(references(first)) == 2 and "8 dossiers hors" not in first
    assert left_out(first) == "1 dossier hors de votre périmètre n'est pas listé."
    calls = []
    real = perms.records_in_scope
    monkeypatch.setattr(perms, "records_in_scope", lambda *args: calls.append(args) or real(*args))
    pages = [client.get(f"{attributions}?page={number}").content.decode() for number in (2, 3, 4)]
    assert not calls  # the reader's list was kept: the next pages do not narrow the records again
    listed = references(first) + [ref for html in pages for ref in references(html)]
    assert len(listed) == len(set(listed)) == 8
    assert left_out(pages[-1]) == "1 dossier hors de votre périmètre n'est pas listé."
