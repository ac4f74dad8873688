"""Each kind of error is reported as file:line: column: message, and nothing is written."""

import pytest

from tests.exchange.folders import content, replace_line, write_folder
from tests.exchange.test_import import failed_import, nothing_written, run_import

CASES = {
    "bad date": (
        {"transitions_csv": replace_line("transitions.csv", "P1,evaluation,2020-02-01", "P1,evaluation,2020-02-30")},
        "transitions.csv:3: date: Date invalide : « 2020-02-30 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA).",
    ),
    "unknown code": (
        {"structures_csv": replace_line("structures.csv", "SIAO 13,siao", "SIAO 13,asso")},
        "structures.csv:2: kind: Type de structure inconnu : « asso ». Valeurs possibles : siao, association, "
        "bailleur_social, ccas, conseil_departemental, etat, collectivite, sante, autre.",
    ),
    "unknown situation": (
        {"situations_csv": replace_line("situations.csv", "P1,rue,", "P1,dehors,")},
        "situations.csv:2: situation: Situation inconnue : « dehors ».",
    ),
    "unknown commune": (
        {"pathways_csv": replace_line("pathways.csv", "S1,13001,", "S1,13999,")},
        "pathways.csv:3: commune: Commune inconnue : code INSEE « 13999 ».",
    ),
    "unknown reference": (
        {"pathways_csv": replace_line("pathways.csv", "P2,M2,", "P2,M9,")},
        "pathways.csv:3: household: Ménage inconnu : « M9 » (ni dans households.csv ni importé auparavant).",
    ),
    "unknown landlord": (
        {"transitions_csv": replace_line("transitions.csv", "13055,S2,", "13055,S7,")},
        "transitions.csv:9: landlord: Structure inconnue : « S7 » (ni dans structures.csv ni importé auparavant).",
    ),
    "forbidden transition": (
        {"transitions_csv": replace_line("transitions.csv", "P2,attente_orientation,", "P2,caleol,")},
        "transitions.csv:12: stage: Passage impossible de « Évaluation sociale » à « Passage en CALEOL ». "
        "Étapes possibles : « Demande enregistrée », « En attente d'orientation », « Clôture : perdu de vue », "
        "« Clôture : renonciation », « Clôture : départ du territoire », « Clôture : décès ».",
    ),
    "initial stage not pre-housing": (
        # The next row follows from the wrong one: one mistake, one error.
        {
            "transitions_csv": replace_line(
                replace_line("transitions.csv", "P2,evaluation,", "P2,entree,"),
                "P2,attente_orientation,",
                "P2,maintien,",
            )
        },
        "transitions.csv:11: stage: Un parcours commence à l'étape « Repérage / premier contact » ou "
        "« Demande enregistrée » ou « Évaluation sociale » ou « En attente d'orientation » ou « Orienté » ou "
        "« Proposition de logement » ou « Passage en CALEOL » ou « Attribution prononcée » ou « Bail signé ».",
    ),
    "first stage not on the opening date": (
        {"transitions_csv": replace_line("transitions.csv", "P2,evaluation,2020-02-03", "P2,evaluation,2020-02-04")},
        "transitions.csv:11: date: La première étape est datée du jour d'ouverture du parcours (03/02/2020).",
    ),
    "date before previous": (
        {"transitions_csv": replace_line("transitions.csv", "P1,evaluation,2020-02-01", "P1,evaluation,2020-01-05")},
        "transitions.csv:3: date: La date ne peut pas précéder celle de l'étape précédente (10/01/2020).",
    ),
    "date in the future": (
        {"contacts_csv": replace_line("contacts.csv", "P2,2020-03-05", "P2,2999-03-05")},
        "contacts.csv:4: date: La date du contact ne peut pas être dans le futur.",
    ),
    "bail_signe without housing_kind": (
        {"transitions_csv": replace_line("transitions.csv", "parc_social,13055", ",13055")},
        "transitions.csv:9: housing_kind: Le type de logement est obligatoire pour un bail signé.",
    ),
    "social housing lease without attribution": (
        {
            "transitions_csv": replace_line(
                "transitions.csv",
                "P1,caleol,2020-05-15,,,,\nP1,attribue,2020-05-15,,,,\n",
                "",
            )
        },
        "transitions.csv:7: housing_kind: Un bail en parc social ne peut suivre qu'une attribution prononcée par "
        "la CALEOL.",
    ),
    "housing_kind on another stage": (
        {
            "transitions_csv": replace_line(
                "transitions.csv", "P1,entree,2020-06-15,,", "P1,entree,2020-06-15,parc_prive,"
            )
        },
        "transitions.csv:10: housing_kind: Le type de logement ne s'indique que pour un bail signé.",
    ),
    "duplicate id": (
        {"households_csv": content("households.csv") + "M1,personne_seule,1,0,2020-01-01,,,,\n"},
        "households.csv:4: id: Identifiant « M1 » en double (déjà utilisé ligne 2).",
    ),
    "duplicate situation day": (
        {"situations_csv": content("situations.csv") + "P1,squat,2019-12-01\n"},
        "situations.csv:5: since: Une situation commence déjà le 01/12/2019 pour ce parcours.",
    ),
    "unknown column": (
        {"contacts_csv": "pathway,date,kind,note\nP1,2020-01-10,entretien,RAS\n"},
        "contacts.csv:1: note: Colonne inconnue. Colonnes possibles : pathway, date, kind.",
    ),
    "missing required column": (
        {"contacts_csv": "pathway,date\nP1,2020-01-10\n"},
        "contacts.csv:1: kind: Colonne obligatoire absente.",
    ),
    "adults 0": (
        {"households_csv": replace_line("households.csv", "personne_seule,1,0", "personne_seule,0,0")},
        "households.csv:2: adults: La valeur doit être au moins 1 (et non 0).",
    ),
    "not a number": (
        {"sites_csv": replace_line("sites.csv", "13055,12,", "13055,douze,")},
        "sites.csv:2: places: Nombre entier attendu : « douze ».",
    ),
    "closed_on before opened_on": (
        {"sites_csv": replace_line("sites.csv", "2020-01-15,2023-12-31", "2020-01-15,2019-12-31")},
        "sites.csv:3: closed_on: La date de fermeture précède la date d'ouverture.",
    ),
    "measure ended before it started": (
        {"measures_csv": replace_line("measures.csv", "2020-06-15,2021-06-14", "2020-06-15,2020-06-14")},
        "measures.csv:2: ended_on: La date de fin précède la date de début de la mesure.",
    ),
    "bad boolean": (
        {"pathways_csv": replace_line("pathways.csv", "2020-01-10,false", "2020-01-10,peut-être")},
        "pathways.csv:2: dalo: Valeur invalide : « peut-être » (attendu oui/non, true/false ou 1/0).",
    ),
    "empty required cell": (
        {"structures_csv": replace_line("structures.csv", "S2,Habitat Marseille,", "S2,,")},
        "structures.csv:3: name: Valeur obligatoire.",
    ),
    "refusal without reason": (
        {
            "transitions_csv": replace_line(
                "transitions.csv",
                "P1,bail_signe,2020-06-01,parc_social,13055,S2,\nP1,entree,2020-06-15,,,,\n",
                "P1,oriente,2020-06-01,,,,\n",
            )
        },
        "transitions.csv:9: reason: Le motif du refus par le ménage est obligatoire.",
    ),
    "pathway without history": (
        {
            "transitions_csv": replace_line(
                "transitions.csv", "P2,evaluation,2020-02-03,,,,\nP2,attente_orientation,2020-03-01,,,,\n", ""
            )
        },
        "pathways.csv:3: id: Ce parcours n'a aucune étape dans transitions.csv (la première est son étape initiale).",
    ),
    "unknown label territory": (
        {"labels_csv": replace_line("labels.csv", "epci:200054807", "epci:999999999")},
        "labels.csv:3: territory: Territoire inconnu : « epci:999999999 ».",
    ),
}


@pytest.mark.parametrize(("files", "expected"), list(CASES.values()), ids=list(CASES))
def test_each_error_is_reported_and_nothing_written(geo, tmp_path, files, expected):
    errors, summary = failed_import(write_folder(tmp_path / "in", **files))

    assert errors == [expected]
    assert summary == "1 erreur(s) : rien n'a été importé."
    nothing_written()


def test_not_utf8(geo, tmp_path):
    folder = write_folder(tmp_path / "in")
    (folder / "structures.csv").write_bytes(content("structures.csv").replace("SIAO", "Sécurité").encode("latin-1"))

    errors, _ = failed_import(folder)

    assert errors[0] == "structures.csv:1: -: Le fichier n'est pas encodé en UTF-8."
    nothing_written()


def test_every_error_is_reported_together(geo, tmp_path):
    folder = write_folder(
        tmp_path / "in",
        households_csv=replace_line("households.csv", "personne_seule,1,0", "personne_seule,0,0"),
        transitions_csv=replace_line(
            replace_line("transitions.csv", "P1,evaluation,2020-02-01", "P1,evaluation,2020-01-05"),
            "P2,attente_orientation,",
            "P2,caleol,",
        ),
        contacts_csv="pathway,date,kind,note\nP9,10/01/2020,appel,\n",
    )

    errors, summary = failed_import(folder)

    assert errors == [
        "households.csv:2: adults: La valeur doit être au moins 1 (et non 0).",
        "transitions.csv:3: date: La date ne peut pas précéder celle de l'étape précédente (10/01/2020).",
        "transitions.csv:12: stage: Passage impossible de « Évaluation sociale » à « Passage en CALEOL ». "
        "Étapes possibles : « Demande enregistrée », « En attente d'orientation », « Clôture : perdu de vue », "
        "« Clôture : renonciation », « Clôture : départ du territoire », « Clôture : décès ».",
        "contacts.csv:1: note: Colonne inconnue. Colonnes possibles : pathway, date, kind.",
        "contacts.csv:2: pathway: Parcours inconnu : « P9 » (ni dans pathways.csv ni importé auparavant).",
        "contacts.csv:2: kind: Type de contact inconnu : « appel ». Valeurs possibles : entretien, telephone, "
        "visite, courrier, autre.",
    ]
    assert summary == "6 erreur(s) : rien n'a été importé."
    nothing_written()


def test_errors_leave_earlier_imports_untouched(geo, tmp_path):
    run_import(write_folder(tmp_path / "first"))
    broken = write_folder(
        tmp_path / "second",
        structures_csv=replace_line("structures.csv", "SIAO 13", "SIAO renommé"),
        sites_csv=replace_line("sites.csv", "13055,12,", "13055,0,"),
    )

    errors, _ = failed_import(broken)

    assert errors == ["sites.csv:2: places: La valeur doit être au moins 1 (et non 0)."]
    from territories.models import Structure

    assert Structure.objects.get(external_id="S1").name == "SIAO 13"


def test_missing_folder(db, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="est introuvable"):
        call_command("import_exchange", str(tmp_path / "absent"))
