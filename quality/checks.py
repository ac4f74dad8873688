"""The data-quality checks of a file (docs/indicateurs.md, « Qualité des données »).

A **file** is a pathway; the files a check looks at are the **active** ones: current stage not a closure.
Each check is one boolean database expression on a Pathway queryset row, so that the counts, the shares,
the scores and the lists behind them read the same definition (figures.py, views.py)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.utils import timezone

from pathways.enums import CLOSED_STAGES
from pathways.models import Contact, Household, Measure, Member, Pathway, Situation, Transition
from project.expressions import DaysBetween

DEFAULT_STALE_DAYS = 90
DEFAULT_LATE_DAYS = 30
# The late-recording check looks at the transitions recorded in the 365 days up to the day observed.
LATE_WINDOW_DAYS = 365


def stale_days() -> int:
    return _days("QUALITY_STALE_DAYS", DEFAULT_STALE_DAYS)


def late_days() -> int:
    return _days("QUALITY_LATE_DAYS", DEFAULT_LATE_DAYS)


def _days(name: str, default: int) -> int:
    days = getattr(settings, name, default)
    if not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(f"{name}={days} must be a number of days of at least 1.")
    return days


def day_start(day: date) -> datetime:
    """The first instant of `day` in the local time zone (recorded_at is a moment, the rule is by day)."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Check:
    code: str
    label: str  # French, the check's name on the page
    datable: bool  # computable at a past month end (trend.py); members have no history


CHECKS = (
    Check("situation_inconnue", "Situation résidentielle inconnue", True),
    Check("situation_tardive", "Situation déclarée après l'ouverture", True),
    Check("naissance_manquante", "Personne sans date de naissance", False),
    Check("date_avant_ouverture", "Contact ou mesure daté avant l'ouverture", True),
    Check("dossier_inactif", "Dossier sans activité", True),
    Check("doublon_probable", "Doublon probable dans une autre structure", False),
    Check("saisie_tardive", "Changement d'étape saisi en retard", True),
)
CHECKS_BY_CODE = {check.code: check for check in CHECKS}


def active() -> Q:
    """A file is active while its current stage is not a closure."""
    return ~Q(stage__in=CLOSED_STAGES)


def late_transitions(*, on: date, lag: int):
    """Transitions recorded by a person (not an import: its rows carry the import's moment) in the
    LATE_WINDOW_DAYS days up to `on` (local days), more than `lag` days after their own date."""
    start = on - timedelta(days=LATE_WINDOW_DAYS - 1)
    return (
        Transition.objects.filter(
            recorded_by__isnull=False,
            recorded_at__gte=day_start(start),
            recorded_at__lt=day_start(on + timedelta(days=1)),
        )
        .annotate(recorded_on=TruncDate("recorded_at"))
        .annotate(lag=DaysBetween(F("recorded_on"), F("date")))
        .filter(lag__gt=lag)
    )


def duplicate_households() -> RawSQL:
    """Households with a member whose normalised name and birth date are shared by members of households
    followed in active files of at least two referent structures (the same household included): for a
    file of one of them, another structure follows the same person. Confidential and anonymised
    households are never matched. One grouped pass over the members of active files, not a probe per file."""
    closed = ", ".join(["%s"] * len(CLOSED_STAGES))
    member, household, pathway = Member._meta.db_table, Household._meta.db_table, Pathway._meta.db_table
    sql = f"""
        SELECT m.household_id FROM {member} m
        JOIN (
            SELECT k.search_name, k.birth_date FROM {member} k
            JOIN {household} h ON h.id = k.household_id
            JOIN {pathway} p ON p.household_id = k.household_id
            WHERE p.stage NOT IN ({closed}) AND h.confidential = %s AND h.anonymised_on IS NULL
                AND k.birth_date IS NOT NULL AND k.search_name <> ''
            GROUP BY k.search_name, k.birth_date
            HAVING COUNT(DISTINCT p.referent_structure_id) > 1
        ) twins ON twins.search_name = m.search_name AND twins.birth_date = m.birth_date"""
    return RawSQL(sql, [*CLOSED_STAGES, False])


def conditions(*, today: date, stale: int, lag: int) -> dict[str, Q]:
    """Each check as a condition on a row of Pathway, on `today`."""
    situations = Situation.objects.filter(pathway=OuterRef("pk"), since__lte=today)
    return {
        "situation_inconnue": ~Q(Exists(situations)),
        "situation_tardive": Q(Exists(situations))
        & ~Q(Exists(Situation.objects.filter(pathway=OuterRef("pk"), since__lte=OuterRef("opened_on")))),
        "naissance_manquante": Q(household__anonymised_on__isnull=True)
        & Q(Exists(Member.objects.filter(household=OuterRef("household"), birth_date__isnull=True))),
        "date_avant_ouverture": Q(
            Exists(Contact.objects.filter(pathway=OuterRef("pk"), date__lt=OuterRef("opened_on")))
        )
        | Q(Exists(Measure.objects.filter(pathway=OuterRef("pk"), started_on__lt=OuterRef("opened_on")))),
        # More than `stale` days from the latest transition or contact (last_activity_on) to today.
        "dossier_inactif": Q(last_activity_on__lt=today - timedelta(days=stale)),
        "doublon_probable": Q(household__confidential=False, household__anonymised_on__isnull=True)
        & Q(household_id__in=duplicate_households()),
        "saisie_tardive": Q(Exists(late_transitions(on=today, lag=lag).filter(pathway=OuterRef("pk")))),
    }


def any_problem(conds: dict[str, Q]) -> Q:
    result = Q()
    for condition in conds.values():
        result |= condition
    return result
