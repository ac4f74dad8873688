"""The monthly snapshots of the trend (quality.models.QualityMonth): for a month end, the cells of
quality.trend.quality_trend_cells over every pathway of France, stored so that the page reads them.

A snapshot is the state as recorded when it was computed: a transition or a contact entered later for a
past day changes the live trend but not the stored month until it is recomputed (`manage.py
quality_snapshots --recompute`)."""

from datetime import date

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from pathways.models import Pathway
from quality.checks import late_days, stale_days
from quality.models import QualityMonth
from quality.trend import TrendPoint, quality_trend_cells
from territories.models import Commune


def snapshot_month_end(day: date) -> int:
    """Compute the month end `day` nationally and replace its rows; returns the number of cells."""
    return snapshot_month_ends([day])[day]


def snapshot_month_ends(days: list[date]) -> dict[date, int]:
    """Compute the days in one query (quality_trend_cells) and replace the rows of each in one
    transaction; returns {day: cells written (the mark row not counted)}."""
    days = sorted(set(days))
    if not days:
        return {}
    cells = quality_trend_cells(Pathway.objects.all(), days=days, stale=stale_days(), lag=late_days())
    codes = {commune for _structure, commune in cells}
    geography = {
        row["code"]: row
        for row in Commune.objects.filter(code__in=codes).values("code", "epci_id", "departement_id", "region_id")
    }
    now = timezone.now()
    rows = {
        day: [QualityMonth(month_end=day, structure_id=QualityMonth.MARK, files=0, clean=0, computed_at=now)]
        for day in days
    }
    for (structure_id, commune), points in cells.items():
        place = geography[commune]
        for point in points:
            if point.files:
                rows[point.day].append(
                    QualityMonth(
                        month_end=point.day,
                        structure_id=structure_id,
                        commune=commune,
                        epci=place["epci_id"] or "",
                        departement=place["departement_id"],
                        region=place["region_id"],
                        files=point.files,
                        clean=point.clean,
                        computed_at=now,
                    )
                )
    with transaction.atomic():
        QualityMonth.objects.filter(month_end__in=days).delete()
        QualityMonth.objects.bulk_create([row for day in days for row in rows[day]], batch_size=2000)
    return {day: len(rows[day]) - 1 for day in days}


def computed_month_ends(days: list[date]) -> set[date]:
    """Those of `days` that have a snapshot (their mark row)."""
    return set(
        QualityMonth.objects.filter(month_end__in=days, structure_id=QualityMonth.MARK).values_list(
            "month_end", flat=True
        )
    )


def stored_trend(days: list[date], scope: Q) -> list[TrendPoint | None]:
    """The trend of the rows of `scope` (a Q over QualityMonth's structure and code columns) on each day,
    in one query: the sums of files and clean of the day's rows; None for a day without a snapshot."""
    # An empty Q (France) is every row: `Q() | mark` would be the mark alone.
    rows = QualityMonth.objects.filter(month_end__in=days)
    if scope:
        rows = rows.filter(scope | Q(structure_id=QualityMonth.MARK))
    rows = rows.order_by().values("month_end").annotate(files=Sum("files"), clean=Sum("clean"))
    sums = {
        row["month_end"]: TrendPoint(row["month_end"], int(row["files"] or 0), int(row["clean"] or 0)) for row in rows
    }
    return [sums.get(day) for day in days]
