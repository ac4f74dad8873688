import datetime
from dataclasses import dataclass

import pytest

from accounts.models import User
from pathways import services
from pathways.enums import ContactKind, Stage
from pathways.models import Pathway
from quality.trend import month_ends
from territories.models import Structure
from tests.accounts.factories import UserFactory
from tests.pathways.factories import advance
from tests.quality.files import open_file, today
from tests.territories.factories import StructureFactory


@pytest.fixture
def alpha(geo):
    return StructureFactory(name="Association Alpha", commune=geo.marseille)


@pytest.fixture
def beta(geo):
    return StructureFactory(name="Bailleur Beta", commune=geo.aix)


@dataclass
class Month:
    """Files around the last month end D (month_ends(today)[-1]), in Alpha and Beta (Bouches-du-Rhône) and
    Azur (Nice). Today, Alpha has 5 active files, 3 without problem; Beta 2, none; Azur 1, clean."""

    end: datetime.date  # D
    sam: User  # caseworker of Alpha
    alpha: Structure
    beta: Structure
    azur: Structure
    clean: Pathway  # Alpha, opened D-20: clean at D and today
    stale_at_end: Pathway  # Alpha, opened D-200, a contact on D+1: stale at D, not today
    no_situation: Pathway  # Alpha, opened D-20, no situation: unknown at D and today
    late_after_end: Pathway  # Alpha, opened D-60, a stage of D-40 recorded today by Sam: late today, not at D
    opened_after_end: Pathway  # Alpha, opened D+1: clean today, not there at D
    closed_after_end: Pathway  # Alpha, opened D-50, no situation, closed D+1: active at D, closed today
    closed_before_end: Pathway  # Alpha, opened D-50, closed D-5: never counted
    contact_before: Pathway  # Beta, opened D-10, a contact of D-12: a problem at D and today
    two_problems: Pathway  # Beta, opened D-10, no situation and no birth date: one file, two counts
    nice: Pathway  # Azur, Nice, opened D-10: clean


@pytest.fixture
def month(geo, alpha, beta) -> Month:
    end = month_ends(today())[-1]

    def day(offset: int) -> datetime.date:
        return end + datetime.timedelta(days=offset)

    sam = UserFactory(username="sam", first_name="Sam", last_name="Aubert", structures=[alpha])
    azur = StructureFactory(name="Association Azur", commune=geo.nice)
    clean = open_file(alpha, geo.marseille, opened_on=day(-20))
    stale_at_end = open_file(alpha, geo.marseille, opened_on=day(-200))
    services.contact_record(pathway=stale_at_end, on=day(1), kind=ContactKind.TELEPHONE, by=None)
    no_situation = open_file(alpha, geo.marseille, opened_on=day(-20), situation="")
    late_after_end = open_file(alpha, geo.marseille, opened_on=day(-60))
    services.pathway_transition(pathway=late_after_end, to_stage=Stage.EVALUATION, on=day(-40), by=sam)
    opened_after_end = open_file(alpha, geo.marseille, opened_on=day(1))
    closed_after_end = open_file(alpha, geo.marseille, opened_on=day(-50), situation="")
    advance(closed_after_end, Stage.PERDU_DE_VUE, on=day(1))
    closed_before_end = open_file(alpha, geo.marseille, opened_on=day(-50))
    advance(closed_before_end, Stage.RENONCIATION, on=day(-5))
    contact_before = open_file(beta, geo.aix, opened_on=day(-10))
    services.contact_record(pathway=contact_before, on=day(-12), kind=ContactKind.ENTRETIEN, by=None)
    two_problems = open_file(beta, geo.aix, opened_on=day(-10), situation="", members=[{"last_name": "Sans"}])
    nice = open_file(azur, geo.nice, opened_on=day(-10))
    return Month(
        end,
        sam,
        alpha,
        beta,
        azur,
        clean,
        stale_at_end,
        no_situation,
        late_after_end,
        opened_after_end,
        closed_after_end,
        closed_before_end,
        contact_before,
        two_problems,
        nice,
    )


@pytest.fixture
def snapshots(month):
    """The snapshots of the page's 12 month ends (quality/snapshots.py), as the monthly task leaves them."""
    from quality.snapshots import snapshot_month_ends

    return snapshot_month_ends(month_ends(today()))


@pytest.fixture
def stored_today(month):
    """The figures of today stored (quality/daily.py), as the nightly task leaves them."""
    from quality.daily import snapshot_day

    return snapshot_day(today())
