"""A small reference geography for tests: enough of région 93 and one commune elsewhere."""

from dataclasses import dataclass

from territories.models import Arrondissement, Commune, Departement, Epci, Region


@dataclass
class Geo:
    marseille: Commune
    aix: Commune
    nice: Commune
    antibes: Commune
    avignon: Commune
    toulon: Commune
    gap: Commune
    paris: Commune
    amp: Epci
    nca: Epci
    sophia: Epci
    grand_avignon: Epci


def make_geo() -> Geo:
    paca = Region.objects.create(code="93", name="Provence-Alpes-Côte d'Azur")
    idf = Region.objects.create(code="11", name="Île-de-France")
    deps = {
        code: Departement.objects.create(code=code, name=name, region=region)
        for code, name, region in [
            ("04", "Alpes-de-Haute-Provence", paca),
            ("05", "Hautes-Alpes", paca),
            ("06", "Alpes-Maritimes", paca),
            ("13", "Bouches-du-Rhône", paca),
            ("83", "Var", paca),
            ("84", "Vaucluse", paca),
            ("75", "Paris", idf),
        ]
    }
    epcis = {
        siren: Epci.objects.create(siren=siren, name=name, kind=kind)
        for siren, name, kind in [
            ("200054807", "Métropole d'Aix-Marseille-Provence", "METRO"),
            ("200030195", "Métropole Nice Côte d'Azur", "METRO"),
            ("240600585", "CA de Sophia Antipolis", "CA"),
            ("248400251", "CA du Grand Avignon", "CA"),
            ("248300543", "Métropole Toulon-Provence-Méditerranée", "METRO"),
            ("200067205", "CA Gap-Tallard-Durance", "CA"),
            ("200054781", "Métropole du Grand Paris", "METRO"),
        ]
    }

    def commune(code, name, dep, epci):
        return Commune.objects.create(
            code=code, name=name, departement=deps[dep], region=deps[dep].region, epci=epcis[epci]
        )

    geo = Geo(
        marseille=commune("13055", "Marseille", "13", "200054807"),
        aix=commune("13001", "Aix-en-Provence", "13", "200054807"),
        nice=commune("06088", "Nice", "06", "200030195"),
        antibes=commune("06004", "Antibes", "06", "240600585"),
        avignon=commune("84007", "Avignon", "84", "248400251"),
        toulon=commune("83137", "Toulon", "83", "248300543"),
        gap=commune("05061", "Gap", "05", "200067205"),
        paris=commune("75056", "Paris", "75", "200054781"),
        amp=epcis["200054807"],
        nca=epcis["200030195"],
        sophia=epcis["240600585"],
        grand_avignon=epcis["248400251"],
    )
    Arrondissement.objects.create(code="13201", name="Marseille 1er Arrondissement", commune=geo.marseille)
    Arrondissement.objects.create(code="13208", name="Marseille 8e Arrondissement", commune=geo.marseille)
    return geo
