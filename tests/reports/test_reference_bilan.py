"""The demo's published PACA 2018-2022 bilan (reports/reference_bilan.py): imported, computed and published
before the casework demo, once. The files' figures themselves are checked by test_reference_dataset.py
(import then bilan gives 4,146 / 512 / 3,392 / 2,101 / 5); here the import is replaced by a small stand-in
so that the orchestration is tested in seconds: its order, its idempotence and its refusal."""

import datetime
import io

import pytest
from django.core.management import call_command

from pathways.demo import demo_loaded
from reports import reference_bilan
from reports.enums import PeriodKind, RunStatus
from reports.models import BilanRun
from territories.geography import load_geography
from tests.territories.factories import SiteFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_reference(monkeypatch):
    """Instead of the 15,000-row files: one IML site of 40 places opened in 2020, imported on the spot."""
    imported = []

    def fake_write(folder):
        return None

    def fake_import(files, *, before_commit=None, **kwargs):
        from territories.models import Commune

        marseille = Commune.objects.get(code="13055")
        structure = StructureFactory(name="Habitat Alpha", commune=marseille, external_id="SIAO13")
        SiteFactory(
            structure=structure,
            commune=marseille,
            kind="iml_sous_location",
            places=40,
            opened_on=datetime.date(2020, 3, 1),
        )
        imported.append(True)
        return type("Report", (), {"errors": None, "counts": {"structures": 1, "sites": 1}})()

    monkeypatch.setattr(reference_bilan, "write_reference_dataset", fake_write)
    monkeypatch.setattr(reference_bilan, "read_source", lambda folder: {})
    monkeypatch.setattr(reference_bilan, "import_exchange", fake_import)
    load_geography()
    return imported


def iml_total(run):
    return run.figures.get(indicator_code="places_iml_creees", year__isnull=True, scope="total").count_value


def test_the_reference_bilan_is_published_before_the_demo_and_keeps_its_figures(small_reference):
    out = io.StringIO()
    call_command("seed_demo", "--with-reference", households=10, stdout=out)
    run = BilanRun.objects.get()
    assert (run.territory_kind, run.territory_code, str(run.start), str(run.end)) == (
        "region",
        "93",
        "2018-01-01",
        "2022-12-31",
    )
    assert run.status == RunStatus.DONE and run.is_published and run.period_kind == PeriodKind.PLAN_2018_2022
    assert run.requested_by.username == run.published_by.username == "administration"
    # Computed before the demo wrote its own sites of the period: the reference figure alone.
    assert demo_loaded() and iml_total(run) == 40
    assert "calculé et publié" in out.getvalue()
    # The demo completed the administrator it found: it still signs in to the admin with its group.
    assert run.requested_by.groups.exists() and run.requested_by.is_staff

    # Idempotent: a second `make run` imports nothing and computes nothing.
    out = io.StringIO()
    call_command("seed_demo", "--with-reference", stdout=out)
    assert BilanRun.objects.count() == 1 and len(small_reference) == 1
    assert "déjà publié" in out.getvalue()


def test_a_demo_already_there_would_falsify_it_so_it_is_not_computed(small_reference):
    call_command("seed_demo", households=10, stdout=io.StringIO())
    err = io.StringIO()
    call_command("seed_reference_bilan", stdout=io.StringIO(), stderr=err)
    assert "fausseraient le bilan de référence" in err.getvalue()
    assert not BilanRun.objects.exists() and small_reference == []


def test_a_computed_but_unpublished_reference_run_is_published_on_the_next_attempt(small_reference):
    call_command("seed_reference_bilan", stdout=io.StringIO())
    run = BilanRun.objects.get()
    BilanRun.objects.filter(pk=run.pk).update(published_at=None, published_by=None)
    call_command("seed_reference_bilan", stdout=io.StringIO())
    run.refresh_from_db()
    assert run.is_published and BilanRun.objects.count() == 1 and len(small_reference) == 1
