import datetime
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from reports import services
from reports.catalogue import CATALOGUE
from reports.enums import FigureScope, PeriodKind, RunStatus
from reports.models import BilanFigure, BilanRun, FinishedRunError
from reports.tasks import bilan_run_task, fail_stuck_runs_task
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.reports.bilan_scenario import END, START, make_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


def request_run(admin, territory="region:93", start=START, end=END, capture=None):
    with capture(execute=True):
        run = services.bilan_run_request(
            territory=parse_territory(territory), start=start, end=end, by=admin, period_kind=PeriodKind.PLAN_2018_2022
        )
    run.refresh_from_db()
    return run


def command_json(territory, start, end):
    out = io.StringIO()
    call_command("bilan", territory=territory, start=str(start), end=str(end), format="json", stdout=out)
    return json.loads(out.getvalue())["indicators"]


def figures(run, scope, *, year=None, territory=None):
    rows = run.figures.filter(scope=scope, year=year)
    if territory:
        rows = rows.filter(territory_code=territory)
    return {f.indicator_code: f.value for f in rows}


def as_json_number(value):
    return float(value) if isinstance(value, Decimal) else value


def test_a_run_stores_the_figures_of_the_bilan_command_for_the_period_each_year_and_each_departement(
    scenario, admin, django_capture_on_commit_callbacks
):
    run = request_run(admin, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE, run.error
    assert run.started_at <= run.finished_at
    assert (run.steps_done, run.steps_total) == (len(CATALOGUE), len(CATALOGUE))  # one step per indicator
    assert run.figures.count() == 12 * len(CATALOGUE)  # period + 5 years + 6 départements

    total = {code: as_json_number(value) for code, value in figures(run, FigureScope.TOTAL).items()}
    assert total == command_json("region:93", START, END)
    assert total["places_iml_creees"] == 160
    assert total["places_pensions_famille_creees"] == 28
    assert total["attributions_sortants_hebergement"] == 6
    assert total["attributions_sans_abri"] == 2
    assert total["attributions_total"] == 9
    assert total["part_attributions_sans_domicile"] == 88.9
    assert total["territoires_acceleres"] == 2

    for year in range(2018, 2023):
        stored = {code: as_json_number(v) for code, v in figures(run, FigureScope.YEAR, year=year).items()}
        assert stored == command_json("region:93", datetime.date(year, 1, 1), datetime.date(year, 12, 31)), year
    assert figures(run, FigureScope.YEAR, year=2019)["places_iml_creees"] == 120
    assert figures(run, FigureScope.YEAR, year=2021)["places_iml_creees"] == 40

    departements = run.figures.filter(scope=FigureScope.SUB_TERRITORY).values_list("territory_code", flat=True)
    assert sorted(set(departements)) == [f"departement:{c}" for c in ("04", "05", "06", "13", "83", "84")]
    for code in ("06", "13"):
        stored = figures(run, FigureScope.SUB_TERRITORY, territory=f"departement:{code}")
        assert {k: as_json_number(v) for k, v in stored.items()} == command_json(f"departement:{code}", START, END)
    assert figures(run, FigureScope.SUB_TERRITORY, territory="departement:13")["attributions_total"] == 8


def test_a_year_inside_a_custom_period_is_clipped_to_it(scenario, admin, django_capture_on_commit_callbacks):
    run = request_run(
        admin,
        start=datetime.date(2019, 3, 1),
        end=datetime.date(2020, 6, 30),
        capture=django_capture_on_commit_callbacks,
    )
    assert sorted(set(run.figures.filter(scope=FigureScope.YEAR).values_list("year", flat=True))) == [2019, 2020]
    stored = figures(run, FigureScope.YEAR, year=2019)
    assert {k: as_json_number(v) for k, v in stored.items()} == command_json(
        "region:93", datetime.date(2019, 3, 1), datetime.date(2019, 12, 31)
    )
    assert figures(run, FigureScope.YEAR, year=2020)["attributions_sans_abri"] == 2


def test_figures_are_typed_and_keep_the_records_behind_them(scenario, admin, django_capture_on_commit_callbacks):
    run = request_run(admin, capture=django_capture_on_commit_callbacks)
    places = run.figures.get(indicator_code="places_iml_creees", scope=FigureScope.TOTAL)
    assert (places.count_value, places.decimal_value, places.record_model) == (160, None, "territories.Site")
    sites = scenario["sites"]
    assert places.record_id_list() == sorted([sites["canebiere"].pk, sites["nice"].pk])
    share = run.figures.get(indicator_code="part_attributions_sans_domicile", scope=FigureScope.TOTAL)
    assert (share.count_value, share.decimal_value, share.cases) == (None, Decimal("88.9"), 9)
    street = run.figures.get(indicator_code="attributions_sans_abri", scope=FigureScope.TOTAL)
    expected = [p.transitions.get(stage="bail_signe").pk for p in scenario["street"]]
    assert street.record_id_list() == sorted(expected)


def test_the_task_fails_the_run_with_the_error_when_the_computation_raises(
    scenario, admin, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(indicator, cells):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr("reports.services.compute_cells", broken)
    run = request_run(admin, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED
    # No English technical text reaches the user: the exception is in the server's log.
    assert run.error == "Le calcul du bilan a échoué à cause d'une erreur inattendue, signalée à l'équipe technique."
    assert run.finished_at is not None
    assert not BilanFigure.objects.filter(run=run).exists()


def test_the_request_is_pending_until_its_transaction_commits(scenario, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.bilan_run_request(territory=parse_territory("region:93"), start=START, end=END, by=admin)
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert (run.status, run.figures.count()) == (RunStatus.PENDING, 0)
    assert bilan_run_task.apply(args=[run.pk]).get() == RunStatus.DONE
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.figures.count() == 12 * 19


def test_a_finished_run_never_changes(scenario, admin, django_capture_on_commit_callbacks):
    run = request_run(admin, capture=django_capture_on_commit_callbacks)
    with pytest.raises(FinishedRunError, match="Un bilan terminé ne change plus"):
        services.bilan_run_execute(run_id=run.pk)
    run.territory_name = "Autre"
    with pytest.raises(FinishedRunError):
        run.save()
    stored = BilanRun.objects.get(pk=run.pk)
    assert stored.territory_name == "Provence-Alpes-Côte d'Azur"
    # Publication is the one change a done run accepts.
    services.bilan_run_publish(run=stored, by=admin)
    assert BilanRun.objects.get(pk=run.pk).published_by == admin


def test_publication_needs_a_done_run_once(scenario, admin, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    pending = BilanRun.objects.create(
        territory_kind="region",
        territory_code="93",
        territory_name="PACA",
        start=START,
        end=END,
        period_kind=PeriodKind.CUSTOM,
        requested_by=admin,
    )
    with pytest.raises(ValidationError, match="Seul un bilan terminé peut être publié."):
        services.bilan_run_publish(run=pending, by=admin)
    run = request_run(admin, capture=django_capture_on_commit_callbacks)
    services.bilan_run_publish(run=run, by=admin)
    with pytest.raises(ValidationError, match="Ce bilan est déjà publié."):
        services.bilan_run_publish(run=run, by=admin)


def test_a_run_running_longer_than_the_timeout_is_failed_by_the_check(admin, geo, settings):
    settings.BILAN_RUN_TIMEOUT_MINUTES = 30
    now = timezone.now()

    def run(minutes_ago):
        return BilanRun.objects.create(
            territory_kind="region",
            territory_code="93",
            territory_name="PACA",
            start=START,
            end=END,
            period_kind=PeriodKind.CUSTOM,
            requested_by=admin,
            status=RunStatus.RUNNING,
            started_at=now - timedelta(minutes=minutes_ago),
        )

    stuck, recent = run(31), run(29)
    assert fail_stuck_runs_task.apply().get() == 1
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == RunStatus.FAILED
    assert stuck.error == ("Le calcul n'a pas abouti en 30 minutes : il a été interrompu. Demandez un nouveau bilan.")
    assert recent.status == RunStatus.RUNNING


def test_only_administrators_of_the_territory_request_a_run(geo):
    from django.core.exceptions import PermissionDenied

    departement = UserFactory(administrator=True, territories="departement:13")
    observer = UserFactory(observer=True)
    for user, territory in [(departement, "region:93"), (departement, "departement:06"), (observer, "region:93")]:
        with pytest.raises(PermissionDenied):
            services.bilan_run_request(territory=parse_territory(territory), start=START, end=END, by=user)
    run = services.bilan_run_request(territory=parse_territory("commune:13055"), start=START, end=END, by=departement)
    assert run.status == RunStatus.PENDING
    assert not BilanFigure.objects.exclude(record_ids=b"").exists()
