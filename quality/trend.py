"""The monthly trend of the quality score (docs/indicateurs.md, « Qualité des données », Évolution): for
each day D of a list (the last 12 month ends), the files active on D and those with none of the datable
checks' problems on D, per referent structure and commune of the pathway, in **one** query. The page reads
them from the monthly snapshots (quality/snapshots.py) that store these cells.

The query joins per-pathway aggregates, each a Django queryset compiled to SQL (so that the expressions
PostgreSQL and SQLite spell differently stay in the ORM), and conditional aggregates give every day its
own columns: one pass over the stage spans, the contacts and the late transitions instead of one per day.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connections
from django.db.models import Case, F, Max, Min, Q, Value, When
from django.db.models.functions import TruncDate

from facts.models import StageSpan, in_territory
from pathways.enums import CLOSED_STAGES
from pathways.models import Contact, Measure, Pathway, Situation, Transition
from project.expressions import DaysBetween
from project.months import last_complete_months
from quality.checks import LATE_WINDOW_DAYS, day_start
from reports.indicators.figures import percent


def month_ends(today: date, months: int = 12) -> list[date]:
    """The last day of each of the `months` months before the current one, oldest first."""
    return [month.last for month in last_complete_months(today, months)]


@dataclass(frozen=True)
class TrendPoint:
    day: date
    files: int
    clean: int

    @property
    def score(self) -> float | None:
        return percent(self.clean, self.files)


def compiled_sql(queryset) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def quality_trend(scope, *, days: list[date], stale: int, lag: int, territory=None) -> dict[int, list[TrendPoint]]:
    """{referent structure id: [TrendPoint per day]} for the pathways of `scope` (a Pathway queryset, not
    narrowed to active files: activity is read on each day). `territory` (the scope's, if any) narrows the
    stage spans by their own territory columns. Structures with no active file on any day are left out."""
    result: dict[int, list[TrendPoint]] = {}
    for (structure_id, _commune), points in quality_trend_cells(
        scope, days=days, stale=stale, lag=lag, territory=territory
    ).items():
        if structure_id in result:
            points = [
                TrendPoint(p.day, p.files + q.files, p.clean + q.clean)
                for p, q in zip(result[structure_id], points, strict=True)
            ]
        result[structure_id] = points
    return result


def quality_trend_cells(
    scope, *, days: list[date], stale: int, lag: int, territory=None
) -> dict[tuple[int, str], list[TrendPoint]]:
    """The one definition of the trend: {(referent structure id, commune code): [TrendPoint per day]} for
    the pathways of `scope` (quality_trend sums the communes of a structure; quality/snapshots.py stores
    the cells of a month end). Cells with no active file on any day are left out."""
    if not days:
        return {}
    ids = scope.order_by().values("pk")
    spans = StageSpan.objects.filter(in_territory(territory)) if territory is not None else StageSpan.objects
    spans = spans.filter(pathway_id__in=ids)
    span_columns = {}
    for k, day in enumerate(days):
        held = Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day)) & ~Q(stage__in=CLOSED_STAGES)
        span_columns[f"a{k}"] = Max(Case(When(held, then=Value(1)), default=Value(0)))
        # The latest transition on or before the day: every transition date starts a span (facts.models).
        span_columns[f"t{k}"] = Max(Case(When(valid_from__lte=day, then=F("valid_from"))))
    spans = spans.order_by().values("pathway_id").annotate(**span_columns)
    contacts = (
        Contact.objects.filter(pathway__in=ids)
        .order_by()
        .values("pathway_id")
        .annotate(
            first=Min("date"),
            **{f"c{k}": Max(Case(When(date__lte=day, then=F("date")))) for k, day in enumerate(days)},
        )
    )
    measures = Measure.objects.filter(pathway__in=ids).order_by().values("pathway_id").annotate(first=Min("started_on"))
    situations = Situation.objects.filter(pathway__in=ids).order_by().values("pathway_id").annotate(first=Min("since"))
    window = timedelta(days=LATE_WINDOW_DAYS - 1)
    late = (
        Transition.objects.filter(
            pathway__in=ids,
            recorded_by__isnull=False,
            recorded_at__gte=day_start(min(days) - window),
            recorded_at__lt=day_start(max(days) + timedelta(days=1)),
        )
        .annotate(recorded_on=TruncDate("recorded_at"))
        .annotate(lag=DaysBetween(F("recorded_on"), F("date")))
        .filter(lag__gt=lag)
        .order_by()
        .values("pathway_id")
        .annotate(
            **{
                f"l{k}": Max(Case(When(recorded_on__range=(day - window, day), then=Value(1)), default=Value(0)))
                for k, day in enumerate(days)
            }
        )
    )
    parts = {
        "a": compiled_sql(spans),
        "s": compiled_sql(situations),
        "c": compiled_sql(contacts),
        "m": compiled_sql(measures),
        "l": compiled_sql(late),
    }
    # Problems that do not depend on the day (a file active on D was opened by D): no situation on or
    # before the opening (unknown, or declared after it), a contact or a measure dated before it.
    steady_ok = (
        "s.first IS NOT NULL AND s.first <= p.opened_on"
        " AND (c.first IS NULL OR c.first >= p.opened_on) AND (m.first IS NULL OR m.first >= p.opened_on)"
    )
    select, params = [], []
    for k, day in enumerate(days):
        cutoff = day - timedelta(days=stale)
        select.append(f"SUM(CASE WHEN a.a{k} = 1 THEN 1 ELSE 0 END) AS f{k}")
        select.append(
            f"SUM(CASE WHEN a.a{k} = 1 AND {steady_ok}"
            f" AND (a.t{k} >= %s OR (c.c{k} IS NOT NULL AND c.c{k} >= %s))"
            f" AND (l.l{k} IS NULL OR l.l{k} = 0) THEN 1 ELSE 0 END) AS ok{k}"
        )
        params += [cutoff, cutoff]
    pathway = Pathway._meta.db_table
    commune = Pathway._meta.get_field("commune").column
    sql = (
        f"SELECT p.referent_structure_id, p.{commune}, {', '.join(select)} FROM ({parts['a'][0]}) a"
        f" JOIN {pathway} p ON p.id = a.pathway_id"
        f" LEFT JOIN ({parts['s'][0]}) s ON s.pathway_id = p.id"
        f" LEFT JOIN ({parts['c'][0]}) c ON c.pathway_id = p.id"
        f" LEFT JOIN ({parts['m'][0]}) m ON m.pathway_id = p.id"
        f" LEFT JOIN ({parts['l'][0]}) l ON l.pathway_id = p.id"
        f" GROUP BY p.referent_structure_id, p.{commune}"
    )
    all_params = params + [p for key in "ascml" for p in parts[key][1]]
    with connections[scope.db].cursor() as cursor:
        cursor.execute(sql, all_params)
        rows = cursor.fetchall()
    result = {}
    for row in rows:
        points = [TrendPoint(day, int(row[2 + 2 * k] or 0), int(row[3 + 2 * k] or 0)) for k, day in enumerate(days)]
        if any(point.files for point in points):
            result[(row[0], row[1])] = points
    return result


def total_trend(by_structure: dict[int, list[TrendPoint]], days: list[date]) -> list[TrendPoint]:
    """The scope's points: the structures' sums (each file has one referent structure)."""
    return [
        TrendPoint(
            day,
            sum(points[k].files for points in by_structure.values()),
            sum(points[k].clean for points in by_structure.values()),
        )
        for k, day in enumerate(days)
    ]
