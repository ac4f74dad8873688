import csv
from io import StringIO

from django.core.management import call_command

from pathways.enums import Stage
from pathways.models import Pathway
from tests.exchange.folders import BASE, content, write_folder
from tests.exchange.test_import import SUMMARY_UNCHANGED, run_import
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.territories.factories import StructureFactory


def run_export(folder, *args) -> list[str]:
    out = StringIO()
    call_command("export_exchange", str(folder), *args, stdout=out)
    return out.getvalue().splitlines()


def rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_round_trip_gives_the_same_rows(geo, tmp_path):
    source = write_folder(tmp_path / "in")
    run_import(source)

    lines = run_export(tmp_path / "out", "--with-personal-data")

    assert lines[:-1] == [
        "structures.csv : 2 ligne(s)",
        "sites.csv : 2 ligne(s)",
        "households.csv : 2 ligne(s)",
        "pathways.csv : 2 ligne(s)",
        "situations.csv : 3 ligne(s)",
        "transitions.csv : 11 ligne(s)",
        "contacts.csv : 3 ligne(s)",
        "measures.csv : 2 ligne(s)",
        "labels.csv : 2 ligne(s)",
    ]
    for name in BASE:
        expected = list(csv.reader(StringIO(content(name))))
        if name == "structures.csv":
            # The arrondissement code is stored as the commune it stands for.
            expected[2][3] = "13055"
        assert rows(tmp_path / "out" / name) == expected, name
    assert run_import(tmp_path / "out")[:-1] == SUMMARY_UNCHANGED


def test_export_without_personal_data_has_no_names(geo, tmp_path):
    run_import(write_folder(tmp_path / "in"))

    run_export(tmp_path / "out")

    assert rows(tmp_path / "out" / "households.csv") == [
        ["id", "composition", "adults", "children", "created_on", "confidential"],
        ["M1", "personne_seule", "1", "0", "2020-01-01", "false"],
        ["M2", "famille_monoparentale", "1", "2", "2020-02-01", "true"],
    ]
    text = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / "out").iterdir())
    for personal in ("Durand", "Alex", "1980-05-04", "Martin", "Léa"):
        assert personal not in text


def test_records_made_in_the_product_get_their_reference(geo, tmp_path):
    structure = StructureFactory(name="CCAS d'Avignon", commune=geo.avignon)
    pathway = PathwayFactory(
        household=HouseholdFactory(), referent_structure=structure, commune=geo.avignon, stage=Stage.DEMANDE
    )

    run_export(tmp_path / "out")

    reference = f"P-{pathway.pk:06d}"
    assert rows(tmp_path / "out" / "pathways.csv")[1] == [
        reference,
        f"M-{pathway.household_id:06d}",
        f"S-{structure.pk:06d}",
        "84007",
        "2020-01-01",
        "false",
    ]
    assert rows(tmp_path / "out" / "transitions.csv")[1:] == [[reference, "demande", "2020-01-01", "", "", "", ""]]


def test_territory_restricts_pathways_sites_and_labels(geo, tmp_path):
    nice = {
        "structures_csv": content("structures.csv") + "S3,Fondation Nice,association,06088\n",
        "households_csv": content("households.csv") + "M3,personne_seule,1,0,2021-01-01,,,,\n",
        "pathways_csv": content("pathways.csv") + "P3,M3,S3,06088,2021-01-05,\n",
        "transitions_csv": content("transitions.csv") + "P3,reperage,2021-01-05,,,,\n",
        "sites_csv": content("sites.csv") + "L3,S3,pension_famille,06088,20,2021-03-01,\n",
    }
    run_import(write_folder(tmp_path / "in", **nice))
    assert Pathway.objects.count() == 3

    run_export(tmp_path / "out", "--territory", "epci:200054807")

    out = tmp_path / "out"
    assert [row[0] for row in rows(out / "pathways.csv")] == ["id", "P1", "P2"]
    assert [row[0] for row in rows(out / "households.csv")] == ["id", "M1", "M2"]
    assert [row[0] for row in rows(out / "structures.csv")] == ["id", "S1", "S2"]
    assert [row[0] for row in rows(out / "sites.csv")] == ["id", "L1", "L2"]
    assert {row[0] for row in rows(out / "transitions.csv")} == {"pathway", "P1", "P2"}
    assert rows(out / "labels.csv")[1:] == [["epci:200054807", "mise_en_oeuvre_acceleree", "2018-01-01", "2022-12-31"]]


def test_unknown_territory_is_refused(db, tmp_path):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Territoire inconnu : aucun\\(e\\) département de code « 99 »."):
        run_export(tmp_path / "out", "--territory", "departement:99")
