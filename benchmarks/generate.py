"""A large synthetic exchange folder: N pathways in the communes of région 93 with realistic histories.

    python -m benchmarks.generate FOLDER [--pathways N] [--seed S] [--today YYYY-MM-DD]

Only the standard library and the packaged geography are used, so the folder can be generated without
a database. Histories follow the stage machine (pathways.enums.TRANSITIONS) and never reach the future.

On average a pathway has 5.4 transitions, 2 situations, 2 contacts and half a support measure (the
volumes of issue 10's measurement: 1,000,000 pathways give 5.4 M transitions, 2 M situations, 2 M
contacts). Rows are written as they are drawn, one pathway at a time, so memory stays flat whatever N;
the same seed and the same `today` give byte-identical files.
"""

import argparse
import bisect
import csv
import gzip
import random
from datetime import date, timedelta
from itertools import accumulate
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
# Plain strings (the enums' members are slower to hash and to write), in the enums' order.
FORWARD = {str(k): str(v) for k, v in FORWARD.items()}
NEXT_CHOICES = {str(stage): sorted(str(s) for s in targets) for stage, targets in TRANSITIONS.items()}
REOPENABLE = (str(Stage.PERDU_DE_VUE), str(Stage.RENONCIATION))
OTHER_HOUSING = [str(k) for k in HousingKind.values if k != HousingKind.PARC_SOCIAL]
SITUATION_KINDS = [str(k) for k in SituationKind.values]
CONTACT_KINDS = [str(k) for k in ContactKind.values]
MEASURE_KINDS = [str(k) for k in MeasureKind.values]
STEPS = [0, 3, 10, 20, 30, 45, 60, 90]
START = date(2018, 1, 1)
COMPOSITIONS = ["personne_seule", "couple_sans_enfant", "famille_monoparentale", "couple_avec_enfants", "autre"]
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


class _Communes:
    """Draws a commune weighted by population; the same draws as `rng.choices(codes, weights)[0]`
    without summing the weights again at every draw."""

    def __init__(self, communes: list[tuple[str, int]]):
        self.codes = [code for code, _ in communes]
        self.cumulative = list(accumulate(population for _, population in communes))
        self.total = self.cumulative[-1] + 0.0
        self.last = len(self.codes) - 1

    def draw(self, rng: random.Random) -> str:
        return self.codes[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


def _next_stage(rng: random.Random, stage: str) -> str:
    forward = FORWARD.get(stage)
    if stage in REOPENABLE:
        return Stage.DEMANDE.value
    if stage == Stage.PROPOSITION and rng.random() < 0.3:
        return Stage.BAIL_SIGNE.value
    if forward and rng.random() < 0.85:
        return forward
    return rng.choice(NEXT_CHOICES[stage])


def _history(rng: random.Random, opened_on: date, today: date, commune: str, landlords: list[str]) -> list[list]:
    """Transition rows (stage, date, housing_kind, housing_commune, landlord, reason)."""
    stage = Stage.DEMANDE.value if rng.random() < 0.6 else Stage.REPERAGE.value
    if rng.random() < 0.15:
        stage = rng.choice([Stage.EVALUATION.value, Stage.ATTENTE_ORIENTATION.value, Stage.ORIENTE.value])
    rows = [[stage, opened_on, "", "", "", ""]]
    on = opened_on
    for _ in range(rng.randint(0, 14)):
        if not NEXT_CHOICES[stage] or (stage in REOPENABLE and rng.random() < 0.8):
            break
        on = on + timedelta(days=rng.choice(STEPS))
        if on > today:
            break
        previous, stage = stage, _next_stage(rng, stage)
        row = [stage, on, "", "", "", ""]
        if stage == Stage.BAIL_SIGNE:
            social = previous == Stage.ATTRIBUE
            row[2] = HousingKind.PARC_SOCIAL.value if social else rng.choice(OTHER_HOUSING)
            row[3] = commune
            row[4] = rng.choice(landlords) if social else ""
        if previous == Stage.ATTRIBUE and stage == Stage.ORIENTE:
            row[5] = "Logement refusé par le ménage"
        rows.append(row)
    return rows


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


class _Files:
    """One CSV writer per file of the folder, each row written at once; counts the rows."""

    def __init__(self, folder: Path, fmts: list[formats.FileFormat]):
        self.handles, self.writers, self.counts = {}, {}, {}
        for fmt in fmts:
            handle = open(folder / fmt.name, "w", encoding="utf-8", newline="", buffering=1 << 20)  # noqa: SIM115
            self.handles[fmt.name] = handle
            self.writers[fmt.name] = csv.writer(handle, lineterminator="\n").writerow
            self.writers[fmt.name](fmt.columns)
            self.counts[fmt.name] = 0

    def writer(self, fmt: formats.FileFormat):
        write, counts, name = self.writers[fmt.name], self.counts, fmt.name

        def add(row) -> None:
            write(row)
            counts[name] += 1

        return add

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


FILES = [
    formats.STRUCTURES,
    formats.SITES,
    formats.HOUSEHOLDS,
    formats.PATHWAYS,
    formats.SITUATIONS,
    formats.TRANSITIONS,
    formats.CONTACTS,
    formats.MEASURES,
    formats.LABELS,
]


def generate(
    folder: str | Path, pathways: int, *, seed: int = 1, today: date | None = None, prefix: str = ""
) -> dict[str, int]:
    """Write the folder; returns the number of rows by file. Every id starts with `prefix`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    today = today or date.today()
    rng = random.Random(seed)
    communes = _Communes(region_communes())
    span = (today - START).days
    files = _Files(folder, FILES)
    try:
        _generate(files, rng, communes, pathways, span, today, prefix)
    finally:
        files.close()
    return dict(files.counts)


def _generate(files: _Files, rng: random.Random, communes: _Communes, pathways: int, span: int, today, prefix):
    structure_kinds, site_kinds = list(StructureKind.values), list(SiteKind.values)
    add_structure = files.writer(formats.STRUCTURES)
    structures = []
    for n in range(1, max(20, pathways // 500) + 1):
        structure = [f"{prefix}S{n}", f"Structure {n}", rng.choice(structure_kinds), communes.draw(rng)]
        structures.append(structure)
        add_structure(structure)
    structure_ids = [row[0] for row in structures]
    landlords = [row[0] for row in structures if row[2] == StructureKind.BAILLEUR_SOCIAL] or structure_ids[:3]
    add_site = files.writer(formats.SITES)
    for n in range(1, max(10, pathways // 200) + 1):
        opened = START + timedelta(days=rng.randrange(span))
        closed = opened + timedelta(days=rng.randrange(365, 2000)) if rng.random() < 0.1 else None
        structure, kind, commune = rng.choice(structure_ids), rng.choice(site_kinds), communes.draw(rng)
        places = rng.randint(1, 40)
        add_site(
            [
                f"{prefix}L{n}",
                structure,
                kind,
                commune,
                places,
                _day(opened),
                _day(closed and closed <= today and closed),
            ]
        )

    add_household, add_pathway = files.writer(formats.HOUSEHOLDS), files.writer(formats.PATHWAYS)
    add_situation, add_transition = files.writer(formats.SITUATIONS), files.writer(formats.TRANSITIONS)
    add_contact, add_measure = files.writer(formats.CONTACTS), files.writer(formats.MEASURES)
    born_from = date(1950, 1, 1)
    for n in range(1, pathways + 1):
        household, pathway = f"{prefix}M{n}", f"{prefix}P{n}"
        opened_on = START + timedelta(days=rng.randrange(span))
        opened_text = opened_on.isoformat()
        composition = rng.choice(COMPOSITIONS)
        adults = 2 if composition.startswith("couple") else 1
        children = rng.randint(1, 4) if "enfant" in composition and "sans" not in composition else 0
        born = born_from + timedelta(days=rng.randrange(365 * 55))
        confidential = "true" if rng.random() < 0.03 else "false"
        add_household(
            [household, composition, adults, children, opened_text, confidential]
            + [rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES), born.isoformat()]
        )
        commune = communes.draw(rng)
        structure = rng.choice(structure_ids)
        add_pathway([pathway, household, structure, commune, opened_text, "true" if rng.random() < 0.1 else "false"])
        for offset in sorted(rng.sample(range(-400, 200), rng.randint(1, 3))):
            since = opened_on + timedelta(days=offset)
            if since <= today:
                add_situation([pathway, rng.choice(SITUATION_KINDS), since.isoformat()])
        history = _history(rng, opened_on, today, commune, landlords)
        for stage, on, housing_kind, housing_commune, landlord, reason in history:
            add_transition([pathway, stage, on.isoformat(), housing_kind, housing_commune, landlord, reason])
        last = history[-1][1]
        for _ in range(rng.randint(0, 4)):
            on = opened_on + timedelta(days=rng.randrange((last - opened_on).days + 30))
            if on <= today:
                add_contact([pathway, on.isoformat(), rng.choice(CONTACT_KINDS)])
        if rng.random() < 0.5:
            started = opened_on + timedelta(days=rng.randrange(0, 120))
            if started <= today:
                ended = started + timedelta(days=rng.randrange(90, 720))
                provider = rng.choice(structure_ids) if rng.random() < 0.8 else ""
                kind = rng.choice(MEASURE_KINDS)
                add_measure(
                    [
                        f"{prefix}A{n}",
                        pathway,
                        kind,
                        provider,
                        started.isoformat(),
                        _day(ended if ended <= today else None),
                    ]
                )
    add_label = files.writer(formats.LABELS)
    for territory, started in LABELS:
        add_label([territory, "mise_en_oeuvre_acceleree", started, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description="Génère un dossier d'échange synthétique (région 93).")
    parser.add_argument("folder")
    parser.add_argument("--pathways", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prefix", default="", help="Préfixe de tous les identifiants.")
    parser.add_argument("--today", type=date.fromisoformat, help="Date du jour des historiques (AAAA-MM-JJ).")
    args = parser.parse_args()
    for name, count in generate(
        args.folder, args.pathways, seed=args.seed, today=args.today, prefix=args.prefix
    ).items():
        print(f"{name} : {count} ligne(s)")


if __name__ == "__main__":
    main()
