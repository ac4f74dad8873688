"""The periods a bilan or a target may cover: the plans' years, from the first plan Logement d'abord to the
end of next year, ten calendar years at most. Beyond, a bilan would tie a worker up for nothing."""

from datetime import date

from django.utils import timezone

from reports.enums import PLAN_YEARS

FIRST_DAY = date(min(first for first, _last in PLAN_YEARS.values()), 1, 1)
MAX_YEARS = 10


def last_day(today: date | None = None) -> date:
    """31 December of next year, or of the last plan's final year if later."""
    today = today or timezone.localdate()
    return date(max([today.year + 1] + [last for _first, last in PLAN_YEARS.values()]), 12, 31)


def period_error(start: date, end: date) -> str | None:
    """Why [start, end] is not a period a bilan can cover, in French; None when it can."""
    latest = last_day()
    if start < FIRST_DAY:
        return f"La période commence au plus tôt le {FIRST_DAY:%d/%m/%Y}, début du premier plan Logement d'abord."
    if end > latest:
        return f"La période se termine au plus tard le {latest:%d/%m/%Y}."
    if end.year - start.year + 1 > MAX_YEARS:
        return f"Une période couvre au plus {MAX_YEARS} années civiles."
    return None
