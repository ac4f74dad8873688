"""A small territory for the coordinators' queue tests: three pathways in the Bouches-du-Rhône (the
coordinator's scope), one in Nice (outside it)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from pathways.enums import Composition, SituationKind, Stage
from pathways.models import Pathway
from territories.models import Structure
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import StructureFactory


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@dataclass
class Scenario:
    coordinator: User
    alpha: Structure
    beta: Structure
    sam: User  # caseworker of Alpha
    lou: User  # caseworker of Beta
    durand: Pathway  # Marseille, Alpha, demande for 100 days (stalled), sans-abri, single
    diallo: Pathway  # Aix, Beta, DALO, attente_orientation for 20 days, hébergement, family
    secret: Pathway  # Marseille, Alpha, confidential household, reperage for 10 days, sans-abri
    nice: Pathway  # outside the coordinator's territory


def make_scenario(geo) -> Scenario:
    alpha = StructureFactory(name="Association Alpha", commune=geo.marseille)
    beta = StructureFactory(name="Bailleur Beta", commune=geo.aix)
    sam = UserFactory(username="sam", first_name="Sam", last_name="Aubert", structures=[alpha])
    lou = UserFactory(username="lou", first_name="Lou", last_name="Bernard", structures=[beta])
    coordinator = UserFactory(username="coord", first_name="Claire", last_name="Coste", coordinator=True)
    durand = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Durand", "first_name": "Alex"}]),
        referent_structure=alpha,
        caseworker=sam,
        commune=geo.marseille,
        opened_on=days_ago(100),
        situation=SituationKind.RUE,
    )
    diallo = PathwayFactory(
        household=HouseholdFactory(
            composition=Composition.FAMILLE_MONOPARENTALE,
            children=2,
            members=[{"last_name": "Diallo", "first_name": "Awa"}],
        ),
        referent_structure=beta,
        caseworker=lou,
        commune=geo.aix,
        opened_on=days_ago(40),
        dalo=True,
        situation=SituationKind.CHRS,
    )
    advance(diallo, Stage.EVALUATION, Stage.ATTENTE_ORIENTATION, on=days_ago(20))
    secret = PathwayFactory(
        household=HouseholdFactory(confidential=True, members=[{"last_name": "Secret", "first_name": "Nina"}]),
        referent_structure=alpha,
        commune=geo.marseille,
        opened_on=days_ago(10),
        stage=Stage.REPERAGE,
        situation=SituationKind.SQUAT,
    )
    nice = PathwayFactory(
        household=HouseholdFactory(members=[{"last_name": "Niçois", "first_name": "Paul"}]),
        referent_structure=StructureFactory(name="Association Azur", commune=geo.nice),
        commune=geo.nice,
        opened_on=days_ago(30),
    )
    for pathway in (durand, diallo, secret, nice):
        pathway.refresh_from_db()
    return Scenario(coordinator, alpha, beta, sam, lou, durand, diallo, secret, nice)
