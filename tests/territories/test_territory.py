import pytest

from pathways.models import Pathway
from territories.models import Departement, Region
from territories.territory import FRANCE, Territory, TerritoryError, parse_territory
from tests.pathways.factories import PathwayFactory
from tests.territories.factories import StructureFactory

MALFORMED = "Territoire « {} » invalide : utilisez france, region:CODE, departement:CODE, epci:SIREN ou commune:CODE."


@pytest.fixture
def corse(geo):
    corse = Region.objects.create(code="94", name="Corse")
    return Departement.objects.create(code="2A", name="Corse-du-Sud", region=corse)


@pytest.mark.parametrize(
    ("text", "kind", "code", "name", "key"),
    [
        ("france", "france", "", "France", "france"),
        (" France ", "france", "", "France", "france"),
        ("region:93", "region", "93", "Provence-Alpes-Côte d'Azur", "region:93"),
        ("departement:13", "departement", "13", "Bouches-du-Rhône", "departement:13"),
        ("departement:2A", "departement", "2A", "Corse-du-Sud", "departement:2A"),
        ("departement:2a", "departement", "2A", "Corse-du-Sud", "departement:2A"),
        ("epci:200054807", "epci", "200054807", "Métropole d'Aix-Marseille-Provence", "epci:200054807"),
        ("commune:13055", "commune", "13055", "Marseille", "commune:13055"),
        ("commune:13201", "commune", "13055", "Marseille", "commune:13055"),
        ("COMMUNE: 06088", "commune", "06088", "Nice", "commune:06088"),
    ],
)
def test_parse_territory(corse, text, kind, code, name, key):
    territory = parse_territory(text)

    assert (territory.kind, territory.code, territory.name, territory.key) == (kind, code, name, key)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("region:99", "Territoire inconnu : aucun(e) région de code « 99 »."),
        ("departement:2C", "Territoire inconnu : aucun(e) département de code « 2C »."),
        ("epci:123456789", "Territoire inconnu : aucun(e) EPCI de code « 123456789 »."),
        ("commune:13299", "Territoire inconnu : aucun(e) commune de code « 13299 »."),
        ("region93", MALFORMED.format("region93")),
        ("ville:13055", MALFORMED.format("ville:13055")),
        ("region:", MALFORMED.format("region:")),
        ("france:93", MALFORMED.format("france:93")),
        ("", MALFORMED.format("")),
    ],
)
def test_parse_territory_refuses_with_a_french_message(corse, text, message):
    with pytest.raises(TerritoryError) as error:
        parse_territory(text)

    assert str(error.value) == message


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_commune_q_selects_the_communes_of_a_territory(geo):
    assert codes(FRANCE.communes()) == ["05061", "06004", "06088", "13001", "13055", "75056", "83137", "84007"]
    assert codes(parse_territory("region:93").communes()) == [
        "05061",
        "06004",
        "06088",
        "13001",
        "13055",
        "83137",
        "84007",
    ]
    assert codes(parse_territory("departement:06").communes()) == ["06004", "06088"]
    assert codes(parse_territory("epci:200054807").communes()) == ["13001", "13055"]
    assert codes(parse_territory("commune:13208").communes()) == ["13055"]


def test_commune_q_follows_a_path_to_the_commune(geo):
    structure = StructureFactory(commune=geo.marseille)
    in_nice = PathwayFactory(commune=geo.nice, referent_structure=structure)
    in_aix = PathwayFactory(commune=geo.aix, referent_structure=structure)
    in_paris = PathwayFactory(commune=geo.paris, referent_structure=structure)

    def selected(code):
        return set(Pathway.objects.filter(parse_territory(code).commune_q("commune")))

    assert selected("region:93") == {in_nice, in_aix}
    assert selected("epci:200030195") == {in_nice}
    assert selected("commune:13001") == {in_aix}
    assert selected("france") == {in_nice, in_aix, in_paris}


def test_children_of_each_kind(geo):
    assert [t.key for t in FRANCE.children()] == ["region:11", "region:93"]
    assert [t.code for t in parse_territory("region:93").children()] == ["04", "05", "06", "13", "83", "84"]
    assert [t.name for t in parse_territory("departement:06").children()] == [
        "CA de Sophia Antipolis",
        "Métropole Nice Côte d'Azur",
    ]
    assert parse_territory("epci:200054807").children() == [
        Territory("commune", "13001", "Aix-en-Provence"),
        Territory("commune", "13055", "Marseille"),
    ]
    assert parse_territory("commune:13055").children() == []
    assert parse_territory("departement:04").children() == []
