"""Statistical secrecy of published bilans: small counts are hidden, and so is a second cell wherever
the first could be recomputed by subtraction from a total (complementary suppression)."""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.catalogue import CATALOGUE
from reports.enums import FigureScope
from reports.exports.csvfile import csv_bytes
from reports.exports.tables import DERIVED_FROM, SMALL_COUNT, build_table, complementary_suppression
from reports.indicators.figures import percent

START, END = date(2018, 1, 1), date(2022, 12, 31)
SECRET_COUNTS = [code for code, i in CATALOGUE.items() if i.kind == "count" and i.secret]
SMALL = st.integers(min_value=0, max_value=12)


def figure(code, scope, value, *, year=None, key="region:93", cases=0):
    return SimpleNamespace(
        indicator_code=code,
        scope=scope,
        year=year,
        territory_code=key,
        territory_name=key,
        value=value,
        cases=cases,
        pk=None,
    )


@st.composite
def figure_sets(draw):
    """Figures of one bilan where, as for the additive counts of reports/indicators, the whole period
    is the sum of its years and of its sub-territories; the share of attributions is computed from its
    counts, column by column."""
    years = list(range(2018, 2018 + draw(st.integers(1, 5))))
    territories = [f"departement:{n}" for n in range(draw(st.integers(0, 4)))]
    counts = {}
    for code in SECRET_COUNTS:
        by_year = [draw(SMALL) for _ in years]
        total = sum(by_year)
        width = max(len(territories) - 1, 0)
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=width, max_size=width)))
        by_territory = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)] if territories else []
        counts[code] = {("total",): total}
        counts[code] |= {("year", y): v for y, v in zip(years, by_year, strict=True)}
        counts[code] |= {("territory", k): v for k, v in zip(territories, by_territory, strict=True)}
    # Attributions to households in neither group come on top of the two groups: the total holds all.
    shelter, street, total = DERIVED_FROM["part_attributions_sans_domicile"]
    for column, others in counts[total].items():
        counts[total][column] = counts[shelter][column] + counts[street][column] + others
    figures = []
    columns = [("total",), *(("year", y) for y in years), *(("territory", k) for k in territories)]

    def add(code, column, value, cases=0):
        if column[0] == "total":
            figures.append(figure(code, FigureScope.TOTAL, value, cases=cases))
        elif column[0] == "year":
            figures.append(figure(code, FigureScope.YEAR, value, year=column[1], cases=cases))
        else:
            figures.append(figure(code, FigureScope.SUB_TERRITORY, value, key=column[1], cases=cases))

    for code, indicator in CATALOGUE.items():
        for column in columns:
            if code in counts:
                add(code, column, counts[code][column])
            elif code in DERIVED_FROM:
                shelter, street, total = (counts[source][column] for source in DERIVED_FROM[code])
                add(code, column, percent(shelter + street, total), cases=total)
            elif indicator.kind in ("percent", "median"):
                add(code, column, Decimal(draw(st.integers(0, 1000))) / 10, cases=draw(SMALL))
            else:
                add(code, column, draw(SMALL))
    return figures, counts, years, territories


def shown(cell):
    return None if cell.hidden else cell.number


def groups_of(table, row):
    """The additive groups of a row: (total, parts) for the years and for the sub-territories."""
    groups = [(row.total, row.years)]
    if table.sub_territories:
        groups.append((row.total, row.territories))
    return groups


def determined(unknowns, equations, target) -> bool:
    """Is `target` fixed by the linear `equations` ({unknown: coefficient}, constant) on `unknowns`?
    It is when its unit vector lies in the span of the equations' rows (rank test, exact fractions)."""

    def rank(rows):
        rows = [list(r) for r in rows]
        rank_, column = 0, 0
        width = len(unknowns)
        while rank_ < len(rows) and column < width:
            pivot = next((i for i in range(rank_, len(rows)) if rows[i][column] != 0), None)
            if pivot is None:
                column += 1
                continue
            rows[rank_], rows[pivot] = rows[pivot], rows[rank_]
            for i in range(len(rows)):
                if i != rank_ and rows[i][column] != 0:
                    factor = rows[i][column] / rows[rank_][column]
                    rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank_], strict=True)]
            rank_ += 1
            column += 1
        return rank_

    matrix = [[Fraction(eq.get(u, 0)) for u in unknowns] for eq in equations]
    unit = [Fraction(1 if u == target else 0) for u in unknowns]
    return rank(matrix) == rank([*matrix, unit])


def possible_values(cell, others, residual) -> list[int]:
    """The values of a « < 5 » `cell` compatible with the hidden `others` adding up to `residual` with
    it, every value of every cell tried (sums reachable by the others, built cell by cell)."""
    sums = {0}
    for other in others:
        domain = range(1, 5) if other.text == SMALL_COUNT else [0, *range(5, residual + 1)]
        sums = {a + b for a in sums for b in domain if a + b <= residual}
    return [value for value in range(1, 5) if residual - value in sums]


@settings(max_examples=300, deadline=None)
@given(figure_sets())
def test_no_hidden_count_can_be_recomputed_and_no_small_count_is_shown(data):
    figures, counts, years, territories = data
    table = build_table(figures, territory_code="region:93", territory_name="PACA", start=START, end=END, secrecy=True)
    for code in SECRET_COUNTS:
        row = table.row(code)
        cells = {("total",): row.total}
        cells |= {("year", y): c for y, c in zip(years, row.years, strict=True)}
        cells |= {("territory", k): c for k, c in zip(territories, row.territories, strict=True)}
        for column, cell in cells.items():
            value = counts[code][column]
            # No small count is left in sight, and every shown figure is the true one.
            assert not (1 <= value < 5 and not cell.hidden), (code, column, value)
            assert cell.hidden or cell.number == value
        # Every subtraction: the total minus the shown parts, or the sum of the shown parts.
        for total, parts in groups_of(table, row):
            members = [total, *parts]
            for hidden in (c for c in members if c.hidden):
                others = [c for c in members if c is not hidden]
                assert any(c.hidden for c in others), f"{code}: a hidden cell is the difference of shown cells"
        # A reader also knows the bounds: « < 5 » is 1 to 4, another hidden count 0 or 5 and more.
        for total, parts in groups_of(table, row):
            if total.hidden:
                continue
            residual = total.number - sum(c.number for c in parts if not c.hidden)
            hidden_parts = [c for c in parts if c.hidden]
            for cell in hidden_parts:
                if cell.text == SMALL_COUNT:
                    others = [c for c in hidden_parts if c is not cell]
                    assert len(possible_values(cell, others, residual)) >= 2, (code, residual)
        # And every combination of both sums (they share the total): no hidden cell is determined.
        hidden = [column for column, cell in cells.items() if cell.hidden]
        equations = []
        for prefix in ("year", "territory"):
            parts = [column for column in cells if column[0] == prefix]
            if parts:
                equation = {("total",): 1} | dict.fromkeys(parts, -1)
                equations.append({k: v for k, v in equation.items() if k in hidden})
        for target in hidden:
            assert not determined(hidden, equations, target), (code, target)
    # A share computed from a hidden count is hidden too.
    for code, sources in DERIVED_FROM.items():
        row = table.row(code)
        for position, cell in enumerate([row.total, *row.years, *row.territories]):
            source_cells = [
                [table.row(s).total, *table.row(s).years, *table.row(s).territories][position] for s in sources
            ]
            if any(c.hidden for c in source_cells):
                assert cell.hidden, (code, position)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda width: st.lists(st.lists(SMALL, min_size=width, max_size=width), min_size=2, max_size=5)
    )
)
def test_the_mask_of_a_table_with_row_and_column_totals_resists_every_subtraction(matrix):
    """The same function protects any additive table: rows and columns with their totals."""
    height, width = len(matrix), len(matrix[0])
    values = {(r, c): matrix[r][c] for r in range(height) for c in range(width)}
    values |= {(r, "total"): sum(matrix[r]) for r in range(height)}
    values |= {("total", c): sum(matrix[r][c] for r in range(height)) for c in range(width)}
    values[("total", "total")] = sum(map(sum, matrix))
    groups = [((r, "total"), [(r, c) for c in range(width)]) for r in range(height)]
    groups += [(("total", c), [(r, c) for r in range(height)]) for c in range(width)]
    groups.append((("total", "total"), [(r, "total") for r in range(height)]))
    groups.append((("total", "total"), [("total", c) for c in range(width)]))
    primary = {key for key, value in values.items() if 1 <= value < 5}
    hidden = complementary_suppression(values, groups, primary)
    assert primary <= hidden
    for total, parts in groups:
        members = [total, *parts]
        for key in (k for k in members if k in hidden):
            if any(other in hidden for other in members if other != key):
                continue
            # Alone hidden in its line: the total minus the other parts, or the sum of the parts.
            recovered = (
                sum(values[p] for p in parts)
                if key == total
                else values[total] - sum(values[p] for p in parts if p != key)
            )
            assert recovered != values[key], f"{key} is recovered from its line {members}"


def test_two_small_counts_that_add_up_to_their_only_value_get_a_third_hidden_cell():
    """1 + 1 shown « < 5 » with 12 − 10 = 2 left: both would be 1. The 10 is hidden as well."""
    figures = [
        figure("ruptures", FigureScope.YEAR, value, year=year)
        for year, value in zip((2018, 2019, 2020), (1, 1, 10), strict=True)
    ]
    figures.append(figure("ruptures", FigureScope.TOTAL, 12))
    table = build_table(figures, territory_code="region:93", territory_name="PACA", start=START, end=END, secrecy=True)
    row = table.row("ruptures")
    assert [c.text for c in row.years] + [row.total.text] == [SMALL_COUNT, SMALL_COUNT, "secret", "12"]


def test_the_second_hidden_cell_is_the_smallest_other_year_never_a_zero_nor_the_total():
    figures = [
        figure("attributions_sans_abri", FigureScope.YEAR, value, year=year)
        for year, value in zip((2018, 2019, 2020, 2021), (2, 0, 9, 12), strict=True)
    ]
    figures.append(figure("attributions_sans_abri", FigureScope.TOTAL, 23))
    table = build_table(figures, territory_code="region:93", territory_name="PACA", start=START, end=END, secrecy=True)
    row = table.row("attributions_sans_abri")
    assert [c.text for c in row.years] + [row.total.text] == [SMALL_COUNT, "0", "secret", "12", "23"]
    assert row.years[2].note.startswith("Masqué pour qu'un chiffre")
    # The CSV holds the same mask: what the page hides, the file hides.
    text = csv_bytes(table).decode("utf-8-sig")
    lines = [line.split(";") for line in text.splitlines() if line.startswith("attributions_sans_abri;")]
    assert [line[-1] for line in lines][:5] == ["23", "< 5", "0", "secret", "12"]
    exact = build_table(figures, territory_code="region:93", territory_name="PACA", start=START, end=END, secrecy=False)
    assert [c.text for c in exact.row("attributions_sans_abri").years] == ["2", "0", "9", "12"]
