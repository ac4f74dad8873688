"""The monthly trend of the score (quality/trend.py): the datable checks read on each day, from the stage
spans, the contacts and the recording moments, on the scenario of conftest.py."""

import datetime

import pytest

from pathways import services
from pathways.enums import Stage
from pathways.models import Pathway
from quality.trend import TrendPoint, month_ends, quality_trend, total_trend
from territories.territory import parse_territory
from tests.quality.files import LAG, STALE, figures, open_file, today

pytestmark = pytest.mark.django_db


def trend(scope=None, *, days, stale=STALE, lag=LAG, territory=None):
    scope = Pathway.objects.all() if scope is None else scope
    return quality_trend(scope, days=days, stale=stale, lag=lag, territory=territory)


def test_month_ends():
    assert month_ends(datetime.date(2026, 3, 15)) == [
        datetime.date(2025, 3, 31),
        datetime.date(2025, 4, 30),
        datetime.date(2025, 5, 31),
        datetime.date(2025, 6, 30),
        datetime.date(2025, 7, 31),
        datetime.date(2025, 8, 31),
        datetime.date(2025, 9, 30),
        datetime.date(2025, 10, 31),
        datetime.date(2025, 11, 30),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
    ]
    assert month_ends(datetime.date(2024, 1, 1), months=2) == [datetime.date(2023, 11, 30), datetime.date(2023, 12, 31)]


def test_score_at_the_last_month_end(month):
    d = month.end
    earlier = d - datetime.timedelta(days=100)
    result = trend(days=[earlier, d])
    assert result == {
        # At D: clean, stale_at_end (stale), no_situation, late_after_end (recorded after D: not late yet),
        # closed_after_end (still active, no situation); opened_after_end is not there yet. At D-100 only
        # stale_at_end, opened D-200 and stale.
        month.alpha.pk: [TrendPoint(earlier, 1, 0), TrendPoint(d, 5, 2)],
        month.beta.pk: [TrendPoint(earlier, 0, 0), TrendPoint(d, 2, 0)],
        month.azur.pk: [TrendPoint(earlier, 0, 0), TrendPoint(d, 1, 1)],
    }
    total = total_trend(result, [earlier, d])
    assert total == [TrendPoint(earlier, 1, 0), TrendPoint(d, 8, 3)]
    assert (total[0].score, total[1].score) == (0.0, 37.5)


def test_today_the_trend_agrees_with_the_figures(month):
    """No non-datable problem in the scenario (two_problems has no situation either): the same scores."""
    result = trend(days=[today()])
    by_structure = {s.structure_id: (s.files, s.clean) for s in figures().structures}
    assert {pk: (points[0].files, points[0].clean) for pk, points in result.items()} == by_structure
    assert by_structure[month.alpha.pk] == (5, 3)


def test_twelve_month_ends_of_the_page(month):
    days = month_ends(today())
    result = trend(days=days)
    assert [p.day for p in result[month.alpha.pk]] == days
    assert result[month.alpha.pk][-1] == TrendPoint(month.end, 5, 2)


def test_a_territory_narrows_the_spans(month):
    bdr = parse_territory("departement:13")
    result = trend(Pathway.objects.in_territory(bdr), days=[month.end], territory=bdr)
    assert set(result) == {month.alpha.pk, month.beta.pk}


def test_structures_without_any_active_file_are_left_out(month):
    result = trend(Pathway.objects.filter(pk=month.closed_before_end.pk), days=[month.end])
    assert result == {}
    assert trend(days=[]) == {}


def test_late_recordings_within_365_days(geo, alpha, month):
    """A stage recorded today 31 days after its date: late on each day up to 364 days from now."""
    file = open_file(alpha, geo.marseille, opened_on=today() - datetime.timedelta(days=100))
    services.pathway_transition(
        pathway=file, to_stage=Stage.EVALUATION, on=today() - datetime.timedelta(days=31), by=month.sam
    )
    days = [today(), today() + datetime.timedelta(days=364), today() + datetime.timedelta(days=365)]
    # A threshold of 1000 days: no file is stale on these days, only the late recording changes.
    points = trend(Pathway.objects.filter(pk=file.pk), days=days, stale=1000)[alpha.pk]
    assert [(p.files, p.clean) for p in points] == [(1, 0), (1, 0), (1, 1)]
