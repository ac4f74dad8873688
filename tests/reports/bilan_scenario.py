"""A small région 93 for the bilan pages, exports and runs, 2018-2022, with figures known by heart:

- places: IML 120 in Marseille (2019) and 40 in Nice (2021); pensions de famille 3 in Avignon (2018)
  and 25 in Toulon (2020); IML 50 in Paris (outside);
- social-housing attributions: 6 households leaving a CHRS in Marseille (2019, moved in), 2 from the
  street in Marseille (2020), 1 staying with a third party in Nice (2021);
- accelerated territories: Métropole Nice Côte d'Azur (2018) and Aix-Marseille-Provence (2021).

Every household's reference person is named « Zorglub » so that a test can check no name leaks."""

import datetime

from pathways import services
from pathways.enums import HousingKind, SituationKind, Stage
from territories.enums import SiteKind
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import LabelFactory, SiteFactory

START, END = datetime.date(2018, 1, 1), datetime.date(2022, 12, 31)
SECRET_NAME = "Zorglub"


def housed(commune, situation, *, opened, leased, moved_in=None):
    household = HouseholdFactory(members=[{"last_name": SECRET_NAME, "first_name": "Alix"}])
    pathway = PathwayFactory(commune=commune, opened_on=opened, household=household, situation=situation)
    advance(pathway, *ROAD_TO_ENTREE[:6], on=leased)
    services.pathway_transition(
        pathway=pathway,
        to_stage=Stage.BAIL_SIGNE,
        on=leased,
        by=None,
        housing_kind=HousingKind.PARC_SOCIAL,
        housing_commune=commune,
    )
    if moved_in:
        services.pathway_transition(pathway=pathway, to_stage=Stage.ENTREE, on=moved_in, by=None)
    return pathway


def make_scenario(geo):
    sites = {
        "canebiere": SiteFactory(
            name="Résidence Canebière",
            kind=SiteKind.IML_SOUS_LOCATION,
            commune=geo.marseille,
            places=120,
            opened_on=datetime.date(2019, 6, 1),
        ),
        "nice": SiteFactory(
            name="Agence Nice Solidaire",
            kind=SiteKind.IML_MANDAT_GESTION,
            commune=geo.nice,
            places=40,
            opened_on=datetime.date(2021, 3, 1),
        ),
        "avignon": SiteFactory(
            name="Pension des Papes",
            kind=SiteKind.PENSION_FAMILLE,
            commune=geo.avignon,
            places=3,
            opened_on=datetime.date(2018, 5, 1),
        ),
        "toulon": SiteFactory(
            name="Pension du Port",
            kind=SiteKind.RESIDENCE_ACCUEIL,
            commune=geo.toulon,
            places=25,
            opened_on=datetime.date(2020, 9, 1),
        ),
        "paris": SiteFactory(
            name="IML Paris",
            kind=SiteKind.IML_SOUS_LOCATION,
            commune=geo.paris,
            places=50,
            opened_on=datetime.date(2019, 1, 1),
        ),
    }
    LabelFactory(epci=geo.nca, started_on=datetime.date(2018, 3, 1))
    LabelFactory(epci=geo.amp, started_on=datetime.date(2021, 6, 1))
    sheltered = [
        housed(
            geo.marseille,
            SituationKind.CHRS,
            opened=datetime.date(2019, 1, 10),
            leased=datetime.date(2019, 5, 1),
            moved_in=datetime.date(2019, 6, 1),
        )
        for _ in range(6)
    ]
    street = [
        housed(geo.marseille, SituationKind.RUE, opened=datetime.date(2019, 2, 1), leased=datetime.date(2020, 4, 1))
        for _ in range(2)
    ]
    other = housed(
        geo.nice, SituationKind.CHEZ_TIERS, opened=datetime.date(2020, 1, 1), leased=datetime.date(2021, 2, 1)
    )
    return {"sites": sites, "sheltered": sheltered, "street": street, "other": other}
