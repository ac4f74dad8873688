import datetime
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pathways.enums import Relationship, Stage
from pathways.integrity import integrity_check
from pathways.models import Assignment, Contact, Household, Measure, Member, Pathway, Situation, Transition
from territories.models import Label, Site, Structure
from tests.exchange.folders import BASE, content, replace_line, write_folder

SUMMARY_FIRST_IMPORT = [
    "structures.csv : 2 créé(s), 0 mis à jour, 0 inchangé(s)",
    "sites.csv : 2 créé(s), 0 mis à jour, 0 inchangé(s)",
    "households.csv : 2 créé(s), 0 mis à jour, 0 inchangé(s)",
    "pathways.csv : 2 créé(s), 0 mis à jour, 0 inchangé(s)",
    "situations.csv : 3 créé(s), 0 mis à jour, 0 inchangé(s)",
    "transitions.csv : 11 créé(s), 0 mis à jour, 0 inchangé(s)",
    "contacts.csv : 3 créé(s), 0 mis à jour, 0 inchangé(s)",
    "measures.csv : 2 créé(s), 0 mis à jour, 0 inchangé(s)",
    "labels.csv : 2 créé(s), 0 mis à jour, 0 inchangé(s)",
]
SUMMARY_UNCHANGED = [
    "structures.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
    "sites.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
    "households.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
    "pathways.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
    "situations.csv : 0 créé(s), 0 mis à jour, 3 inchangé(s)",
    "transitions.csv : 0 créé(s), 0 mis à jour, 11 inchangé(s)",
    "contacts.csv : 0 créé(s), 0 mis à jour, 3 inchangé(s)",
    "measures.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
    "labels.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
]


def run_import(source, *args) -> list[str]:
    out = StringIO()
    call_command("import_exchange", str(source), *args, stdout=out)
    return out.getvalue().splitlines()


def failed_import(source) -> tuple[list[str], str]:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_exchange", str(source), stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines(), str(failure.value)


def nothing_written():
    for model in (Structure, Site, Household, Member, Pathway, Transition, Situation, Contact, Measure, Label):
        assert model.objects.count() == 0, model


def test_import_creates_every_record(geo, tmp_path):
    lines = run_import(write_folder(tmp_path / "in"))

    assert lines[:-1] == SUMMARY_FIRST_IMPORT
    assert lines[-1].startswith("Import terminé en ")
    p1 = Pathway.objects.get(external_id="P1")
    assert (p1.stage, p1.stage_on, p1.last_activity_on) == (
        Stage.ENTREE,
        datetime.date(2020, 6, 15),
        datetime.date(2020, 7, 1),
    )
    assert list(p1.transitions.values_list("seq", "stage")) == [
        (1, "demande"),
        (2, "evaluation"),
        (3, "attente_orientation"),
        (4, "oriente"),
        (5, "proposition"),
        (6, "caleol"),
        (7, "attribue"),
        (8, "bail_signe"),
        (9, "entree"),
    ]
    lease = p1.transitions.get(stage=Stage.BAIL_SIGNE)
    assert (lease.housing_kind, lease.housing_commune_id, lease.landlord.external_id) == ("parc_social", "13055", "S2")
    p2 = Pathway.objects.get(external_id="P2")
    assert (p2.stage, p2.stage_on, p2.last_activity_on, p2.dalo, p2.commune_id) == (
        Stage.ATTENTE_ORIENTATION,
        datetime.date(2020, 3, 1),
        datetime.date(2020, 3, 5),
        True,
        "13001",
    )
    assert p2.household.confidential is True
    assert Structure.objects.get(external_id="S2").commune_id == "13055"  # arrondissement 13201
    assert list(Assignment.objects.order_by("pathway__external_id").values_list("structure__external_id")) == [
        ("S1",),
        ("S1",),
    ]
    member = Member.objects.get(household__external_id="M1")
    assert (member.last_name, member.first_name, member.birth_date, member.relationship, member.search_name) == (
        "Durand",
        "Alex",
        datetime.date(1980, 5, 4),
        Relationship.REFERENCE,
        "durand alex",
    )
    assert list(p1.situations.values_list("situation", "since")) == [
        ("rue", datetime.date(2019, 12, 1)),
        ("chu", datetime.date(2020, 3, 1)),
    ]
    assert (p1.current_situation, p1.current_situation_since) == ("chu", datetime.date(2020, 3, 1))
    assert Measure.objects.get(external_id="A1").provider.external_id == "S1"
    assert Site.objects.get(external_id="L2").closed_on == datetime.date(2023, 12, 31)
    assert sorted(label.territory_code for label in Label.objects.all()) == ["commune:84007", "epci:200054807"]


def test_second_import_changes_nothing(geo, tmp_path):
    folder = write_folder(tmp_path / "in")
    run_import(folder)
    before = list(Transition.objects.values_list("pk", "recorded_at").order_by("pk"))
    versions = list(Pathway.objects.values_list("version", flat=True))

    lines = run_import(folder)

    assert lines[:-1] == SUMMARY_UNCHANGED
    assert list(Transition.objects.values_list("pk", "recorded_at").order_by("pk")) == before
    assert list(Pathway.objects.values_list("version", flat=True)) == versions
    assert Assignment.objects.count() == 2


def test_corrected_import_updates_and_replaces_histories(geo, tmp_path):
    run_import(write_folder(tmp_path / "first"))
    corrected = write_folder(
        tmp_path / "second",
        structures_csv=replace_line("structures.csv", "SIAO 13", "SIAO des Bouches-du-Rhône"),
        transitions_csv=content("transitions.csv") + "P2,oriente,2020-04-02,,,,\n",
        contacts_csv=replace_line("contacts.csv", "P1,2020-07-01,visite\n", ""),
        situations_csv=replace_line("situations.csv", "P1,chu,2020-03-01", "P1,chrs,2020-03-01"),
        households_csv=replace_line("households.csv", "Martin,Léa", "Martin,Lea"),
    )

    lines = run_import(corrected)

    assert lines[:-1] == [
        "structures.csv : 0 créé(s), 1 mis à jour, 1 inchangé(s)",
        "sites.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
        "households.csv : 0 créé(s), 1 mis à jour, 1 inchangé(s)",
        "pathways.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
        "situations.csv : 0 créé(s), 1 mis à jour, 2 inchangé(s)",
        "transitions.csv : 1 créé(s), 0 mis à jour, 11 inchangé(s)",
        "contacts.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s), 1 supprimé(s)",
        "measures.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
        "labels.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)",
    ]
    assert Structure.objects.get(external_id="S1").name == "SIAO des Bouches-du-Rhône"
    p1, p2 = Pathway.objects.order_by("external_id")
    assert (p2.stage, p2.stage_on, p2.last_activity_on, p2.version) == (
        Stage.ORIENTE,
        datetime.date(2020, 4, 2),
        datetime.date(2020, 4, 2),
        2,
    )
    assert list(p2.transitions.values_list("seq", "stage")) == [
        (1, "evaluation"),
        (2, "attente_orientation"),
        (3, "oriente"),
    ]
    # P1 lost its latest contact: its latest activity falls back on the move-in.
    assert (p1.last_activity_on, p1.version) == (datetime.date(2020, 6, 15), 2)
    assert list(p1.situations.values_list("situation", flat=True)) == ["rue", "chrs"]
    assert (p1.current_situation, p1.current_situation_since) == ("chrs", datetime.date(2020, 3, 1))
    assert Member.objects.get(household__external_id="M2").search_name == "martin lea"
    assert Member.objects.count() == 2


def test_corrected_history_replaces_transitions(geo, tmp_path):
    run_import(write_folder(tmp_path / "first"))
    corrected = replace_line("transitions.csv", "P2,attente_orientation,2020-03-01", "P2,renonciation,2020-03-02")

    lines = run_import(write_folder(tmp_path / "second", transitions_csv=corrected))

    assert "transitions.csv : 0 créé(s), 1 mis à jour, 10 inchangé(s)" in lines
    p2 = Pathway.objects.get(external_id="P2")
    assert list(p2.transitions.values_list("seq", "stage", "date")) == [
        (1, "evaluation", datetime.date(2020, 2, 3)),
        (2, "renonciation", datetime.date(2020, 3, 2)),
    ]
    assert (p2.stage, p2.stage_on, p2.last_activity_on) == (
        Stage.RENONCIATION,
        datetime.date(2020, 3, 2),
        datetime.date(2020, 3, 5),
    )


def test_dry_run_writes_nothing(geo, tmp_path):
    lines = run_import(write_folder(tmp_path / "in"), "--dry-run")

    assert lines[:-1] == SUMMARY_FIRST_IMPORT
    assert lines[-1].startswith("Simulation terminée, rien n'a été écrit en ")
    nothing_written()


def test_semicolons_bom_and_french_dates(geo, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in BASE:
        text = content(name).replace(",", ";")
        for iso in sorted(set(__import__("re").findall(r"\d{4}-\d\d-\d\d", text))):
            year, month, day = iso.split("-")
            text = text.replace(iso, f"{day}/{month}/{year}")
        (folder / name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    lines = run_import(folder)

    assert lines[:-1] == SUMMARY_FIRST_IMPORT
    assert Pathway.objects.get(external_id="P1").opened_on == datetime.date(2020, 1, 10)


def test_zip_archive_and_ignored_files(geo, tmp_path):
    folder = write_folder(tmp_path / "export", notes_txt="à lire\n")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.iterdir():
            zipped.write(path, f"export/{path.name}")

    lines = run_import(archive)

    assert lines[0] == "Fichier ignoré : notes.txt"
    assert lines[1:-1] == SUMMARY_FIRST_IMPORT


def test_booleans_and_partial_folder(geo, tmp_path):
    """Every file is optional: a later folder may bring only contacts for imported pathways."""
    run_import(
        write_folder(
            tmp_path / "first",
            pathways_csv=replace_line("pathways.csv", "13001,2020-02-03,true", "13001,2020-02-03,oui"),
        )
    )
    assert Pathway.objects.get(external_id="P2").dalo is True
    folder = tmp_path / "contacts"
    folder.mkdir()
    (folder / "contacts.csv").write_text("pathway,date,kind\nP2,2020-03-05,telephone\nP2,2021-01-04,courrier\n")

    lines = run_import(folder)

    assert lines[:-1] == ["contacts.csv : 1 créé(s), 0 mis à jour, 1 inchangé(s)"]
    p2 = Pathway.objects.get(external_id="P2")
    assert (p2.stage, p2.last_activity_on) == (Stage.ATTENTE_ORIENTATION, datetime.date(2021, 1, 4))
    assert Contact.objects.filter(pathway__external_id="P1").count() == 2


def test_a_situations_file_alone_moves_the_current_situation_of_the_pathways_it_names(geo, tmp_path):
    run_import(write_folder(tmp_path / "first"))
    folder = tmp_path / "situations"
    folder.mkdir()
    (folder / "situations.csv").write_text("pathway,situation,since\nP1,rue,2019-12-01\nP2,squat,2020-01-10\n")

    lines = run_import(folder)

    # P1 keeps only its first situation; P2's squat replaces its hotel_115, although it is older.
    assert lines[:-1] == ["situations.csv : 1 créé(s), 0 mis à jour, 1 inchangé(s), 2 supprimé(s)"]
    current = dict(Pathway.objects.values_list("external_id", "current_situation"))
    assert current == {"P1": "rue", "P2": "squat"}
    assert Pathway.objects.get(external_id="P2").current_situation_since == datetime.date(2020, 1, 10)
    assert integrity_check().ok


def test_the_pathways_take_their_households_composition_even_those_the_folder_does_not_name(geo, tmp_path):
    run_import(write_folder(tmp_path / "first"))
    stored = dict(Household.objects.values_list("external_id", "composition"))
    assert dict(Pathway.objects.values_list("household__external_id", "household_composition")) == stored
    versions = dict(Pathway.objects.values_list("external_id", "version"))
    folder = tmp_path / "households"
    folder.mkdir()
    households = content("households.csv").splitlines()
    (folder / "households.csv").write_text(
        "\n".join(
            [households[0], *(line.replace(stored["M1"], "autre") for line in households[1:] if line.startswith("M1,"))]
        )
        + "\n"
    )

    lines = run_import(folder)

    assert lines[:-1] == ["households.csv : 0 créé(s), 1 mis à jour, 0 inchangé(s)"]
    p1 = Pathway.objects.get(household__external_id="M1")
    assert p1.household_composition == "autre"
    # A household's composition is no change of its pathways: their version stays.
    assert dict(Pathway.objects.values_list("external_id", "version")) == versions
    assert integrity_check().ok


def test_an_import_that_changes_a_household_moves_its_version_on(geo, tmp_path):
    """An edit form opened before the import carries the old version and is refused as stale."""
    run_import(write_folder(tmp_path / "first"))
    versions = dict(Household.objects.values_list("external_id", "version"))

    run_import(
        write_folder(
            tmp_path / "second",
            households_csv=replace_line("households.csv", "M1,personne_seule,1,0", "M1,couple_sans_enfant,2,0"),
        )
    )
    run_import(
        write_folder(
            tmp_path / "third",
            households_csv=replace_line(
                replace_line("households.csv", "M1,personne_seule,1,0", "M1,couple_sans_enfant,2,0"),
                "Martin,Léa",
                "Martin,Lea",
            ),
        )
    )

    after = dict(Household.objects.values_list("external_id", "version"))
    assert after == {"M1": versions["M1"] + 1, "M2": versions["M2"] + 1}
