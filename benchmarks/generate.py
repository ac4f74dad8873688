"""A large synthetic exchange folder: N pathways in the communes of région 93 with realistic histories.

    python -m benchmarks.generate FOLDER [--pathways N] [--seed S]

Only the standard library and the packaged geography are used, so the folder can be generated without
a database. Histories follow the stage machine (pathways.enums.TRANSITIONS) and never reach the future.
"""

import argparse
import csv
import gzip
import random
from datetime import date, timedelta
from pathlib import Path

from pathways.enums import TRANSITIONS, ContactKind, HousingKind, MeasureKind, SituationKind, Stage
from pathways.exchange import formats
from territories.enums import SiteKind, StructureKind

COMMUNES_FILE = Path(__file__).resolve().parent.parent / "territories" / "data" / "communes.csv.gz"
# The territories labelled in the reference bilan of région 93 (domain.md).
LABELS = [
    ("epci:200030195", "2018-01-01"),
    ("epci:240600585", "2018-01-01"),
    ("epci:200054807", "2021-01-01"),
    ("epci:248300543", "2021-01-01"),
    ("commune:84007", "2021-01-01"),
]
FORWARD = {
    Stage.REPERAGE: Stage.DEMANDE,
    Stage.DEMANDE: Stage.EVALUATION,
    Stage.EVALUATION: Stage.ATTENTE_ORIENTATION,
    Stage.ATTENTE_ORIENTATION: Stage.ORIENTE,
    Stage.ORIENTE: Stage.PROPOSITION,
    Stage.PROPOSITION: Stage.CALEOL,
    Stage.CALEOL: Stage.ATTRIBUE,
    Stage.ATTRIBUE: Stage.BAIL_SIGNE,
    Stage.BAIL_SIGNE: Stage.ENTREE,
    Stage.ENTREE: Stage.MAINTIEN,
    Stage.MAINTIEN: Stage.SORTIE_LOGEE,
}
OTHER_HOUSING = [k for k in HousingKind.values if k != HousingKind.PARC_SOCIAL]
START = date(2018, 1, 1)
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "Benali",
    "Nguyen",
    "Diallo",
    "Rossi",
    "Haddad",
]
FIRST_NAMES = [
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Inès",
    "Karim",
    "Fatou",
    "Jules",
    "Manon",
    "Yanis",
    "Sofia",
    "Éric",
    "Nadia",
    "Paul",
    "Aïcha",
    "Marc",
    "Julie",
    "Omar",
    "Anna",
    "Théo",
]


def region_communes(region: str = "93") -> list[tuple[str, int]]:
    """(INSEE code, population) of the région's communes."""
    with gzip.open(COMMUNES_FILE, "rt", encoding="utf-8") as handle:
        return [(row["code"], int(row["population"] or 1)) for row in csv.DictReader(handle) if row["region"] == region]


def _next_stage(rng: random.Random, stage: str) -> str:
    forward = FORWARD.get(stage)
    if stage in (Stage.PERDU_DE_VUE, Stage.RENONCIATION):
        return Stage.DEMANDE
    if stage == Stage.PROPOSITION and rng.random() < 0.3:
        return Stage.BAIL_SIGNE
    if forward and rng.random() < 0.85:
        return forward
    return rng.choice(sorted(TRANSITIONS[stage]))


def _history(rng: random.Random, opened_on: date, today: date, commune: str, landlords: list[str]) -> list[list]:
    """Transition rows (stage, date, housing_kind, housing_commune, landlord, reason)."""
    stage = Stage.DEMANDE if rng.random() < 0.6 else Stage.REPERAGE
    if rng.random() < 0.15:
        stage = rng.choice([Stage.EVALUATION, Stage.ATTENTE_ORIENTATION, Stage.ORIENTE])
    rows = [[stage, opened_on, "", "", "", ""]]
    on = opened_on
    for _ in range(rng.randint(0, 14)):
        if not TRANSITIONS[stage] or (stage in (Stage.PERDU_DE_VUE, Stage.RENONCIATION) and rng.random() < 0.8):
            break
        on = on + timedelta(days=rng.choice([0, 3, 10, 20, 30, 45, 60, 90]))
        if on > today:
            break
        previous, stage = stage, _next_stage(rng, stage)
        row = [stage, on, "", "", "", ""]
        if stage == Stage.BAIL_SIGNE:
            social = previous == Stage.ATTRIBUE
            row[2] = HousingKind.PARC_SOCIAL if social else rng.choice(OTHER_HOUSING)
            row[3] = commune
            row[4] = rng.choice(landlords) if social else ""
        if previous == Stage.ATTRIBUE and stage == Stage.ORIENTE:
            row[5] = "Logement refusé par le ménage"
        rows.append(row)
    return rows


def _write(folder: Path, fmt: formats.FileFormat, rows) -> None:
    with open(folder / fmt.name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(fmt.columns)
        writer.writerows(
            [v.isoformat() if isinstance(v, date) else v for v in row] if any(isinstance(v, date) for v in row) else row
            for row in rows
        )


def generate(
    folder: str | Path, pathways: int, *, seed: int = 1, today: date | None = None, prefix: str = ""
) -> dict[str, int]:
    """Write the folder; returns the number of rows by file. Every id starts with `prefix`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    today = today or date.today()
    rng = random.Random(seed)
    communes = region_communes()
    codes = [code for code, _ in communes]
    weights = [population for _, population in communes]
    span = (today - START).days

    structures = []
    for n in range(1, max(20, pathways // 500) + 1):
        kind = rng.choice(StructureKind.values)
        structures.append([f"{prefix}S{n}", f"Structure {n}", kind, rng.choices(codes, weights)[0]])
    structure_ids = [row[0] for row in structures]
    landlords = [row[0] for row in structures if row[2] == StructureKind.BAILLEUR_SOCIAL] or structure_ids[:3]
    sites = []
    for n in range(1, max(10, pathways // 200) + 1):
        opened = START + timedelta(days=rng.randrange(span))
        closed = opened + timedelta(days=rng.randrange(365, 2000)) if rng.random() < 0.1 else None
        sites.append(
            [
                f"{prefix}L{n}",
                rng.choice(structure_ids),
                rng.choice(SiteKind.values),
                rng.choices(codes, weights)[0],
                rng.randint(1, 40),
                opened,
                closed if closed and closed <= today else None,
            ]
        )

    households, pathway_rows, situations, transitions, contacts, measures = [], [], [], [], [], []
    compositions = ["personne_seule", "couple_sans_enfant", "famille_monoparentale", "couple_avec_enfants", "autre"]
    situation_kinds = SituationKind.values
    for n in range(1, pathways + 1):
        household, pathway = f"{prefix}M{n}", f"{prefix}P{n}"
        opened_on = START + timedelta(days=rng.randrange(span))
        composition = rng.choice(compositions)
        adults = 2 if composition.startswith("couple") else 1
        children = rng.randint(1, 4) if "enfant" in composition and "sans" not in composition else 0
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        households.append(
            [household, composition, adults, children, opened_on, rng.random() < 0.03]
            + [rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES), born]
        )
        commune = rng.choices(codes, weights)[0]
        pathway_rows.append([pathway, household, rng.choice(structure_ids), commune, opened_on, rng.random() < 0.1])
        days = sorted(rng.sample(range(-400, 200), rng.randint(1, 3)))
        for offset in days:
            since = opened_on + timedelta(days=offset)
            if since <= today:
                situations.append([pathway, rng.choice(situation_kinds), since])
        history = _history(rng, opened_on, today, commune, landlords)
        transitions.extend([pathway, *row] for row in history)
        last = history[-1][1]
        for _ in range(rng.randint(0, 4)):
            on = opened_on + timedelta(days=rng.randrange((last - opened_on).days + 30))
            if on <= today:
                contacts.append([pathway, on, rng.choice(ContactKind.values)])
        if rng.random() < 0.5:
            started = opened_on + timedelta(days=rng.randrange(0, 120))
            if started <= today:
                ended = started + timedelta(days=rng.randrange(90, 720))
                provider = rng.choice(structure_ids) if rng.random() < 0.8 else ""
                measures.append(
                    [
                        f"{prefix}A{n}",
                        pathway,
                        rng.choice(MeasureKind.values),
                        provider,
                        started,
                        ended if ended <= today else None,
                    ]
                )

    files = {
        formats.STRUCTURES: structures,
        formats.SITES: sites,
        formats.HOUSEHOLDS: [[*row[:5], "true" if row[5] else "false", *row[6:]] for row in households],
        formats.PATHWAYS: [[*row[:5], "true" if row[5] else "false"] for row in pathway_rows],
        formats.SITUATIONS: situations,
        formats.TRANSITIONS: transitions,
        formats.CONTACTS: contacts,
        formats.MEASURES: measures,
        formats.LABELS: [[territory, "mise_en_oeuvre_acceleree", started, ""] for territory, started in LABELS],
    }
    for fmt, rows in files.items():
        _write(folder, fmt, rows)
    return {fmt.name: len(rows) for fmt, rows in files.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description="Génère un dossier d'échange synthétique (région 93).")
    parser.add_argument("folder")
    parser.add_argument("--pathways", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for name, count in generate(args.folder, args.pathways, seed=args.seed).items():
        print(f"{name} : {count} ligne(s)")


if __name__ == "__main__":
    main()
