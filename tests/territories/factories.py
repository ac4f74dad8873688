import datetime

import factory

from territories.enums import LabelKind, SiteKind, StructureKind
from territories.models import Arrondissement, Commune, Departement, Epci, Label, Region, Site, Structure


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "93"
    name = "Provence-Alpes-Côte d'Azur"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ["code"]

    code = "13"
    name = "Bouches-du-Rhône"
    region = factory.SubFactory(RegionFactory)


class EpciFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epci
        django_get_or_create = ["siren"]

    siren = "200054807"
    name = "Métropole d'Aix-Marseille-Provence"
    kind = "METRO"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["code"]

    code = "13055"
    name = "Marseille"
    departement = factory.SubFactory(DepartementFactory)
    region = factory.LazyAttribute(lambda o: o.departement.region)
    epci = factory.SubFactory(EpciFactory)
    population = 870000


class ArrondissementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arrondissement
        django_get_or_create = ["code"]

    code = "13201"
    name = "Marseille 1er Arrondissement"
    commune = factory.SubFactory(CommuneFactory)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Association {n}")
    kind = StructureKind.ASSOCIATION
    commune = factory.SubFactory(CommuneFactory)

    class Params:
        siao = factory.Trait(kind=StructureKind.SIAO, name=factory.Sequence(lambda n: f"SIAO {n}"))
        bailleur = factory.Trait(kind=StructureKind.BAILLEUR_SOCIAL, name=factory.Sequence(lambda n: f"Bailleur {n}"))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    structure = factory.SubFactory(StructureFactory)
    kind = SiteKind.IML_SOUS_LOCATION
    commune = factory.SubFactory(CommuneFactory)
    places = 10
    opened_on = datetime.date(2019, 6, 1)


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label

    kind = LabelKind.MISE_EN_OEUVRE_ACCELEREE
    epci = factory.SubFactory(EpciFactory)
    started_on = datetime.date(2021, 1, 1)
