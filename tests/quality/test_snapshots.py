"""The monthly snapshots of the trend (quality/snapshots.py, QualityMonth): the cells of the one definition
(quality/trend.py) stored per referent structure and commune, the command that fills the missing month
ends, the monthly task, and the page that reads them. On the scenario of conftest.py."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse

from pathways.models import Pathway
from quality.models import QualityMonth
from quality.snapshots import snapshot_month_end, snapshot_month_ends, stored_trend
from quality.tasks import snapshot_last_month_task
from quality.trend import TrendPoint, month_ends, quality_trend
from tests.accounts.factories import UserFactory
from tests.quality.files import LAG, STALE, open_file, today

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("quality:overview")


def cells(day) -> set[tuple]:
    return set(
        QualityMonth.objects.filter(month_end=day)
        .exclude(structure_id=QualityMonth.MARK)
        .values_list("structure_id", "commune", "epci", "departement", "region", "files", "clean")
    )


def test_the_snapshot_of_a_month_end(month):
    assert snapshot_month_end(month.end) == 3
    assert cells(month.end) == {
        (month.alpha.pk, "13055", "200054807", "13", "93", 5, 2),
        (month.beta.pk, "13001", "200054807", "13", "93", 2, 0),
        (month.azur.pk, "06088", "200030195", "06", "93", 1, 1),
    }
    # The mark: the month end was computed.
    mark = QualityMonth.objects.get(month_end=month.end, structure_id=QualityMonth.MARK)
    assert (mark.commune, mark.region, mark.files, mark.clean) == ("", "", 0, 0)


def test_each_month_end_equals_the_trend_per_structure(month, geo, alpha):
    # Two communes of one structure: the snapshot keeps them apart, their sum is the structure's trend.
    open_file(alpha, geo.aix, opened_on=month.end - datetime.timedelta(days=30))
    days = month_ends(today())
    snapshot_month_ends(days)
    expected = quality_trend(Pathway.objects.all(), days=days, stale=STALE, lag=LAG)
    assert expected[month.alpha.pk][-1] == TrendPoint(month.end, 6, 3)
    for k, day in enumerate(days):
        stored = {}
        for structure_id, _commune, _epci, _dep, _region, files, clean in cells(day):
            got = stored.get(structure_id, (0, 0))
            stored[structure_id] = (got[0] + files, got[1] + clean)
        assert stored == {
            pk: (points[k].files, points[k].clean) for pk, points in expected.items() if points[k].files
        }, day
    assert {(c[0], c[1]) for c in cells(month.end) if c[0] == month.alpha.pk} == {
        (month.alpha.pk, "13055"),
        (month.alpha.pk, "13001"),
    }


def test_replacing_a_month_end(month):
    snapshot_month_end(month.end)
    QualityMonth.objects.filter(month_end=month.end, structure_id=month.alpha.pk).update(files=99)
    snapshot_month_end(month.end)
    assert QualityMonth.objects.filter(month_end=month.end).count() == 4
    assert QualityMonth.objects.get(month_end=month.end, structure_id=month.alpha.pk).files == 5


def test_a_month_end_without_any_active_file_is_computed(db):
    day = datetime.date(2020, 1, 31)
    assert snapshot_month_end(day) == 0
    later = datetime.date(2020, 2, 29)
    for scope in (Q(), Q(region="93"), Q(structure_id__in=[1, 2]), Q(pk__in=[])):
        assert stored_trend([day, later], scope) == [TrendPoint(day, 0, 0), None]


def test_the_command_computes_the_missing_month_ends(month, capsys):
    days = month_ends(today())
    call_command("quality_snapshots", "--months", "3")
    assert sorted(set(QualityMonth.objects.values_list("month_end", flat=True))) == days[-3:]
    # A row changed by hand stays; a month deleted is computed again, and the 4th month end added.
    QualityMonth.objects.filter(month_end=month.end, structure_id=month.alpha.pk).update(files=42)
    QualityMonth.objects.filter(month_end=days[-2]).delete()
    call_command("quality_snapshots", "--months", "4")
    out = capsys.readouterr().out
    assert "2 fin(s) de mois calculée(s)" in out
    assert sorted(set(QualityMonth.objects.values_list("month_end", flat=True))) == days[-4:]
    assert QualityMonth.objects.get(month_end=month.end, structure_id=month.alpha.pk).files == 42
    call_command("quality_snapshots", "--months", "4")
    assert "déjà calculées : rien n'a été modifié" in capsys.readouterr().out
    # --recompute redoes them all.
    call_command("quality_snapshots", "--months", "4", "--recompute")
    assert "4 fin(s) de mois calculée(s)" in capsys.readouterr().out
    assert QualityMonth.objects.get(month_end=month.end, structure_id=month.alpha.pk).files == 5


def test_the_monthly_task_computes_the_month_just_ended(month):
    assert snapshot_last_month_task() == 3
    assert set(QualityMonth.objects.values_list("month_end", flat=True)) == {month.end}


def test_the_beat_entry():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["quality-snapshot-last-month"]
    assert entry["task"] == "quality.snapshot_last_month"
    assert (entry["schedule"].day_of_month, entry["schedule"].hour) == ({1}, {2})


def trend_table(response) -> list[tuple[str, ...]]:
    body = re.search(r'<table data-testid="trend">.*?<tbody>(.*?)</tbody>', response.content.decode(), re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [tuple(re.sub(r"<[^>]+>", "|", row).replace("\xa0", " ").strip("|").split("||")) for row in rows]


def test_the_page_reads_the_snapshots(client, month, snapshots):
    QualityMonth.objects.filter(month_end=month.end, structure_id=month.alpha.pk).update(files=40, clean=30)
    client.force_login(UserFactory(username="coord", coordinator=True))
    response = client.get(OVERVIEW)
    last = response.context["points"][-1]
    assert (last["computed"], last["point"].files, last["point"].clean) == (True, 42, 30)
    assert trend_table(response)[-1][1:] == ("42", "30", "71,4 %")
    # One structure: its rows only.
    response = client.get(OVERVIEW, {"structure": month.beta.pk})
    assert (response.context["points"][-1]["point"].files, response.context["points"][-1]["point"].clean) == (2, 0)
    # A caseworker: its structures.
    client.force_login(month.sam)
    response = client.get(OVERVIEW)
    assert (response.context["points"][-1]["point"].files, response.context["points"][-1]["point"].clean) == (40, 30)
    # An administrator of the région: Alpha, Beta and Azur.
    client.force_login(UserFactory(username="admin93", administrator=True))
    response = client.get(OVERVIEW)
    assert (response.context["points"][-1]["point"].files, response.context["points"][-1]["point"].clean) == (43, 31)


def test_a_month_end_without_snapshot_is_not_computed(
    client, month, snapshots, stored_today, django_assert_max_num_queries
):
    days = month_ends(today())
    QualityMonth.objects.filter(month_end=days[0]).delete()
    client.force_login(UserFactory(username="coord", coordinator=True))
    # The same queries as with every month computed (test_views.test_the_overview_query_count).
    with django_assert_max_num_queries(9):
        response = client.get(OVERVIEW)
    first = response.context["points"][0]
    assert (first["computed"], first["point"].score) == (False, None)
    table = trend_table(response)
    assert table[0][1:] == ("non calculé",)
    assert all(row[1] != "non calculé" for row in table[1:])
    assert "n'a pas encore d'instantané" in response.content.decode()
    assert [p["computed"] for p in response.context["points"]].count(False) == 1


def test_no_snapshot_at_all(client, month):
    client.force_login(UserFactory(username="coord", coordinator=True))
    response = client.get(OVERVIEW)
    assert [p["computed"] for p in response.context["points"]] == [False] * 12
    assert trend_table(response) == [(row["label"], "non calculé") for row in response.context["points"]]
    # The current figures stay computed live.
    assert (response.context["shown"].files, response.context["shown"].clean) == (7, 3)
