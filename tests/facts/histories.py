"""Random histories of a few pathways, written through the services (tests of the read model and of the
grouped bilan run)."""

import datetime

from hypothesis import strategies as st

from pathways import services
from pathways.enums import Composition, HousingKind, Relationship, SituationKind, Stage
from pathways.models import Measure
from pathways.stages import allowed_next_stages

START = datetime.date(2021, 1, 1)


OPERATION = st.one_of(
    st.tuples(st.just("move"), st.integers(0, 2), st.integers(0, 12), st.integers(0, 40)),
    st.tuples(
        st.just("situation"), st.integers(0, 2), st.sampled_from(list(SituationKind.values)), st.integers(-30, 400)
    ),
    st.tuples(st.just("measure"), st.integers(0, 2), st.integers(0, 400)),
    st.tuples(st.just("close_measure"), st.integers(0, 2), st.integers(0, 60)),
    st.tuples(st.just("size"), st.integers(0, 2)),
    st.tuples(st.just("contact"), st.integers(0, 2), st.integers(0, 600)),
)


def apply(operation, pathways, geo, days):
    kind, index = operation[0], operation[1]
    pathway = pathways[index]
    pathway.refresh_from_db()
    if kind == "move":
        allowed = allowed_next_stages(pathway.stage)
        if not allowed:
            return
        stage = allowed[operation[2] % len(allowed)]
        days[index] += operation[3]
        fields = {}
        if stage == Stage.BAIL_SIGNE:
            social = pathway.stage == Stage.ATTRIBUE
            fields = {
                "housing_kind": HousingKind.PARC_SOCIAL if social else HousingKind.PENSION_FAMILLE,
                "housing_commune": [geo.marseille, geo.nice, geo.paris][operation[3] % 3],
            }
        services.pathway_transition(
            pathway=pathway, to_stage=stage, on=START + datetime.timedelta(days=days[index]), by=None, **fields
        )
    elif kind == "situation":
        since = START + datetime.timedelta(days=operation[3])
        services.situation_record(pathway=pathway, situation=operation[2], since=since, by=None)
    elif kind == "measure":
        started = START + datetime.timedelta(days=operation[2])
        services.measure_open(pathway=pathway, kind="asll", started_on=started, by=None)
    elif kind == "close_measure":
        measure = Measure.objects.filter(pathway=pathway, ended_on__isnull=True).first()
        if measure:
            ended = measure.started_on + datetime.timedelta(days=operation[2])
            services.measure_close(measure=measure, ended_on=ended, by=None)
    elif kind == "contact":
        on = START + datetime.timedelta(days=operation[2])
        services.contact_record(pathway=pathway, on=on, kind="entretien", by=None)
    elif kind == "size":
        # One more child: the household's size is in the rows of each of its pathways.
        household = pathway.household
        services.household_update(
            household=household,
            members=[{"last_name": "Durand", "first_name": "Lou", "relationship": Relationship.ENFANT}],
            composition=Composition.AUTRE,
            adults=household.adults,
            children=household.children + 1,
            by=None,
        )
