"""The trend's one SQL query (quality/trend.py) against the definitions of docs/indicateurs.md (« Qualité
des données », Évolution) written out plainly in Python, on random histories written through the services;
and, today, against the checks of quality/checks.py."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways import services
from pathways.enums import CLOSED_STAGES, ContactKind, SituationKind
from pathways.models import Pathway
from pathways.stages import allowed_next_stages
from quality.checks import CHECKS, active, conditions
from quality.trend import month_ends, quality_trend
from tests.accounts.factories import UserFactory
from tests.quality.files import LAG, STALE, open_file, today
from tests.territories.factories import StructureFactory

OPENING = st.tuples(st.integers(0, 500), st.booleans(), st.integers(-20, 20))
OPERATION = st.one_of(
    st.tuples(st.just("move"), st.integers(0, 3), st.integers(0, 12), st.integers(0, 120), st.booleans()),
    st.tuples(st.just("contact"), st.integers(0, 3), st.integers(-30, 500)),
    st.tuples(st.just("situation"), st.integers(0, 3), st.integers(-30, 500)),
    st.tuples(st.just("measure"), st.integers(0, 3), st.integers(-30, 500)),
)


def apply(operation, pathways, person):
    kind, pathway = operation[0], pathways[operation[1]]
    pathway.refresh_from_db()
    day = min(today(), pathway.opened_on + datetime.timedelta(days=operation[2] if kind != "move" else 0))
    if kind == "move":
        allowed = [s for s in allowed_next_stages(pathway.stage) if s != "bail_signe"]
        if not allowed:
            return
        on = min(today(), pathway.stage_on + datetime.timedelta(days=operation[3]))
        by = person if operation[4] else None
        services.pathway_transition(pathway=pathway, to_stage=allowed[operation[2] % len(allowed)], on=on, by=by)
    elif kind == "contact":
        services.contact_record(pathway=pathway, on=day, kind=ContactKind.VISITE, by=None)
    elif kind == "situation":
        services.situation_record(pathway=pathway, situation=SituationKind.SQUAT, since=day, by=None)
    else:
        services.measure_open(pathway=pathway, kind="asll", started_on=day, by=None)


def expected(pathway: Pathway, day: datetime.date) -> tuple[int, int]:
    """(1 if active on `day`, 1 if also without any datable problem on `day`), from the definitions."""
    transitions = sorted(pathway.transitions.all(), key=lambda t: t.seq)
    held = [t for t in transitions if t.date <= day]
    if not held or held[-1].stage in CLOSED_STAGES:
        return 0, 0
    opened = pathway.opened_on
    situations = [s.since for s in pathway.situations.all()]
    contacts = [c.date for c in pathway.contacts.all()]
    measures = [m.started_on for m in pathway.measures.all()]
    steady = bool(situations) and min(situations) <= opened and all(d >= opened for d in contacts + measures)
    activity = max([t.date for t in held] + [d for d in contacts if d <= day])
    fresh = activity >= day - datetime.timedelta(days=STALE)
    late = any(
        t.recorded_by_id is not None
        and day - datetime.timedelta(days=364) <= timezone.localdate(t.recorded_at) <= day
        and (timezone.localdate(t.recorded_at) - t.date).days > LAG
        for t in transitions
    )
    return 1, int(steady and fresh and not late)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(openings=st.lists(OPENING, min_size=4, max_size=4), operations=st.lists(OPERATION, max_size=25))
def test_the_trend_follows_the_definitions(geo, openings, operations):
    with transaction.atomic():
        structures = [StructureFactory(name="Alpha", commune=geo.marseille), StructureFactory(name="Beta")]
        person = UserFactory(username="sam", structures=structures)
        pathways = []
        for n, (ago, situation, offset) in enumerate(openings):
            opened = today() - datetime.timedelta(days=ago)
            since = min(today(), opened + datetime.timedelta(days=offset))
            pathways.append(
                open_file(
                    structures[n % 2],
                    geo.marseille,
                    opened_on=opened,
                    situation=SituationKind.RUE if situation else "",
                    situation_since=since if situation else None,
                )
            )
        for operation in operations:
            try:
                with transaction.atomic():
                    apply(operation, pathways, person)
            except ValidationError:
                pass
        days = [*month_ends(today()), today(), today() + datetime.timedelta(days=200)]
        result = quality_trend(Pathway.objects.all(), days=days, stale=STALE, lag=LAG)
        for structure in structures:
            files = Pathway.objects.filter(referent_structure=structure).prefetch_related(
                "transitions", "situations", "contacts", "measures"
            )
            want = [[expected(p, day) for p in files] for day in days]
            want = [(sum(f for f, _ in row), sum(c for _, c in row)) for row in want]
            got = [(p.files, p.clean) for p in result[structure.pk]] if structure.pk in result else None
            assert got == (want if any(f for f, _ in want) else None), structure.name
        # Today, the trend's clean files are the active ones with none of the datable checks' problems.
        conds = conditions(today=today(), stale=STALE, lag=LAG)
        problem = Q(pk__in=[])
        for check in CHECKS:
            if check.datable:
                problem |= conds[check.code]
        clean_today = Pathway.objects.filter(active()).exclude(problem).count()
        assert sum(points[-2].clean for points in result.values()) == clean_today
        transaction.set_rollback(True)
