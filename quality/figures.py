"""Counts, shares and scores of the data-quality checks for the files of a scope, per referent structure
(docs/indicateurs.md, « Qualité des données »): one grouped query, plus one for the structures' names."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connections

from quality.checks import CHECKS, Check, conditions
from quality.trend import compiled_sql
from reports.indicators.figures import percent
from territories.models import Structure


@dataclass(frozen=True)
class CheckFigure:
    check: Check
    count: int
    share: float | None  # % of the files


@dataclass
class StructureFigure:
    structure_id: int
    name: str
    files: int
    clean: int  # files with no problem
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        return percent(self.clean, self.files)

    @property
    def checks(self) -> list[CheckFigure]:
        return [CheckFigure(c, self.counts[c.code], percent(self.counts[c.code], self.files)) for c in CHECKS]


@dataclass
class QualityFigures:
    files: int
    clean: int
    checks: list[CheckFigure]
    structures: list[StructureFigure]

    @property
    def score(self) -> float | None:
        return percent(self.clean, self.files)


def quality_figures(files, *, today: date, stale: int, lag: int) -> QualityFigures:
    """`files`: the active files of the scope (a Pathway queryset). One query: the files of the scope, each
    check's flagged files joined to them (each a filter of its own, so that the database reads its
    EXISTS as a semi-join over all rows at once rather than as a probe per row), grouped by structure."""
    return figures_of(quality_cells(files, today=today, stale=stale, lag=lag))


def quality_cells(files, *, today: date, stale: int, lag: int, by_commune: bool = False) -> list[dict]:
    """The one grouped query of the figures: a row {"structure_id", "files", "clean", "counts": {code: n}}
    per referent structure of `files` (the active files of a scope), or per structure and commune of the
    pathway with `by_commune` (plus "commune": what quality/daily.py stores)."""
    try:
        return _grouped(files, conditions(today=today, stale=stale, lag=lag), by_commune=by_commune)
    except EmptyResultSet:  # an empty scope (Pathway.objects.none()) compiles to no query
        return []


def figures_of(rows: list[dict]) -> QualityFigures:
    """The figures of rows per structure (quality_cells', or the sums of the stored cells of a day), the
    structures named in one query."""
    names = dict(Structure.objects.filter(pk__in=[r["structure_id"] for r in rows]).values_list("pk", "name"))
    structures = sorted(
        (
            StructureFigure(
                structure_id=r["structure_id"],
                name=names.get(r["structure_id"], ""),
                files=r["files"],
                clean=r["clean"],
                counts={c.code: r["counts"][c.code] for c in CHECKS},
            )
            for r in rows
        ),
        key=lambda s: (s.name.lower(), s.structure_id),
    )
    total = sum(s.files for s in structures)
    counts = {c.code: sum(s.counts[c.code] for s in structures) for c in CHECKS}
    return QualityFigures(
        files=total,
        clean=sum(s.clean for s in structures),
        checks=[CheckFigure(c, counts[c.code], percent(counts[c.code], total)) for c in CHECKS],
        structures=structures,
    )


def _grouped(files, conds, *, by_commune: bool) -> list[dict]:
    keys = ["referent_structure", "commune"] if by_commune else ["referent_structure"]
    base_sql, params = compiled_sql(files.order_by().values("pk", *keys))
    joins, flags = [], []
    for k, (code, condition) in enumerate(conds.items()):
        flagged_sql, flagged_params = compiled_sql(files.filter(condition).order_by().values("pk").distinct())
        joins.append(f" LEFT JOIN ({flagged_sql}) f{k} ON f{k}.pk = p.pk")
        params += flagged_params
        flags.append((code, f"f{k}.pk"))
    columns = ", ".join(f"p.{key}" for key in keys)  # the subquery's columns are named after the keys
    counts = ", ".join(f"COUNT({column})" for _code, column in flags)
    clean = " AND ".join(f"{column} IS NULL" for _, column in flags)
    sql = (
        f"SELECT {columns}, COUNT(*), SUM(CASE WHEN {clean} THEN 1 ELSE 0 END), {counts}"
        f" FROM ({base_sql}) p{''.join(joins)} GROUP BY {columns}"
    )
    with connections[files.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    width = len(keys)
    return [
        {
            "structure_id": row[0],
            **({"commune": row[1]} if by_commune else {}),
            "files": row[width],
            "clean": int(row[width + 1] or 0),
            "counts": {code: row[width + 2 + k] for k, (code, _) in enumerate(flags)},
        }
        for row in rows
    ]
