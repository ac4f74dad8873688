"""A small, valid exchange folder that each test bends to its case."""

import textwrap
from pathlib import Path

BASE = {
    "structures.csv": """
        id,name,kind,commune
        S1,SIAO 13,siao,13055
        S2,Habitat Marseille,bailleur_social,13201
    """,
    "sites.csv": """
        id,structure,kind,commune,places,opened_on,closed_on
        L1,S1,iml_sous_location,13055,12,2019-06-01,
        L2,S2,pension_famille,13001,25,2020-01-15,2023-12-31
    """,
    "households.csv": """
        id,composition,adults,children,created_on,confidential,last_name,first_name,birth_date
        M1,personne_seule,1,0,2020-01-01,false,Durand,Alex,1980-05-04
        M2,famille_monoparentale,1,2,2020-02-01,true,Martin,Léa,
    """,
    "pathways.csv": """
        id,household,structure,commune,opened_on,dalo
        P1,M1,S1,13055,2020-01-10,false
        P2,M2,S1,13001,2020-02-03,true
    """,
    "situations.csv": """
        pathway,situation,since
        P1,rue,2019-12-01
        P1,chu,2020-03-01
        P2,hotel_115,2020-02-03
    """,
    "transitions.csv": """
        pathway,stage,date,housing_kind,housing_commune,landlord,reason
        P1,demande,2020-01-10,,,,
        P1,evaluation,2020-02-01,,,,
        P1,attente_orientation,2020-03-01,,,,
        P1,oriente,2020-04-01,,,,
        P1,proposition,2020-05-01,,,,
        P1,caleol,2020-05-15,,,,
        P1,attribue,2020-05-15,,,,
        P1,bail_signe,2020-06-01,parc_social,13055,S2,
        P1,entree,2020-06-15,,,,
        P2,evaluation,2020-02-03,,,,
        P2,attente_orientation,2020-03-01,,,,
    """,
    "contacts.csv": """
        pathway,date,kind
        P1,2020-01-10,entretien
        P1,2020-07-01,visite
        P2,2020-03-05,telephone
    """,
    "measures.csv": """
        id,pathway,kind,provider,started_on,ended_on
        A1,P1,avdl_dalo,S1,2020-06-15,2021-06-14
        A2,P2,asll,,2020-03-01,
    """,
    "labels.csv": """
        territory,label,started_on,ended_on
        commune:84007,mise_en_oeuvre_acceleree,2021-01-01,
        epci:200054807,mise_en_oeuvre_acceleree,2018-01-01,2022-12-31
    """,
}


def content(name: str, files: dict | None = None) -> str:
    return textwrap.dedent((files or BASE)[name]).lstrip("\n")


def write_folder(path: Path, **overrides) -> Path:
    """Write BASE with some files replaced (None drops a file); keys use `_` for `.`: pathways_csv."""
    path.mkdir(parents=True, exist_ok=True)
    files = dict(BASE)
    for key, text in overrides.items():
        name = key.replace("_csv", ".csv").replace("_txt", ".txt")
        if text is None:
            files.pop(name, None)
        else:
            files[name] = text
    for name in files:
        (path / name).write_text(content(name, files), encoding="utf-8")
    return path


def replace_line(name_or_text: str, old: str, new: str) -> str:
    """Replace `old` once in a BASE file (by name) or in a text already bent."""
    text = content(name_or_text) if name_or_text in BASE else name_or_text
    assert old in text, old
    return text.replace(old, new, 1)
