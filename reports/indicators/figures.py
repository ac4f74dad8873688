"""Rounding of percentages and medians (indicators.md): one decimal, halves away from zero.

The value is divided from exact integers in Decimal rather than float, so that 1 of 16 (6.25) gives 6.3
and not float's 6.2; with 50 digits a quotient of realistic integers lands on a half only when it is one.
"""

from decimal import ROUND_HALF_UP, Decimal, localcontext

TENTH = Decimal("0.1")


def round_tenth(numerator: int, denominator: int) -> float:
    with localcontext() as context:
        context.prec = 50
        value = Decimal(numerator) / Decimal(denominator)
        return float(value.quantize(TENTH, rounding=ROUND_HALF_UP))


def percent(numerator: int, denominator: int) -> float | None:
    """100 × numerator / denominator, or None for an empty population."""
    if not denominator:
        return None
    return round_tenth(100 * numerator, denominator)


def median(values: list[int]) -> float | None:
    """Median of integers (an even count takes the mean of the two middle values), or None."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return round_tenth(ordered[middle], 1)
    return round_tenth(ordered[middle - 1] + ordered[middle], 2)


def median_in_database(queryset, field: str) -> float | None:
    """The median of `field` over `queryset`, read from the database: its count, then its one or two
    middle values in order (two queries, whatever the size of the population)."""
    count = queryset.count()
    if not count:
        return None
    # One middle value for an odd count, the two of an even one: their median is the population's.
    return median(list(queryset.order_by(field).values_list(field, flat=True)[(count - 1) // 2 : count // 2 + 1]))
