"""Anonymisation of case files without activity for 2 years (roles.md, domain.md "Personal data").

A household's **last activity** is the latest of:
- its creation date;
- its pathways' `last_activity_on` (the services move it forward with every transition and contact);
- its situations' start dates;
- its measures' start and end dates.

A household is **inactive** on `today` when that date is more than `ANONYMISE_AFTER_DAYS` (730) days
before `today`, i.e. earlier than `cutoff = today - 730 days`, and none of its measures is still running:
a running support measure is activity even when nobody writes in the file.

A pathway still open (pre-housing or housed stage) does not keep its household: the rule is about files
with no activity, and such a pathway has long been in the stalled queue. Anonymising it keeps it counted:
the indicators read compositions, stages, dates, communes, situations and measures, never names.

Anonymisation replaces each member's names with a placeholder, clears birth dates and every free-text
note (contact notes, transition reasons, assignment reasons) and dates the household's `anonymised_on`.
It cannot be undone, and an anonymised household is never anonymised again.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from audit.enums import Action, Target
from audit.services import audit_record, changes_between
from pathways.models import (
    Assignment,
    Contact,
    Household,
    Measure,
    Member,
    Pathway,
    Reminder,
    Situation,
    Transition,
)
from territories.text import normalize_name

PLACEHOLDER_LAST_NAME = "Anonymisé"
PLACEHOLDER_FIRST_NAME = ""


@dataclass(frozen=True)
class AnonymisationReport:
    cutoff: date  # households without activity since this date (included) are anonymised
    households: int
    members: int
    notes: int  # free-text notes cleared (contacts, transitions, assignments, reminders); 0 in a dry run
    dry_run: bool

    @property
    def plan(self) -> str:
        """What a run would do, as the command says it before doing it."""
        return f"{self.households} ménage(s) sans activité depuis le {self.cutoff:%d/%m/%Y} seraient anonymisés."

    @property
    def outcome(self) -> str:
        return (
            f"{self.households} ménage(s) sans activité depuis le {self.cutoff:%d/%m/%Y} anonymisé(s) : "
            f"{self.members} personne(s), {self.notes} note(s) effacée(s)."
        )


def anonymise_after_days() -> int:
    days = settings.ANONYMISE_AFTER_DAYS
    if days < 1:
        raise ImproperlyConfigured(f"ANONYMISE_AFTER_DAYS={days} must be a number of days of at least 1.")
    return days


def inactivity_cutoff(today: date) -> date:
    """The first day that still counts as recent activity."""
    return today - timedelta(days=anonymise_after_days())


def inactive_households(*, today: date):
    """Households not yet anonymised whose last activity is before the cutoff (see the module doc).

    Written as NOT EXISTS on each source of activity rather than a GREATEST of aggregates: NULLs need no
    care on either database, and each test stops at the first recent row."""
    cutoff = inactivity_cutoff(today)
    recent_pathway = Pathway.objects.filter(household=OuterRef("pk"), last_activity_on__gte=cutoff)
    recent_situation = Situation.objects.filter(pathway__household=OuterRef("pk"), since__gte=cutoff)
    running_or_recent_measure = Measure.objects.filter(pathway__household=OuterRef("pk")).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=cutoff) | Q(started_on__gte=cutoff)
    )
    return Household.objects.filter(anonymised_on__isnull=True, created_on__lt=cutoff).exclude(
        Exists(recent_pathway) | Exists(recent_situation) | Exists(running_or_recent_measure)
    )


@transaction.atomic
def households_anonymise(*, today: date, dry_run: bool = False) -> AnonymisationReport:
    """Anonymise every inactive household on `today`, in a few set-based queries whatever their number.

    Child rows are cleared first, each UPDATE selecting its households with the same subquery; the
    households are dated last, since dating them takes them out of that subquery. None of the cleared
    columns takes part in the definition of inactivity, so every statement sees the same households."""
    cutoff = inactivity_cutoff(today)
    inactive = inactive_households(today=today)
    # The ids are read instead of a count: the audit event lists the households anonymised.
    household_ids = list(inactive.values_list("pk", flat=True))
    households = len(household_ids)
    if not households:
        return AnonymisationReport(cutoff=cutoff, households=0, members=0, notes=0, dry_run=dry_run)
    members = Member.objects.filter(household__in=inactive)
    if dry_run:
        return AnonymisationReport(cutoff=cutoff, households=households, members=members.count(), notes=0, dry_run=True)
    member_count = members.update(
        last_name=PLACEHOLDER_LAST_NAME,
        first_name=PLACEHOLDER_FIRST_NAME,
        birth_date=None,
        # Member.save() keeps search_name in step; a bulk update has to set it itself.
        search_name=normalize_name(f"{PLACEHOLDER_LAST_NAME} {PLACEHOLDER_FIRST_NAME}"),
    )
    notes = (
        Contact.objects.filter(pathway__household__in=inactive).exclude(note="").update(note="")
        + Transition.objects.filter(pathway__household__in=inactive).exclude(reason="").update(reason="")
        + Assignment.objects.filter(pathway__household__in=inactive).exclude(note="").update(note="")
        # The coordination's reminder messages are free text too (a reminder is no activity).
        + Reminder.objects.filter(pathway__household__in=inactive).exclude(note="").update(note="")
        # A proposal's details and a place's history notes (places app, read by name: no import circle).
        + apps.get_model("places", "Proposal")
        .objects.filter(pathway__household__in=inactive)
        .exclude(note="")
        .update(note="")
        + apps.get_model("places", "PlaceEvent")
        .objects.filter(pathway__household__in=inactive)
        .exclude(note="")
        .update(note="")
    )
    dated = inactive.update(anonymised_on=today)
    report = AnonymisationReport(cutoff=cutoff, households=dated, members=member_count, notes=notes, dry_run=False)
    audit_record(
        user=None,
        action=Action.UPDATE,
        target=Target.HOUSEHOLD,
        detail=f"Anonymisation : {report.outcome}",
        object_ids=household_ids,
        # Never the names cleared: the log would keep what the anonymisation removed.
        changes=changes_between({"anonymised_on": None}, {"anonymised_on": today}),
    )
    return report
