"""Counts, shares and scores of the data-quality checks for the files of a scope, per referent structure
(docs/indicateurs.md, « Qualité des données »): one grouped query, plus one for the structures' names."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count

from quality.checks import CHECKS, Check, any_problem, conditions
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
    """`files`: the active files of the scope (a Pathway queryset)."""
    conds = conditions(today=today, stale=stale, lag=lag)
    rows = list(
        files.order_by()
        .values("referent_structure")
        .annotate(
            files=Count("pk"),
            problems=Count("pk", filter=any_problem(conds)),
            **{f"n_{code}": Count("pk", filter=condition) for code, condition in conds.items()},
        )
    )
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
