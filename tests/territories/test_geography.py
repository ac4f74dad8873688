import pytest

from territories.geography import load_geography
from territories.models import Arrondissement, Commune, Departement, Epci, Region
from territories.territory import parse_territory


def table_counts():
    return {model.__name__: model.objects.count() for model in (Region, Departement, Epci, Commune, Arrondissement)}


@pytest.mark.django_db
def test_real_geography_loads_once_and_a_second_run_changes_nothing():
    first = load_geography()

    assert table_counts() == {
        "Region": 26,
        "Departement": 109,
        "Epci": 1255,
        "Commune": 34969,
        "Arrondissement": 45,
    }
    assert first["communes"].created == 34969
    assert Commune.objects.filter(region_id="93").count() == 946
    assert Epci.objects.filter(communes__region_id="93").distinct().count() == 52
    assert Commune.objects.filter(epci__isnull=True).count() == 98

    second = load_geography()

    assert {label: (c.created, c.updated) for label, c in second.items()} == {
        "régions": (0, 0),
        "départements": (0, 0),
        "EPCI": (0, 0),
        "communes": (0, 0),
        "arrondissements municipaux": (0, 0),
    }
    assert second["communes"].unchanged == 34969
    assert table_counts()["Commune"] == 34969

    # The parser on the real data: Corsica's letters, an arrondissement standing for its commune.
    assert parse_territory("departement:2A").name == "Corse-du-Sud"
    assert parse_territory("commune:13201").key == "commune:13055"
    region = parse_territory("region:93")
    assert [t.code for t in region.children()] == ["04", "05", "06", "13", "83", "84"]
    assert region.communes().count() == 946


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    counts = load_geography(dry_run=True)

    assert counts["communes"].created == 34969
    assert table_counts() == {"Region": 0, "Departement": 0, "Epci": 0, "Commune": 0, "Arrondissement": 0}
