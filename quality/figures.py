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
    try:
        rows = _grouped(files, conditions(today=today, stale=stale, lag=lag))
    except EmptyResultSet:  # an empty scope (Pathway.objects.none()) compiles to no query
        rows = []
    names = dict(Structure.objects.filter(pk__in=[r["referent_structure"] for r in rows]).values_list("pk", "name"))
    structures = sorted(
        (
            StructureFigure(
                structure_id=r["referent_structure"],
                name=names.get(r["referent_structure"], ""),
                files=r["files"],
                clean=r["files"] - r["problems"],
                counts={c.code: r[f"n_{c.code}"] for c in CHECKS},
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


def _grouped(files, conds) -> list[dict]:
    base_sql, params = compiled_sql(files.order_by().values("pk", "referent_structure"))
    joins, flags = [], []
    for k, (code, condition) in enumerate(conds.items()):
        flagged_sql, flagged_params = compiled_sql(files.filter(condition).order_by().values("pk").distinct())
        joins.append(f" LEFT JOIN ({flagged_sql}) f{k} ON f{k}.pk = p.pk")
        params += flagged_params
        flags.append((code, f"f{k}.pk"))
    counts = ", ".join(f"COUNT({column}) AS n_{code}" for code, column in flags)
    clean = " AND ".join(f"{column} IS NULL" for _, column in flags)
    sql = (
        f"SELECT p.referent_structure, COUNT(*), SUM(CASE WHEN {clean} THEN 1 ELSE 0 END), {counts}"
        f" FROM ({base_sql}) p{''.join(joins)} GROUP BY p.referent_structure"
    )
    with connections[files.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {
                "referent_structure": row[0],
                "files": row[1],
                "problems": row[1] - (row[2] or 0),
                **{f"n_{code}": row[3 + k] for k, (code, _) in enumerate(flags)},
            }
            for row in cursor.fetchall()
        ]
