"""The reference dataset: the published PACA bilan 2018-2022 from a synthetic exchange folder.

Two checks of the same figures: an oracle written here that reads the CSV files with the definitions
of indicators.md (independent of the generator's plan and of the product's code), and the product's own
path: `import_exchange` then `bilan`. The traps must be present in the files, or the figures would
prove nothing.
"""

import csv
import gzip
import io
import json
from collections import defaultdict
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from pathways.enums import SITUATION_GROUPS
from reports.reference_dataset import PUBLISHED, write_reference_dataset
from territories.geography import DATA_DIR

START, END = date(2018, 1, 1), date(2022, 12, 31)
IML = {"iml_sous_location", "iml_mandat_gestion"}
PENSIONS = {"pension_famille", "residence_accueil"}


def read(folder, name):
    with open(folder / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def gz(name):
    with gzip.open(DATA_DIR / name, mode="rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Places:
    """Commune code (or arrondissement code) -> (département, région, EPCI), from the carried geography."""

    def __init__(self):
        self.communes = {c["code"]: (c["departement"], c["region"], c["epci"]) for c in gz("communes.csv.gz")}
        for a in gz("arrondissements_municipaux.csv.gz"):
            self.communes[a["code"]] = self.communes[a["commune"]]
        self.departement_region = {d["code"]: d["region"] for d in gz("departements.csv.gz")}

    def inside(self, code, *, region=None, departement=None):
        dep, reg, _ = self.communes[code]
        return (region is None or reg == region) and (departement is None or dep == departement)

    def label_inside(self, territory, *, region):
        kind, code = territory.split(":")
        if kind == "commune":
            return self.inside(code, region=region)
        if kind == "departement":
            return self.departement_region[code] == region
        return any(reg == region for _, reg, epci in self.communes.values() if epci == code)


def oracle(folder, places, **where):
    """The five published indicators computed from the files, as indicators.md defines them."""
    day = date.fromisoformat
    figures = dict.fromkeys(PUBLISHED, 0)
    for site in read(folder, "sites.csv"):
        if START <= day(site["opened_on"]) <= END and places.inside(site["commune"], **where):
            if site["kind"] in IML:
                figures["places_iml_creees"] += int(site["places"])
            elif site["kind"] in PENSIONS:
                figures["places_pensions_famille_creees"] += int(site["places"])
    situations = defaultdict(list)
    for row in read(folder, "situations.csv"):
        situations[row["pathway"]].append((day(row["since"]), row["situation"]))
    histories = defaultdict(list)
    for row in read(folder, "transitions.csv"):
        histories[row["pathway"]].append(row)
    for pathway, rows in histories.items():
        for row, following in zip(rows, rows[1:] + [None], strict=True):
            on = day(row["date"])
            if (
                row["stage"] != "bail_signe"
                or row["housing_kind"] != "parc_social"
                or (following and following["stage"] == "oriente")
                or not START <= on <= END
                or not places.inside(row["housing_commune"], **where)
            ):
                continue
            known = [(since, kind) for since, kind in situations[pathway] if since <= on]
            group = SITUATION_GROUPS[max(known)[1]] if known else None
            if group == "hebergement":
                figures["attributions_sortants_hebergement"] += 1
            elif group == "sans_abri":
                figures["attributions_sans_abri"] += 1
    if "region" in where:
        figures["territoires_acceleres"] = len(
            {
                label["territory"]
                for label in read(folder, "labels.csv")
                if day(label["started_on"]) <= END
                and (not label["ended_on"] or day(label["ended_on"]) >= START)
                and places.label_inside(label["territory"], region=where["region"])
            }
        )
    return figures


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    write_reference_dataset(folder)
    return folder


@pytest.fixture(scope="module")
def places():
    return Places()


def test_the_files_give_the_published_figures(folder, places):
    assert oracle(folder, places, region="93") == PUBLISHED


def test_the_figures_do_not_depend_on_the_seed(tmp_path, places):
    summary = write_reference_dataset(tmp_path, seed=7)
    assert summary.expected == PUBLISHED
    assert oracle(tmp_path, places, region="93") == PUBLISHED


def test_a_seed_always_gives_the_same_files(tmp_path, folder):
    write_reference_dataset(tmp_path)
    for name in ("transitions.csv", "situations.csv", "sites.csv", "households.csv"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()


def test_the_size_is_reasonable(folder):
    assert 10_000 <= len(read(folder, "pathways.csv")) <= 15_000


def _leases(folder):
    """(pathway, lease row, next row or None, situations of the pathway) for every social lease."""
    situations = defaultdict(list)
    for row in read(folder, "situations.csv"):
        situations[row["pathway"]].append((date.fromisoformat(row["since"]), row["situation"]))
    histories = defaultdict(list)
    for row in read(folder, "transitions.csv"):
        histories[row["pathway"]].append(row)
    for pathway, rows in histories.items():
        for row, following in zip(rows, rows[1:] + [None], strict=True):
            if row["stage"] == "bail_signe" and row["housing_kind"] == "parc_social":
                yield pathway, row, following, situations[pathway]


def _situation_at(situations, on):
    known = [(since, kind) for since, kind in situations if since <= on]
    return max(known)[1] if known else None


def test_the_traps_are_in_the_files(folder, places):
    traps = defaultdict(int)
    for _pathway, row, following, situations in _leases(folder):
        on = date.fromisoformat(row["date"])
        in_paca = places.inside(row["housing_commune"], region="93")
        in_period = START <= on <= END
        kind = _situation_at(situations, on)
        if in_period and in_paca and following and following["stage"] == "oriente":
            traps["cancelled"] += 1
            if date.fromisoformat(following["date"]) > END:
                traps["cancelled_after_the_period"] += 1
        if in_period and in_paca and kind == "dna":
            traps["asylum"] += 1
            if any(SITUATION_GROUPS[k] == "hebergement" for since, k in situations if since < on):
                traps["asylum_after_shelter"] += 1
        if in_period and in_paca and any(since == on for since, _ in situations) and len(situations) > 1:
            traps["situation_changed_on_lease_day"] += 1
        if in_period and in_paca and kind and SITUATION_GROUPS[kind] in ("tiers", "logement_precaire"):
            traps["other_group"] += 1
        if in_paca and on.year in (2017, 2023):
            traps["other_year"] += 1
        if in_period and not in_paca:
            traps["outside_region"] += 1
        if row["housing_commune"].startswith("132"):
            traps["marseille_arrondissement"] += 1
    assert all(traps[name] >= 10 for name in ("cancelled", "asylum", "asylum_after_shelter", "other_year")), traps
    assert all(traps[name] >= 10 for name in ("situation_changed_on_lease_day", "other_group", "outside_region")), traps
    assert traps["cancelled_after_the_period"] >= 5, traps
    assert traps["marseille_arrondissement"] >= 100, traps

    leases = read(folder, "transitions.csv")
    other_kinds = {r["housing_kind"] for r in leases if r["stage"] == "bail_signe"} - {"parc_social"}
    assert other_kinds >= {"parc_prive", "iml_sous_location", "iml_mandat_gestion", "pension_famille"}
    sites = read(folder, "sites.csv")
    created = [s for s in sites if s["kind"] in IML | PENSIONS]
    assert any(s["closed_on"] and START <= date.fromisoformat(s["opened_on"]) <= END for s in created)
    assert any(date.fromisoformat(s["opened_on"]).year in (2017, 2023) for s in created)
    assert any(not places.inside(s["commune"], region="93") for s in created)
    assert any(s["commune"].startswith("132") for s in created)
    labels = {label["territory"]: label for label in read(folder, "labels.csv")}
    assert not places.label_inside("epci:243400017", region="93") and "epci:243400017" in labels
    assert labels["commune:13004"]["ended_on"] == "2017-12-31"


def test_departement_13_is_a_part_of_the_region(folder, places):
    region = oracle(folder, places, region="93")
    bouches_du_rhone = oracle(folder, places, departement="13")
    for code in ("places_iml_creees", "attributions_sortants_hebergement", "attributions_sans_abri"):
        assert 0.3 * region[code] < bouches_du_rhone[code] < 0.6 * region[code]


def test_the_command_writes_the_folder_and_refuses_a_non_empty_one(tmp_path):
    target = tmp_path / "reference"
    out = io.StringIO()
    call_command("make_reference_dataset", str(target), stdout=out)
    assert (target / "transitions.csv").exists()
    assert "places_iml_creees : 4146" in out.getvalue()
    with pytest.raises(CommandError) as error:
        call_command("make_reference_dataset", str(target), stdout=io.StringIO())
    assert str(error.value) == f"Le dossier « {target} » n'est pas vide : indiquez un dossier vide ou nouveau."


def _bilan(territory):
    out = io.StringIO()
    call_command("bilan", territory=territory, start="2018-01-01", end="2022-12-31", format="json", stdout=out)
    return json.loads(out.getvalue())["indicators"]


@pytest.mark.django_db(transaction=False)
def test_import_then_bilan_gives_the_published_figures(folder, places):
    call_command("load_geography", stdout=io.StringIO())
    call_command("import_exchange", str(folder), stdout=io.StringIO())
    if connection.vendor == "postgresql":
        # In production autovacuum analyses the tables once the import has committed; inside the test
        # transaction it never does, and the planner, taking the tables for empty, scans them in every
        # correlated subquery (the move-in indicators then take minutes instead of a second).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    region = _bilan("region:93")
    assert {code: region[code] for code in PUBLISHED} == PUBLISHED
    bouches_du_rhone = _bilan("departement:13")
    assert {code: bouches_du_rhone[code] for code in PUBLISHED if code != "territoires_acceleres"} == {
        code: value
        for code, value in oracle(folder, places, departement="13").items()
        if code != "territoires_acceleres"
    }
    for code in (
        "places_iml_creees",
        "attributions_sortants_hebergement",
        "attributions_sans_abri",
        "attributions_total",
    ):
        assert 0 < bouches_du_rhone[code] < region[code]
    # The other indicators have plausible values too.
    for code in (
        "entrees_logement",
        "parcours_ouverts",
        "mesures_accompagnement_ouvertes",
        "ruptures",
        "parcours_actifs_fin_periode",
    ):
        assert region[code] > 100, code
    assert 0 < region["part_attributions_sans_domicile"] < 100
