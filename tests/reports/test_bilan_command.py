import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from pathways.enums import HousingKind, SituationKind, Stage
from territories.enums import SiteKind
from tests.pathways.factories import ROAD_TO_ENTREE, HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import LabelFactory, SiteFactory

CODES = [
    "places_iml_creees",
    "places_pensions_famille_creees",
    "places_iml_ouvertes",
    "places_pensions_famille_ouvertes",
    "attributions_sortants_hebergement",
    "attributions_sans_abri",
    "attributions_total",
    "part_attributions_sans_domicile",
    "entrees_logement",
    "personnes_sans_domicile_logees",
    "delai_median_acces_logement",
    "parcours_ouverts",
    "mesures_accompagnement_ouvertes",
    "menages_accompagnes",
    "ruptures",
    "taux_maintien_12_mois",
    "parcours_actifs_fin_periode",
    "parcours_bloques_fin_periode",
    "territoires_acceleres",
]


def bilan(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("bilan", *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


@pytest.fixture
def small_bilan(geo):
    """Two sites, a labelled metropolis, a household housed from the street and one still waiting."""
    SiteFactory(commune=geo.marseille, kind=SiteKind.IML_SOUS_LOCATION, places=12, opened_on=datetime.date(2019, 3, 1))
    SiteFactory(commune=geo.nice, kind=SiteKind.PENSION_FAMILLE, places=20, opened_on=datetime.date(2016, 3, 1))
    LabelFactory(epci=geo.amp, started_on=datetime.date(2021, 2, 1))
    family = HouseholdFactory(adults=2, children=1)
    housed = PathwayFactory(
        commune=geo.marseille, household=family, opened_on=datetime.date(2020, 1, 1), situation=SituationKind.RUE
    )
    advance(housed, *ROAD_TO_ENTREE[:6], on=datetime.date(2020, 3, 1))
    advance(housed, Stage.BAIL_SIGNE, on=datetime.date(2020, 3, 1), housing_kind=HousingKind.PARC_SOCIAL)
    advance(housed, Stage.ENTREE, on=datetime.date(2020, 3, 11))
    PathwayFactory(commune=geo.aix, opened_on=datetime.date(2022, 1, 1))


def test_json_bilan_prints_every_indicator_of_the_catalogue(small_bilan):
    document = json.loads(
        bilan("--territory", "region:93", "--start", "2018-01-01", "--end", "2022-12-31", "--format", "json")
    )

    assert document == {
        "territory": {"code": "region:93", "name": "Provence-Alpes-Côte d'Azur"},
        "start": "2018-01-01",
        "end": "2022-12-31",
        "indicators": {
            "places_iml_creees": 12,
            "places_pensions_famille_creees": 0,
            "places_iml_ouvertes": 12,
            "places_pensions_famille_ouvertes": 20,
            "attributions_sortants_hebergement": 0,
            "attributions_sans_abri": 1,
            "attributions_total": 1,
            "part_attributions_sans_domicile": 100.0,
            "entrees_logement": 1,
            "personnes_sans_domicile_logees": 3,
            "delai_median_acces_logement": 70.0,
            "parcours_ouverts": 2,
            "mesures_accompagnement_ouvertes": 0,
            "menages_accompagnes": 0,
            "ruptures": 0,
            "taux_maintien_12_mois": 100.0,
            "parcours_actifs_fin_periode": 1,
            "parcours_bloques_fin_periode": 1,
            "territoires_acceleres": 1,
        },
    }
    assert list(document["indicators"]) == CODES


def test_json_is_the_default_format_and_nulls_stay_null(small_bilan):
    document = json.loads(bilan("--territory", "commune:13201", "--start", "2023-01-01", "--end", "2023-12-31"))

    assert document["territory"] == {"code": "commune:13055", "name": "Marseille"}
    assert document["indicators"]["part_attributions_sans_domicile"] is None
    assert document["indicators"]["delai_median_acces_logement"] is None
    assert document["indicators"]["taux_maintien_12_mois"] is None
    assert document["indicators"]["attributions_total"] == 0
    assert document["indicators"]["places_iml_ouvertes"] == 12


def test_csv_bilan_has_one_row_per_indicator(small_bilan):
    output = bilan("--territory", "epci:200054807", "--start", "2018-01-01", "--end", "2022-12-31", "--format", "csv")

    rows = list(csv.reader(io.StringIO(output)))
    assert rows[0] == ["code", "axis", "label", "unit", "value"]
    assert [row[0] for row in rows[1:]] == CODES
    assert rows[1] == ["places_iml_creees", "1", "Places d'intermédiation locative créées", "places", "12"]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["delai_median_acces_logement"][3:] == ["jours", "70.0"]
    assert by_code["part_attributions_sans_domicile"][3:] == ["%", "100.0"]
    assert by_code["places_pensions_famille_ouvertes"][4] == "0"


def test_output_writes_the_bilan_to_a_file(small_bilan, tmp_path):
    target = tmp_path / "bilan.json"
    printed = bilan("--territory", "region:93", "--start", "2018-01-01", "--end", "2022-12-31", "--output", str(target))

    assert printed == ""
    assert json.loads(target.read_text(encoding="utf-8"))["indicators"]["personnes_sans_domicile_logees"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--territory", "region:99", "--start", "2018-01-01", "--end", "2022-12-31"],
            "Territoire inconnu : aucun(e) région de code « 99 ».",
        ),
        (
            ["--territory", "marseille", "--start", "2018-01-01", "--end", "2022-12-31"],
            "Territoire « marseille » invalide : utilisez france, region:CODE, departement:CODE, epci:SIREN ou "
            "commune:CODE.",
        ),
        (
            ["--territory", "region:93", "--start", "2018-02-30", "--end", "2022-12-31"],
            "Date de début invalide : « 2018-02-30 ». Utilisez le format AAAA-MM-JJ.",
        ),
        (
            ["--territory", "region:93", "--start", "2018-01-01", "--end", "31/12/2022"],
            "Date de fin invalide : « 31/12/2022 ». Utilisez le format AAAA-MM-JJ.",
        ),
        (
            ["--territory", "region:93", "--start", "2022-12-31", "--end", "2018-01-01"],
            "Période inversée : la date de fin (01/01/2018) précède la date de début (31/12/2022).",
        ),
    ],
)
def test_bad_input_is_a_clear_french_error(geo, args, message):
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("bilan", *args, stdout=out)
    assert str(error.value) == message
    assert out.getvalue() == ""


def test_a_one_day_period_is_valid(geo):
    document = json.loads(bilan("--territory", "france", "--start", "2020-01-01", "--end", "2020-01-01"))
    assert document["territory"] == {"code": "france", "name": "France"}
    assert set(document["indicators"]) == set(CODES)
