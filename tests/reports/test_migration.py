"""The data migration from one FigureRecord row per record to one id list per figure, both ways."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reports import idlist
from tests.accounts.factories import UserFactory

BEFORE = [("reports", "0002_run_lifecycle")]
AFTER = [("reports", "0003_figure_record_ids")]


@pytest.fixture
def latest_schema_after():
    """Back to the latest schema afterwards: the tests that follow expect every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_figure_records_become_id_lists_and_back(latest_schema_after):
    # Created with today's model: the state of the apps before the migration has an older user model.
    ana = UserFactory(username="ana")
    apps = migrate(BEFORE)
    BilanRun = apps.get_model("reports", "BilanRun")
    BilanFigure = apps.get_model("reports", "BilanFigure")
    FigureRecord = apps.get_model("reports", "FigureRecord")
    run = BilanRun.objects.create(
        territory_kind="region",
        territory_code="93",
        territory_name="Provence-Alpes-Côte d'Azur",
        start=datetime.date(2018, 1, 1),
        end=datetime.date(2022, 12, 31),
        period_kind="custom",
        requested_by_id=ana.pk,
    )

    def figure(code):
        return BilanFigure.objects.create(
            run=run, indicator_code=code, record_model="pathways.Pathway", scope="total", territory_code="region:93"
        )

    many, none = figure("parcours_actifs_fin_periode"), figure("attributions_total")
    many_ids = [7, 3, 2**40, *range(1000, 13_000)]
    FigureRecord.objects.bulk_create(FigureRecord(figure=many, record_id=record_id) for record_id in many_ids)

    apps = migrate(AFTER)
    BilanFigure = apps.get_model("reports", "BilanFigure")
    blobs = dict(BilanFigure.objects.values_list("indicator_code", "record_ids"))
    assert idlist.decode(blobs["parcours_actifs_fin_periode"]) == sorted(many_ids)
    assert bytes(blobs["attributions_total"]) == b""
    assert "reports_figurerecord" not in connection.introspection.table_names()

    apps = migrate(BEFORE)
    FigureRecord = apps.get_model("reports", "FigureRecord")
    rows = FigureRecord.objects.values_list("figure_id", "record_id")
    assert sorted(rows) == sorted((many.pk, record_id) for record_id in many_ids)
    assert none.pk not in {figure_id for figure_id, _ in rows}
