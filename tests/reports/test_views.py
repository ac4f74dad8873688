import re
from html import unescape as html_unescape

import pytest
from django.urls import reverse

from reports import services
from reports.enums import FigureScope, PeriodKind, RunStatus
from reports.models import BilanRun, Target
from reports.views.records import household_url_name
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.reports.bilan_scenario import END, SECRET_NAME, START, make_scenario
from tests.territories.factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def observer():
    return UserFactory(username="federation", observer=True)


def row_cells(html: str, code: str) -> list[str]:
    """The texts of the figure cells of an indicator's row in the by-year tables."""
    row = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)
    return [html_unescape(re.sub(r"<[^>]+>", "", cell)).replace("\xa0", " ").strip() for cell in cells]


def test_signed_out_visitors_are_sent_to_sign_in(client, run):
    for url in [
        reverse("reports:run_list"),
        reverse("reports:run_request"),
        reverse("reports:run_detail", args=[run.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/connexion/")


def test_caseworkers_are_refused_and_coordinators_only_read(client, run):
    caseworker = UserFactory(caseworker=True, structures=[StructureFactory()])
    client.force_login(caseworker)
    for url in [
        reverse("reports:run_list"),
        reverse("reports:run_request"),
        reverse("reports:targets"),
        reverse("reports:run_detail", args=[run.pk]),
        reverse("reports:run_export", args=[run.pk, "xlsx"]),
    ]:
        assert client.get(url).status_code == 403, url
    client.force_login(UserFactory(coordinator=True))
    assert client.get(reverse("reports:run_list")).status_code == 200
    for url in [reverse("reports:run_request"), reverse("reports:targets")]:
        assert client.get(url).status_code == 403, url
    # A région's run meets a département coordinator's scope: it reads it (docs/bilans.md)...
    assert client.get(reverse("reports:run_detail", args=[run.pk])).status_code == 200
    # ... but not that of a région it has no part in.
    client.force_login(UserFactory(coordinator=True, territories="departement:75"))
    assert client.get(reverse("reports:run_detail", args=[run.pk])).status_code == 404


def test_a_coordinator_drills_down_to_the_pathways_of_its_territory(
    client, run, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        local = services.bilan_run_request(
            territory=parse_territory("departement:13"), start=START, end=END, by=admin, period_kind=PeriodKind.CUSTOM
        )
    figure = BilanRun.objects.get(pk=local.pk).figures.get(indicator_code="attributions_total", scope=FigureScope.TOTAL)
    from pathways.models import Transition

    transitions = Transition.objects.filter(pk__in=figure.record_id_list())
    expected = sorted(
        transitions.filter(pathway__commune__departement="13").values_list("pathway__household_id", flat=True)
    )
    assert expected
    client.force_login(UserFactory(coordinator=True))
    assert client.get(reverse("reports:run_detail", args=[local.pk])).status_code == 200
    html = client.get(reverse("reports:figure_records", args=[local.pk, figure.pk])).content.decode()
    links = sorted(int(pk) for pk in re.findall(r'href="/menages/(\d+)/"', html))
    assert links == expected


def test_a_run_outside_the_scope_does_not_exist(client, run, observer):
    client.force_login(UserFactory(administrator=True, territories="departement:06"))
    assert client.get(reverse("reports:run_detail", args=[run.pk])).status_code == 404
    # An observer sees published runs only.
    client.force_login(observer)
    assert client.get(reverse("reports:run_detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("reports:run_export", args=[run.pk, "pdf"])).status_code == 404


def test_an_observer_cannot_publish_nor_drill_down(client, run, admin, observer):
    services.bilan_run_publish(run=run, by=admin)
    figure = run.figures.get(indicator_code="attributions_total", scope=FigureScope.TOTAL)
    client.force_login(observer)
    assert client.post(reverse("reports:run_publish", args=[run.pk])).status_code == 403
    assert client.get(reverse("reports:figure_records", args=[run.pk, figure.pk])).status_code == 403


def test_an_administrator_requests_a_bilan_and_reads_it(client, admin, geo, django_capture_on_commit_callbacks):
    make_scenario(geo)
    client.force_login(admin)
    page = client.get(reverse("reports:run_request")).content.decode()
    assert '<option value="departement:13">13 — Bouches-du-Rhône</option>' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:run_request"), {"territory": "region:93", "period_kind": PeriodKind.PLAN_2018_2022}
        )
    run = BilanRun.objects.get()
    assert response.url == reverse("reports:run_detail", args=[run.pk])
    assert (run.start.isoformat(), run.end.isoformat(), run.requested_by) == ("2018-01-01", "2022-12-31", admin)
    html = client.get(response.url).content.decode()
    assert "Axe 1 — Produire et mobiliser plus de logements abordables et adaptés" in html
    # Years 2018 to 2022, then the total.
    assert row_cells(html, "places_iml_creees") == ["0", "120", "0", "40", "0", "160"]
    assert row_cells(html, "attributions_sans_abri") == ["0", "0", "2", "0", "0", "2"]
    assert row_cells(html, "part_attributions_sans_domicile") == ["—", "100,0", "100,0", "0,0", "—", "88,9"]
    assert "Bouches-du-Rhône" in html and "Places créées par année" in html and "<svg" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"territory": "region:93", "period_kind": "year"}, "year", "Indiquez l&#x27;année du bilan."),
        (
            {"territory": "region:93", "period_kind": "year", "year": "1999"},
            "year",
            "L&#x27;année doit être comprise entre 2018 et",
        ),
        (
            {"territory": "region:93", "period_kind": "custom", "start": "2021-05-01", "end": "2021-01-01"},
            "end",
            "La date de fin précède la date de début.",
        ),
        (
            {"territory": "region:93", "period_kind": "custom", "end": "2021-01-01"},
            "start",
            "Indiquez la date de début.",
        ),
        (
            {"territory": "region:93", "commune": "75056", "period_kind": "plan_2018_2022"},
            "commune",
            "La commune « Paris » n&#x27;est pas dans votre territoire (Provence-Alpes-Côte d&#x27;Azur).",
        ),
        (
            {"territory": "region:93", "commune": "99999", "period_kind": "plan_2018_2022"},
            "commune",
            "Aucune commune n&#x27;a le code INSEE « 99999 ».",
        ),
        ({"territory": "region:11", "period_kind": "plan_2018_2022"}, "territory", "Sélectionnez un choix valide."),
    ],
)
def test_bad_requests_are_refused_in_french_and_write_nothing(client, admin, geo, data, field, message):
    client.force_login(admin)
    response = client.post(reverse("reports:run_request"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not BilanRun.objects.exists()


def test_a_commune_of_the_scope_can_be_requested_by_code(client, admin, geo, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:run_request"),
            {"territory": "region:93", "commune": "13055", "period_kind": "year", "year": "2021"},
        )
    run = BilanRun.objects.get()
    assert (run.territory_key, run.territory_name, run.start.isoformat(), run.end.isoformat()) == (
        "commune:13055",
        "Marseille",
        "2021-01-01",
        "2021-12-31",
    )


def test_observers_see_published_figures_under_statistical_secrecy(client, run, admin, observer):
    client.force_login(admin)
    client.post(reverse("reports:run_publish", args=[run.pk]))
    client.force_login(observer)
    html = client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    assert row_cells(html, "attributions_sans_abri") == ["0", "0", "< 5", "0", "0", "< 5"]
    # Percentages on fewer than 5 cases are hidden; the period's share, on 9 cases, is hidden too since
    # it is computed from the hidden « < 5 » of the period (it would give it away).
    assert row_cells(html, "part_attributions_sans_domicile") == ["—", "100,0", "secret", "secret", "—", "secret"]
    # Places and territories are never hidden, even below 5.
    assert row_cells(html, "places_pensions_famille_creees") == ["3", "0", "25", "0", "0", "28"]
    assert row_cells(html, "territoires_acceleres")[-1] == "2"
    assert "figure_records" not in html and "/chiffres/" not in html


def test_the_list_shows_the_runs_of_the_territory_with_status_and_author(
    client, run, admin, observer, django_assert_max_num_queries
):
    BilanRun.objects.create(
        territory_kind="departement",
        territory_code="13",
        territory_name="Bouches-du-Rhône",
        start=START,
        end=END,
        period_kind=PeriodKind.CUSTOM,
        requested_by=admin,
    )
    BilanRun.objects.create(
        territory_kind="departement",
        territory_code="75",
        territory_name="Paris",
        start=START,
        end=END,
        period_kind=PeriodKind.CUSTOM,
        requested_by=UserFactory(administrator=True, territories="france"),
    )
    client.force_login(admin)
    # session, user, the user's scope territory, stuck-run update, territory filter choices, page count,
    # page rows (with authors), and the session's save (savepoint, update, release)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("reports:run_list")).content.decode()
    assert html.count('href="/bilans/') >= 3  # two runs, the request button
    assert "Bouches-du-Rhône" in html and "Provence-Alpes-Côte d&#x27;Azur" in html and "Paris" not in html
    assert "En attente" in html and "Terminé" in html
    filtered = client.get(reverse("reports:run_list"), {"territoire": "departement:13"}).content.decode()
    assert "Terminé" not in filtered and "En attente" in filtered
    client.force_login(observer)
    html = client.get(reverse("reports:run_list")).content.decode()
    assert "<title>Bilans publiés — Parcours</title>" in html and "<h1>Bilans publiés</h1>" in html
    assert "Aucun bilan publié pour le moment." in html


def test_the_bilan_page_runs_a_bounded_number_of_queries(client, run, admin, django_assert_max_num_queries):
    client.force_login(admin)
    # session, user, the user's scope territory, run (with authors), figures, targets, whether the
    # territory has places (the annex, places.figures.bilan_annex), and the session's save (savepoint,
    # update, release)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reports:run_detail", args=[run.pk]))
    assert response.status_code == 200


def test_the_status_fragment_asks_htmx_to_reload_once_finished(client, admin, geo):
    pending = BilanRun.objects.create(
        territory_kind="region",
        territory_code="93",
        territory_name="Provence-Alpes-Côte d'Azur",
        start=START,
        end=END,
        period_kind=PeriodKind.CUSTOM,
        requested_by=admin,
        status=RunStatus.RUNNING,
        steps_done=3,
        steps_total=12,
    )
    client.force_login(admin)
    page = client.get(reverse("reports:run_detail", args=[pending.pk])).content.decode()
    assert f'hx-get="/bilans/{pending.pk}/etat/"' in page
    fragment = client.get(reverse("reports:run_status", args=[pending.pk]))
    assert "Calcul en cours : 3 étapes sur 12 (25 %)." in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    BilanRun.objects.filter(pk=pending.pk).update(status=RunStatus.FAILED, error="Le calcul du bilan a échoué : X")
    fragment = client.get(reverse("reports:run_status", args=[pending.pk]))
    assert fragment["HX-Refresh"] == "true"
    assert "Le calcul du bilan a échoué : X" in fragment.content.decode()


def test_drill_down_lists_references_and_never_names(client, run, admin, django_assert_max_num_queries):
    client.force_login(admin)
    street = run.figures.get(indicator_code="attributions_sans_abri", scope=FigureScope.TOTAL)
    # session, user, the user's scope territory, run, figure, the count of every record behind it and
    # that of those in the user's scope, records with their pathways and communes, pathways the user
    # may open, and the session's save (savepoint, update, release)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("reports:figure_records", args=[run.pk, street.pk])).content.decode()
    references = re.findall(r'data-testid="record-reference">(.*?)</td>', html)
    pathway_ids = street.record_id_list()
    assert len(references) == 2
    assert all(re.fullmatch(r"P-\d{6}", reference) for reference in references)
    assert SECRET_NAME not in html
    sites = run.figures.get(indicator_code="places_iml_creees", scope=FigureScope.YEAR, year=2019)
    html = client.get(reverse("reports:figure_records", args=[run.pk, sites.pk])).content.decode()
    assert re.findall(r'data-testid="record-reference">(.*?)</td>', html) == ["Résidence Canebière"]
    labels = run.figures.get(indicator_code="territoires_acceleres", scope=FigureScope.TOTAL)
    html = client.get(reverse("reports:figure_records", args=[run.pk, labels.pk])).content.decode()
    assert sorted(re.findall(r'data-testid="record-reference">(.*?)</td>', html)) == [
        "Métropole Nice Côte d&#x27;Azur",
        "Métropole d&#x27;Aix-Marseille-Provence",
    ]
    assert pathway_ids  # the ids stored are transitions, shown as their pathway's reference


def test_targets_show_the_progress_of_the_bilan(client, run, admin):
    client.force_login(admin)
    response = client.post(
        reverse("reports:targets"),
        {"territory": "region:93", "indicator": "places_iml_creees", "value": "200", "period_kind": "plan_2018_2022"},
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.territory_key if hasattr(target, "territory_key") else target.territory.key, target.value) == (
        "region:93",
        200,
    )
    html = client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    # 160 of 200 places: 80 %.
    assert row_cells(html, "places_iml_creees")[-2:] == ["200", "80,0 %"]
    refused = client.post(
        reverse("reports:targets"),
        {"territory": "region:93", "indicator": "places_iml_creees", "value": "-3", "period_kind": "plan_2018_2022"},
    )
    assert "La cible doit être supérieure à 0." in refused.content.decode()
    assert Target.objects.get().value == 200


def test_drill_down_links_the_household_page_only_for_who_may_open_the_pathway(client, run, admin):
    street = run.figures.get(indicator_code="attributions_sans_abri", scope=FigureScope.TOTAL)
    url = reverse("reports:figure_records", args=[run.pk, street.pk])
    client.force_login(admin)
    assert "/menages/" not in client.get(url).content.decode()
    # A superuser, an operator, opens no household: references only.
    client.force_login(UserFactory(username="root", is_superuser=True, role=""))
    assert "/menages/" not in client.get(url).content.decode()
    client.force_login(UserFactory(username="coord", coordinator=True, territories="departement:13"))
    html = client.get(url).content.decode()
    households = sorted(BilanRun.objects.get(pk=run.pk).figures.get(pk=street.pk).record_id_list())
    from pathways.models import Transition

    expected = sorted(Transition.objects.filter(pk__in=households).values_list("pathway__household_id", flat=True))
    links = sorted(int(pk) for pk in re.findall(r'href="/menages/(\d+)/"', html))
    # The link exists only where the casework area is installed.
    assert links == (expected if household_url_name() else [])
    assert len(expected) == 2
