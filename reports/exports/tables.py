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


def format_target(value: int | float | Decimal, indicator: Indicator) -> str:
    """A target in its indicator's notation: a count of places, households or days is whole ("1 500",
    not "1 500,0"), a rate has its decimal and its sign ("12,5 %")."""
    if indicator.kind == "percent":
        return f"{format_number(value)}{NBSP}%"
    number = Decimal(str(value))
    return format_number(int(number) if number == number.to_integral_value() else number)


@dataclass(frozen=True)
class Cell:
    """One figure as shown: `number` is None when there is nothing to show (hidden, or no population).
    `note` says why a hidden figure is hidden (the page's tooltip)."""

    number: int | float | None
    text: str
    hidden: bool = False
    figure_id: int | None = None
    note: str = ""
    # On an exact (internal) table: what a reader under statistical secrecy sees instead (« < 5 »,
    # « secret »), or "" when this figure is shown to everyone.
    public_text: str = ""


SMALL_COUNT_NOTE = "Entre 1 et 4 : masqué par le secret statistique"
FEW_CASES_NOTE = "Calculé sur moins de 5 cas : masqué par le secret statistique"
COMPLEMENTARY_NOTE = "Masqué pour qu'un chiffre « < 5 » ne se déduise pas des autres (secret statistique)"
DERIVED_NOTE = "Calculé à partir d'un chiffre masqué : masqué par le secret statistique"

# Rates computed from counts of the same table: shown next to their counts, such a rate would give a
# hidden count away (100 × (a + b) / total), so it is hidden wherever one of them is.
DERIVED_FROM = {
    "part_attributions_sans_domicile": (
        "attributions_sortants_hebergement",
        "attributions_sans_abri",
        "attributions_total",
    ),
}


def is_small_count(indicator: Indicator, value) -> bool:
    return indicator.kind == "count" and indicator.secret and value is not None and 1 <= value < SECRECY_THRESHOLD


def is_few_cases(indicator: Indicator, value, cases: int) -> bool:
    return indicator.kind in ("percent", "median") and value is not None and cases < SECRECY_THRESHOLD


def reachable(total: int, small: int, others: int) -> bool:
    """Can `total` be the sum of `small` cells shown « < 5 » (1 to 4 each) and `others` hidden cells
    of any other value (0, or 5 and more: a reader knows they are not « < 5 »)?"""
    low, high = small, (SECRECY_THRESHOLD - 1) * small
    if total < low:
        return False
    return total <= high or (others > 0 and total >= low + SECRECY_THRESHOLD)


def pins_a_small_count(hidden_parts: list, residual: int, primary: set) -> bool:
    """Would a « < 5 » among `hidden_parts` (whose sum, `residual`, is the total minus the shown parts)
    have a single possible value? Two « < 5 » adding up to 2 are both 1."""
    for key in hidden_parts:
        if key not in primary:
            continue
        rest = [other for other in hidden_parts if other != key]
        small = sum(other in primary for other in rest)
        possible = [
            value for value in range(1, SECRECY_THRESHOLD) if reachable(residual - value, small, len(rest) - small)
        ]
        if len(possible) < 2:
            return True
    return False


def complementary_suppression(values: dict, groups: list[tuple], primary: set) -> set:
    """The cells to hide so that no cell of `primary` can be recomputed from the shown ones.

    `values`: {cell key: number or None}; `groups`: (total key, [part keys]) where the total is the
    sum of the parts (a row's years, or its sub-territories). One hidden cell in a group is given
    away by subtraction (total minus the shown parts), and so is a « < 5 » whose bounds leave it one
    value (two « < 5 » adding up to 2); then another cell is hidden: the smallest non-zero part (a
    zero next to a « < 5 » would tell that the « < 5 » is the whole difference), then the total,
    then a zero part. Groups share their total, so this runs until nothing changes.
    """
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            members = [total, *parts]
            count = sum(key in hidden for key in members)
            if count == 0:
                continue
            if count > 1:
                hidden_parts = [key for key in parts if key in hidden]
                if total in hidden or values.get(total) is None:
                    continue
                residual = values[total] - sum(values.get(key) or 0 for key in parts if key not in hidden)
                if not pins_a_small_count(hidden_parts, residual, primary):
                    continue
            shown_parts = [key for key in parts if key not in hidden and values.get(key) is not None]
            choices = (
                [key for key in shown_parts if values[key]],
                [total] if total not in hidden else [],
                shown_parts,
            )
            for keys in choices:
                if keys:
                    hidden.add(min(keys, key=lambda key: values[key]))
                    changed = True
                    break
    return hidden


def secrecy_mask(rows: list[tuple[Indicator, dict]], *, years: list[int], territories: list[str]) -> dict:
    """THE statistical secrecy of a bilan table (indicators.md, Publication), used by its page, its
    CSV, XLSX and PDF files and its charts: {cell key: why it is hidden}. `rows`: (indicator, {cell
    key: (value, cases)}) where a key is ("total",), ("year", year) or ("territory", key)."""
    reasons = {}
    count_values, groups, primary = {}, [], set()
    for indicator, cells in rows:
        code = indicator.code
        for key, (value, cases) in cells.items():
            if is_small_count(indicator, value):
                primary.add((code, *key))
            elif is_few_cases(indicator, value, cases):
                reasons[(code, *key)] = FEW_CASES_NOTE
        if indicator.kind == "count" and indicator.secret:
            count_values |= {(code, *key): value for key, (value, _) in cells.items()}
            groups.append(((code, "total"), [(code, "year", year) for year in years]))
            if territories:
                groups.append(((code, "total"), [(code, "territory", key) for key in territories]))
    for key in complementary_suppression(count_values, groups, primary):
        reasons[key] = SMALL_COUNT_NOTE if key in primary else COMPLEMENTARY_NOTE
    columns = [("total",), *(("year", year) for year in years), *(("territory", key) for key in territories)]
    for code, sources in DERIVED_FROM.items():
        for column in columns:
            if (code, *column) not in reasons and any((source, *column) in reasons for source in sources):
                reasons[(code, *column)] = DERIVED_NOTE
    return reasons


def hidden_text(reason: str) -> str:
    return SMALL_COUNT if reason == SMALL_COUNT_NOTE else HIDDEN


def make_cell(value, *, hidden_because: str = "", figure_id: int | None = None, public_because: str = "") -> Cell:
    """`hidden_because`: why this table hides the figure; `public_because`, on an exact table: why a
    table under secrecy would."""
    if value is None:
        return Cell(None, EMPTY, figure_id=figure_id)
    if hidden_because:
        return Cell(None, hidden_text(hidden_because), True, note=hidden_because)
    number = float(value) if isinstance(value, Decimal | float) else int(value)
    public = hidden_text(public_because) if public_because else ""
    return Cell(number, format_number(number), figure_id=figure_id, note=public_because, public_text=public)


@dataclass
class Row:
    indicator: Indicator
    total: Cell
    years: list[Cell]
    territories: list[Cell]
    target: Decimal | None = None

    @property
    def target_text(self) -> str:
        return format_target(self.target, self.indicator) if self.target is not None else ""

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
    # « Annexe : offre et propositions » (places.figures.Annex), when the territory has places; not
    # among the plan's indicators.
    annex: object = None

    @property
    def rows(self) -> list[Row]:
        return [row for axis in self.axes for row in axis.rows]

    @property
    def territory_official_code(self) -> str:
        """The key ("region:93") in words a reader knows: "région 93"; empty for France."""
        kind, _, code = self.territory_code.partition(":")
        return f"{TERRITORY_KIND_WORDS[kind]} {code}" if code else ""

    @property
    def publicly_hidden(self) -> int:
        """On an exact table: how many of its figures a reader under statistical secrecy sees hidden."""
        cells = [cell for row in self.rows for cell in (row.total, *row.years, *row.territories)]
        return sum(bool(cell.public_text) for cell in cells)

    @property
    def by_year_columns(self) -> int:
        """Figure columns of a by-year table: the years, the total, and the target and progress if any."""
        return len(self.years) + 1 + (2 if self.has_targets else 0)

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

    indicators = list(CATALOGUE.values())
    places = {("total",): (FigureScope.TOTAL, None, territory_code)}
    places |= {("year", year): (FigureScope.YEAR, year, territory_code) for year in years}
    places |= {("territory", key): (FigureScope.SUB_TERRITORY, None, key) for key, _ in children}
    found = {
        indicator.code: {place: by_key.get((indicator.code, *where)) for place, where in places.items()}
        for indicator in indicators
    }
    # The mask is computed for exact tables too: their PDF says which figures observers see hidden.
    mask = secrecy_mask(
        [
            (indicator, {place: (f.value, f.cases) for place, f in found[indicator.code].items() if f})
            for indicator in indicators
        ],
        years=years,
        territories=[key for key, _ in children],
    )

    def cell(indicator, *place):
        figure = found[indicator.code][place]
        if figure is None:
            return Cell(None, EMPTY)
        reason = mask.get((indicator.code, *place), "")
        return make_cell(
            figure.value,
            hidden_because=reason if secrecy else "",
            public_because="" if secrecy else reason,
            figure_id=getattr(figure, "pk", None),
        )

    axes = []
    for number, title in AXES.items():
        rows = [
            Row(
                indicator=indicator,
                total=cell(indicator, "total"),
                years=[cell(indicator, "year", year) for year in years],
                territories=[cell(indicator, "territory", key) for key, _ in children],
                target=targets.get(indicator.code),
            )
            for indicator in indicators
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
        run.figures.defer("record_ids"),  # the drill-down ids, up to megabytes a run, are not shown here
        territory_code=run.territory_key,
        territory_name=run.territory_name,
        start=run.start,
        end=run.end,
        secrecy=secrecy,
        targets=targets,
        published_at=run.published_at,
        computed_at=run.finished_at,
    )
