"""Places objects for the read-logging walk (tests/audit/test_read_logging_walk.py): a site of the walk's
structure with a vacant place, and a place proposed to a household bearing the walk's names."""

import datetime

from pathways.enums import Stage
from places.services import place_create, proposal_create
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import SiteFactory


def places_kwargs(w) -> dict:
    site = SiteFactory(structure=w.accueil, commune=w.geo.marseille, places=2)
    on = datetime.date(2024, 1, 2)
    vacant = place_create(site=site, label="T1", persons_max=2, vacant_from=on, by=None)
    proposed = place_create(site=site, label="T2", persons_max=2, vacant_from=on, by=None)
    household = HouseholdFactory(members=[{"last_name": "Benali", "first_name": "Samir"}])
    pathway = PathwayFactory(household=household, referent_structure=w.accueil, commune=w.geo.marseille, opened_on=on)
    advance(pathway, Stage.ORIENTE, on=on)
    # A second oriented household that fits the vacant place: the matching list shows its name.
    other = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Benali", "first_name": "Samir"}]),
        referent_structure=w.accueil,
        commune=w.geo.marseille,
        opened_on=on,
    )
    advance(other, Stage.ORIENTE, on=on)
    proposal = proposal_create(place=proposed, pathway=pathway, on=datetime.date(2024, 1, 10), by=None)
    return {
        "places:site_detail": {"pk": site.pk},
        "places:place_detail": {"pk": proposed.pk},
        "places:place_free": {"pk": proposed.pk},
        "places:place_unavailable": {"pk": vacant.pk},
        "places:matching": {"pk": vacant.pk},
        "places:propose": {"pk": vacant.pk},
        "places:proposal_answer": {"pk": proposal.pk},
        "places:needs": {"pk": pathway.pk},
    }
