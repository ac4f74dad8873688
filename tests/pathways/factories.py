import datetime

import factory

from pathways import services
from pathways.enums import Composition, HousingKind, Relationship, Stage
from pathways.models import Household, Member, Pathway
from tests.territories.factories import CommuneFactory, StructureFactory

# The usual road from a demand to a move-in into social housing.
ROAD_TO_ENTREE = [
    Stage.EVALUATION,
    Stage.ATTENTE_ORIENTATION,
    Stage.ORIENTE,
    Stage.PROPOSITION,
    Stage.CALEOL,
    Stage.ATTRIBUE,
    Stage.BAIL_SIGNE,
    Stage.ENTREE,
]


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    composition = Composition.PERSONNE_SEULE
    adults = 1
    children = 0
    created_on = datetime.date(2020, 1, 1)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if not create:
            return
        for values in extracted or [{"last_name": "Durand", "first_name": "Alex"}]:
            Member.objects.create(household=self, **{"relationship": Relationship.REFERENCE, **values})


class PathwayFactory(factory.django.DjangoModelFactory):
    """A pathway opened through the service. Traits walk it further: `housed=True` ends in `entree`
    after a social-housing lease signed in the pathway's commune."""

    class Meta:
        model = Pathway

    household = factory.SubFactory(HouseholdFactory)
    referent_structure = factory.SubFactory(StructureFactory)
    commune = factory.SubFactory(CommuneFactory)
    opened_on = datetime.date(2020, 1, 1)
    dalo = False
    stage = Stage.DEMANDE
    road = ()

    class Params:
        housed = factory.Trait(road=ROAD_TO_ENTREE)

    @classmethod
    def _create(cls, model_class, *, household, referent_structure, commune, opened_on, dalo, stage, road=(), **kw):
        pathway = services.pathway_open(
            household=household,
            structure=referent_structure,
            commune=commune,
            opened_on=opened_on,
            stage=stage,
            dalo=dalo,
            by=None,
            **kw,
        )
        advance(pathway, *road, on=opened_on)
        return pathway


def advance(pathway: Pathway, *stages: str, on: datetime.date | None = None, **fields) -> Pathway:
    """Record `stages` in order, all on `on` (default: the pathway's current stage date). A
    `bail_signe` gets a social-housing lease in the pathway's commune unless `fields` say otherwise."""
    day = on or pathway.stage_on
    for stage in stages:
        extra = dict(fields)
        if stage == Stage.BAIL_SIGNE:
            extra.setdefault("housing_kind", HousingKind.PARC_SOCIAL)
            extra.setdefault("housing_commune", pathway.commune)
        else:
            extra.pop("housing_kind", None)
            extra.pop("housing_commune", None)
        if pathway.stage == Stage.ATTRIBUE and stage == Stage.ORIENTE:
            extra.setdefault("reason", "Logement refusé par le ménage")
        services.pathway_transition(pathway=pathway, to_stage=stage, on=day, by=None, **extra)
    return pathway
