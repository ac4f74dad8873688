"""The figures of the day stored (quality.models.QualityDay): the cells of quality.figures.quality_cells over
every active file of France, per referent structure and commune of the pathway, computed each night so that
the page sums a few rows instead of running the checks over every file of its scope.

The stored figures are the state as recorded when they were computed; the lists behind each check stay
live (quality/views.py `files`). The page falls back to the live computation when the latest stored day is
older than yesterday (stored_day)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from pathways.models import Pathway
from quality.checks import CHECKS, active, late_days, stale_days
from quality.figures import quality_cells
from quality.models import QualityDay
from territories.models import Commune

# Days kept: the page reads today's or yesterday's; a few more tell an operator when the task last ran.
KEEP_DAYS = 7


def snapshot_day(day: date) -> int:
    """Compute the figures of `day` (the day the checks read: today for the nightly task) nationally in one
    query and replace that day's rows in one transaction, deleting the days older than KEEP_DAYS; returns
    the number of cells written (the mark row not counted)."""
    cells = quality_cells(
        Pathway.objects.filter(active()), today=day, stale=stale_days(), lag=late_days(), by_commune=True
    )
    geography = {
        row["code"]: row
        for row in Commune.objects.filter(code__in={cell["commune"] for cell in cells}).values(
            "code", "epci_id", "departement_id", "region_id"
        )
    }
    now = timezone.now()
    rows = [QualityDay(day=day, structure_id=QualityDay.MARK, files=0, clean=0, computed_at=now)]
    for cell in cells:
        place = geography[cell["commune"]]
        rows.append(
            QualityDay(
                day=day,
                structure_id=cell["structure_id"],
                commune=cell["commune"],
                epci=place["epci_id"] or "",
                departement=place["departement_id"],
                region=place["region_id"],
                files=cell["files"],
                clean=cell["clean"],
                computed_at=now,
                **cell["counts"],
            )
        )
    with transaction.atomic():
        QualityDay.objects.filter(Q(day=day) | Q(day__lte=day - timedelta(days=KEEP_DAYS))).delete()
        QualityDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows) - 1


@dataclass(frozen=True)
class StoredDay:
    day: date
    computed_at: datetime
    rows: list[dict]  # per structure, as quality.figures.quality_cells: figures_of reads them


def stored_day(scope: Q, *, today: date) -> StoredDay | None:
    """The latest stored day among today and yesterday, with the sums per structure of its rows of `scope`
    (a Q over QualityDay's structure and code columns, as for QualityMonth), in one query; None when
    neither day is stored."""
    rows = QualityDay.objects.filter(day__range=(today - timedelta(days=1), today))
    # An empty Q (France) is every row: `Q() | mark` would be the mark alone.
    if scope:
        rows = rows.filter(scope | Q(structure_id=QualityDay.MARK))
    rows = (
        rows.order_by()
        .values("day", "structure_id")
        .annotate(
            n_files=Sum("files"),
            n_clean=Sum("clean"),
            computed=Max("computed_at"),
            **{f"n_{c.code}": Sum(c.code) for c in CHECKS},
        )
    )
    marks, sums = {}, {}
    for row in rows:
        if row["structure_id"] == QualityDay.MARK:
            marks[row["day"]] = row["computed"]
        else:
            sums.setdefault(row["day"], []).append(
                {
                    "structure_id": row["structure_id"],
                    "files": int(row["n_files"]),
                    "clean": int(row["n_clean"]),
                    "counts": {c.code: int(row[f"n_{c.code}"]) for c in CHECKS},
                }
            )
    if not marks:
        return None
    day = max(marks)
    return StoredDay(day, marks[day], sums.get(day, []))
