"""The bilan table: figures arranged by axis, year and sub-territory, formatted in French, with the
statistical secrecy of published bilans applied (indicators.md, Publication)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

import reports.indicators  # noqa: F401  (importing it fills the catalogue)
from reports.catalogue import AXES, CATALOGUE, Indicator
from reports.enums import FigureScope

SECRECY_THRESHOLD = 5
SMALL_COUNT = "< 5"
HIDDEN = "secret"
EMPTY = "—"
NBSP = "\u00a0"


def format_number(value: int | float | Decimal) -> str:
    """French notation: 4 146 and 12,5 (non-breaking space between thousands)."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", NBSP)
    text = f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"
    return text.replace(",", NBSP).replace(".", ",")


@dataclass(frozen=True)
class Cell:
    """One figure as shown: `number` is None when there is nothing to show (hidden, or no population)."""

    number: int | float | None
    text: str
    hidden: bool = False
    figure_id: int | None = None


def make_cell(indicator: Indicator, value, cases: int, *, secrecy: bool, figure_id: int | None = None) -> Cell:
    if value is None:
        return Cell(None, EMPTY, figure_id=figure_id)
    number = float(value) if isinstance(value, Decimal | float) else int(value)
    if secrecy:
        if indicator.kind == "count" and indicator.secret and 1 <= number < SECRECY_THRESHOLD:
            return Cell(None, SMALL_COUNT, hidden=True)
        if indicator.kind in ("percent", "median") and cases < SECRECY_THRESHOLD:
            return Cell(None, HIDDEN, hidden=True)
    return Cell(number, format_number(number), figure_id=figure_id)


@dataclass
class Row:
    indicator: Indicator
    total: Cell
    years: list[Cell]
    territories: list[Cell]
    target: Decimal | None = None

    @property
    def target_text(self) -> str:
        return format_number(self.target) if self.target is not None else ""

    @property
    def progress(self) -> float | None:
        """Percentage of the target reached by the whole period's figure, when both are known."""
        if self.target is None or self.total.number is None:
            return None
        return float((Decimal(str(self.total.number)) * 100 / self.target).quantize(Decimal("0.1"), ROUND_HALF_UP))

    @property
    def progress_text(self) -> str:
        progress = self.progress
        return f"{format_number(progress)}{NBSP}%" if progress is not None else ""


@dataclass
class Axis:
    number: int
    title: str
    rows: list[Row]


TERRITORY_KIND_WORDS = {"region": "région", "departement": "département", "epci": "EPCI", "commune": "commune"}


@dataclass
class BilanTable:
    territory_code: str
    territory_name: str
    start: date
    end: date
    years: list[int]
    sub_territories: list[tuple[str, str]]  # (key, name)
    axes: list[Axis]
    secrecy: bool
    generated_at: datetime = field(default_factory=timezone.now)
    published_at: datetime | None = None
    computed_at: datetime | None = None
    has_targets: bool = False

    @property
    def rows(self) -> list[Row]:
        return [row for axis in self.axes for row in axis.rows]

    @property
    def territory_official_code(self) -> str:
        """The key ("region:93") in words a reader knows: "région 93"; empty for France."""
        kind, _, code = self.territory_code.partition(":")
        return f"{TERRITORY_KIND_WORDS[kind]} {code}" if code else ""

    def row(self, code: str) -> Row:
        return next(row for row in self.rows if row.indicator.code == code)

    @property
    def period_text(self) -> str:
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"


def build_table(
    figures,
    *,
    territory_code: str,
    territory_name: str,
    start: date,
    end: date,
    secrecy: bool,
    targets: dict[str, Decimal] | None = None,
    generated_at: datetime | None = None,
    published_at: datetime | None = None,
    computed_at: datetime | None = None,
) -> BilanTable:
    """`figures`: stored BilanFigure rows or freshly computed ones (same attribute names)."""
    targets = targets or {}
    by_key = {}
    years, sub_territories = set(), {}
    for figure in figures:
        by_key[(figure.indicator_code, figure.scope, figure.year, figure.territory_code)] = figure
        if figure.scope == FigureScope.YEAR:
            years.add(figure.year)
        elif figure.scope == FigureScope.SUB_TERRITORY:
            sub_territories[figure.territory_code] = figure.territory_name
    years = sorted(years)
    children = list(sub_territories.items())

    def cell(indicator, scope, year, key):
        figure = by_key.get((indicator.code, scope, year, key))
        if figure is None:
            return Cell(None, EMPTY)
        return make_cell(indicator, figure.value, figure.cases, secrecy=secrecy, figure_id=getattr(figure, "pk", None))

    axes = []
    for number, title in AXES.items():
        rows = [
            Row(
                indicator=indicator,
                total=cell(indicator, FigureScope.TOTAL, None, territory_code),
                years=[cell(indicator, FigureScope.YEAR, year, territory_code) for year in years],
                territories=[cell(indicator, FigureScope.SUB_TERRITORY, None, key) for key, _ in children],
                target=targets.get(indicator.code),
            )
            for indicator in CATALOGUE.values()
            if indicator.axis == number
        ]
        axes.append(Axis(number, title, rows))
    return BilanTable(
        territory_code=territory_code,
        territory_name=territory_name,
        start=start,
        end=end,
        years=years,
        sub_territories=children,
        axes=axes,
        secrecy=secrecy,
        generated_at=generated_at or timezone.now(),
        published_at=published_at,
        computed_at=computed_at,
        has_targets=bool(targets),
    )


def run_table(run, *, secrecy: bool) -> BilanTable:
    """The table of a stored run (two queries: its figures, and the targets of its territory and period)."""
    from reports.models import Target

    targets = dict(
        Target.objects.filter(
            territory_kind=run.territory_kind, territory_code=run.territory_code, start=run.start, end=run.end
        ).values_list("indicator_code", "value")
    )
    return build_table(
        run.figures.all(),
        territory_code=run.territory_key,
        territory_name=run.territory_name,
        start=run.start,
        end=run.end,
        secrecy=secrecy,
        targets=targets,
        published_at=run.published_at,
        computed_at=run.finished_at,
    )
