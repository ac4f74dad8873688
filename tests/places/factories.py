import datetime

from pathways.enums import Stage
from places import services
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import SiteFactory


def make_place(*, site=None, on=datetime.date(2024, 1, 2), label="T2 porte A", **fields):
    """A place created through the service, vacant from `on`."""
    return services.place_create(site=site or SiteFactory(), label=label, vacant_from=on, by=None, **fields)


def oriented_pathway(*, on=datetime.date(2024, 1, 5), adults=1, children=0, **fields):
    """A pathway at stage `oriente` since `on`, for a household of `adults` + `children`."""
    people = [{"last_name": "Durand", "first_name": "Alex", "birth_date": datetime.date(1980, 5, 1)}]
    people += [
        {
            "last_name": "Durand",
            "first_name": f"Adulte {n}",
            "birth_date": datetime.date(1982, 5, 1),
            "relationship": "conjoint",
        }
        for n in range(1, adults)
    ]
    people += [
        {
            "last_name": "Durand",
            "first_name": f"Enfant {n}",
            "birth_date": datetime.date(2016, 5, 1),
            "relationship": "enfant",
        }
        for n in range(children)
    ]
    household = HouseholdFactory(
        adults=adults, children=children, composition=_composition(adults, children), members=people
    )
    pathway = PathwayFactory(household=household, opened_on=on, **fields)
    advance(pathway, Stage.ORIENTE, on=on)
    return pathway


def _composition(adults, children):
    if adults == 1:
        return "personne_seule" if not children else "famille_monoparentale"
    return "couple_sans_enfant" if not children else "couple_avec_enfants"
