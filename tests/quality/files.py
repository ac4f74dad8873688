"""Small case files for the data-quality tests, written through the services (pathways/services.py) so that
the facts read model (the stage spans the trend reads) is kept."""

import datetime
import itertools

from django.utils import timezone

from pathways.enums import SituationKind
from pathways.models import Pathway
from quality.checks import active, conditions
from quality.figures import quality_figures
from tests.pathways.factories import HouseholdFactory, PathwayFactory

BORN = datetime.date(1980, 5, 17)
FAMILIES = itertools.count(1)
STALE, LAG = 90, 30  # the defaults of QUALITY_STALE_DAYS and QUALITY_LATE_DAYS


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def open_file(
    structure,
    commune,
    *,
    opened_on: datetime.date,
    members=None,
    situation: str = SituationKind.RUE,
    confidential: bool = False,
    household=None,
    **kw,
) -> Pathway:
    """A file with none of the problems by default: a situation at the opening, a birth date for everyone,
    a name of its own (no duplicate)."""
    if household is None:
        people = members or [{"last_name": f"Famille{next(FAMILIES)}", "first_name": "Alex", "birth_date": BORN}]
        household = HouseholdFactory(confidential=confidential, members=people)
    return PathwayFactory(
        household=household,
        referent_structure=structure,
        commune=commune,
        opened_on=opened_on,
        situation=situation,
        **kw,
    )


def flagged(code: str, *, on: datetime.date | None = None, stale: int = STALE, lag: int = LAG) -> set[int]:
    """The active files one check flags on `on` (default today)."""
    condition = conditions(today=on or today(), stale=stale, lag=lag)[code]
    return set(Pathway.objects.filter(active()).filter(condition).values_list("pk", flat=True))


def figures(files=None, **kw):
    files = Pathway.objects.filter(active()) if files is None else files
    return quality_figures(files, today=kw.pop("on", today()), stale=kw.pop("stale", STALE), lag=kw.pop("lag", LAG))


def count(code: str, **kw) -> int:
    return next(f.count for f in figures(**kw).checks if f.check.code == code)
