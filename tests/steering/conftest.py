"""The flows scenario (tests/steering/test_flows.py, test_views.py): four pathways of région 93, three of
them in the Bouches-du-Rhône, over January to April 2024."""

import datetime

import pytest

from pathways import services
from pathways.enums import Composition, SituationKind, Stage
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance

D = datetime.date


@pytest.fixture
def scenario(geo):
    # A: a couple with children from the street, opened in January, housed on 5 March.
    family = HouseholdFactory(composition=Composition.COUPLE_AVEC_ENFANTS, adults=2, children=2)
    a = PathwayFactory(commune=geo.marseille, household=family, opened_on=D(2024, 1, 10), situation=SituationKind.RUE)
    advance(a, *ROAD_TO_ENTREE, on=D(2024, 3, 5))
    # B: opened in December, inactive from 29 February (90 days), back with a contact on 15 April.
    b = PathwayFactory(commune=geo.aix, opened_on=D(2023, 12, 1), situation=SituationKind.CHRS)
    b.refresh_from_db()
    services.contact_record(pathway=b, on=D(2024, 4, 15), kind="entretien", by=None)
    # C: opened on 1 February, lost from view on 20 February.
    c = PathwayFactory(commune=geo.marseille, opened_on=D(2024, 2, 1), situation=SituationKind.CHRS)
    advance(c, Stage.PERDU_DE_VUE, on=D(2024, 2, 20))
    # D: in Nice, another département of the région.
    PathwayFactory(commune=geo.nice, opened_on=D(2024, 1, 20), situation=SituationKind.RUE)
