"""Calendar months: the windows of the monthly figures (steering, the quality trend)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Month:
    first: date

    @property
    def last(self) -> date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"


def months_between(first: date, last: date) -> list[Month]:
    """The months from the one of `first` to the one of `last`, oldest first."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(Month(day))
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def last_complete_months(today: date, count: int = 24) -> list[Month]:
    """The `count` months before the current one."""
    end = today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(count - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return months_between(start, end)
