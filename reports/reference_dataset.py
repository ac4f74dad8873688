"""A synthetic exchange folder for Provence-Alpes-Côte d'Azur that reproduces the published bilan.

The DREETS PACA bilan of the first Logement d'abord plan (région 93, 2018-2022) published five figures
(indicators.md, domain.md). `write_reference_dataset` writes an exchange folder (exchange-format.md) whose
bilan for `region:93` over 2018-01-01 to 2022-12-31 gives exactly those figures, surrounded by realistic
records that must *not* be counted, each one a trap for one rule of the definitions (other years, other
régions, asylum situations, cancelled leases, other housing kinds, situations changed on or after the
lease day, sites and labels outside the period or the région, arrondissement codes ...).

Everything is drawn from one seeded random generator, so a seed always gives the same files; the planted
figures do not depend on the seed. Every history is checked with the stage machine's own rules
(pathways/stages.py) while it is generated. Names are invented; no birth dates are written.
"""

import csv
import gzip
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pathways.enums import IMPORT_INITIAL_STAGES, HousingKind, Stage
from pathways.stages import check_transition
from territories.geography import DATA_DIR

PERIOD_START = date(2018, 1, 1)
PERIOD_END = date(2022, 12, 31)
# No record is dated after this day (a fixed day, so that the files never depend on when they are made).
HORIZON = date(2025, 6, 30)
DEFAULT_SEED = 2018

PUBLISHED = {
    "places_iml_creees": 4146,
    "places_pensions_famille_creees": 512,
    "attributions_sortants_hebergement": 3392,
    "attributions_sans_abri": 2101,
    "territoires_acceleres": 5,
}

PACA_DEPARTEMENTS = {"13": 0.45, "06": 0.22, "83": 0.17, "84": 0.10, "04": 0.03, "05": 0.03}
PREFECTURES = {"13": "13055", "06": "06088", "83": "83137", "84": "84007", "04": "04070", "05": "05061"}
YEAR_WEIGHTS = {2018: 0.16, 2019: 0.19, 2020: 0.17, 2021: 0.23, 2022: 0.25}
MARSEILLE = "13055"
MARSEILLE_ARRONDISSEMENTS = [f"132{n:02d}" for n in range(1, 17)]
# Communes of neighbouring régions: Occitanie (Gard, Hérault, Haute-Garonne), Auvergne-Rhône-Alpes.
OUTSIDE_COMMUNES = {
    "30": ["30189", "30007"],
    "34": ["34172", "34301"],
    "31": ["31555"],
    "26": ["26362", "26198"],
    "38": ["38185"],
    "69": ["69123", "69266"],
}
OUTSIDE_STRUCTURE_COMMUNES = {"30": "30189", "34": "34172", "31": "31555", "26": "26362", "38": "38185", "69": "69123"}

LABELS = [
    # (territory, started_on, ended_on): the five territories of the published bilan ...
    ("epci:200030195", date(2018, 5, 25), date(2020, 12, 31)),  # Métropole Nice Côte d'Azur, then renewed:
    ("epci:200030195", date(2021, 1, 1), None),  # the same territory, counted once
    ("epci:240600585", date(2018, 5, 25), None),  # CA de Sophia Antipolis
    ("epci:200054807", date(2021, 4, 15), None),  # Métropole d'Aix-Marseille-Provence
    ("epci:248300543", date(2021, 4, 15), None),  # Métropole Toulon-Provence-Méditerranée
    ("commune:84007", date(2021, 4, 15), None),  # Avignon
    # ... and traps: another région, ended before the period, started after it.
    ("epci:243400017", date(2018, 5, 25), None),  # Montpellier Méditerranée Métropole (Occitanie)
    ("epci:200046977", date(2021, 4, 15), None),  # Métropole de Lyon (Auvergne-Rhône-Alpes)
    ("commune:13004", date(2015, 9, 1), date(2017, 12, 31)),  # Arles, an earlier experiment
    ("epci:248400251", date(2023, 1, 1), None),  # CA du Grand Avignon, second plan
]

SITUATIONS_BY_GROUP = {
    "sans_abri": {"rue": 55, "squat": 20, "habitat_fortune": 15, "bidonville": 10},
    "hebergement": {
        "chu": 30,
        "chrs": 30,
        "hotel_115": 15,
        "alt": 8,
        "abri_nuit": 4,
        "centre_femmes_violences": 5,
        "rhvs": 8,
    },
    "asile": {"dna": 1},
    "tiers": {"chez_tiers": 1},
    "logement_precaire": {
        "menace_expulsion": 40,
        "logement_indigne": 25,
        "suroccupation": 20,
        "caravane": 10,
        "violences": 5,
    },
    "institution": {"sortie_prison": 40, "sortie_hopital": 40, "sortie_ase": 20},
    "logement_foyer": {"residence_sociale": 1},
    "autre": {"autre": 1},
}
# Where a household was before its current situation, by group of the current one.
PRIOR_GROUPS = {
    "sans_abri": {"tiers": 40, "logement_precaire": 30, "hebergement": 20, "institution": 10},
    "hebergement": {"sans_abri": 55, "tiers": 25, "logement_precaire": 10, "asile": 10},
    "asile": {"sans_abri": 50, "hebergement": 50},
    "tiers": {"logement_precaire": 50, "sans_abri": 50},
    "logement_precaire": {"tiers": 100},
    "institution": {"sans_abri": 50, "tiers": 50},
    "logement_foyer": {"hebergement": 60, "tiers": 40},
    "autre": {"tiers": 100},
}
OTHER_GROUPS = {"tiers": 35, "logement_precaire": 35, "institution": 12, "logement_foyer": 12, "autre": 6}
COUNTED_GROUPS = {"hebergement": 60, "sans_abri": 40}

OTHER_HOUSING_KINDS = {
    HousingKind.PARC_PRIVE: 350,
    HousingKind.IML_SOUS_LOCATION: 450,
    HousingKind.IML_MANDAT_GESTION: 200,
    HousingKind.PENSION_FAMILLE: 250,
    HousingKind.RESIDENCE_ACCUEIL: 80,
    HousingKind.RESIDENCE_SOCIALE: 150,
    HousingKind.UN_CHEZ_SOI_DABORD: 90,
    HousingKind.AUTRE: 30,
}

REFUSAL_REASONS = [
    "Logement trop éloigné du lieu de travail",
    "Loyer résiduel trop élevé pour les ressources du ménage",
    "Logement inadapté à la composition familiale",
    "Quartier refusé par le ménage",
    "Étage élevé sans ascenseur, incompatible avec l'état de santé",
]
CANCELLATION_REASONS = [
    "Entrée annulée : logement non livré par le bailleur",
    "Entrée annulée : ouverture des droits APL non obtenue",
    "Entrée annulée : désistement du ménage avant l'état des lieux",
]
NON_ATTRIBUTION_REASONS = ["Non-attribution par la CALEOL", "Candidature classée en rang 2", "Dossier ajourné"]

LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
    "Girard", "Andre", "Mercier", "Blanc", "Guerin", "Boyer", "Garnier", "Chevalier", "Francois", "Legrand",
    "Gauthier", "Perrin", "Robin", "Clement", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier",
    "Benali", "Haddad", "Mansouri", "Diallo", "Traoré", "Ndiaye", "Camara", "Nguyen", "Pereira", "Ferreira",
    "Rossi", "Esposito", "Kovacs", "Popescu", "Amrani", "Bouzid", "Cherif", "Meziane", "Sow", "Baptiste",
]  # fmt: skip
FIRST_NAMES = [
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Sandrine", "Céline", "Aurélie", "Nadia", "Fatima", "Aïcha",
    "Sophie", "Julie", "Amandine", "Laetitia", "Samia", "Mariama", "Elena", "Ioana", "Linh", "Chloé",
    "Jean", "Michel", "Philippe", "Alain", "Patrick", "Nicolas", "Christophe", "Laurent", "Karim", "Mohamed",
    "Rachid", "Mamadou", "Moussa", "Sébastien", "Julien", "Thomas", "Kevin", "Mehdi", "Yacine", "Dimitri",
]  # fmt: skip
ASSOCIATION_NAMES = [
    "Habitat Solidaire {}",
    "Relais Logement {}",
    "Passerelle Insertion {}",
    "Le Toit Partagé {}",
    "Accueil et Logement {}",
]
BAILLEUR_NAMES = ["{} Habitat Social", "Logis {}", "Foyer Provençal {}"]
SITE_KINDS_OTHER = {"residence_sociale": 20, "chrs": 25, "chu": 20, "un_chez_soi_dabord": 4, "lhss": 3, "act": 5}


class PlanError(RuntimeError):
    """The generator produced a history the stage machine refuses: a bug of the generator."""


@dataclass
class Summary:
    """What was planted: rows per file, the figures the bilan must give, and the traps by kind."""

    folder: Path
    seed: int
    rows: dict[str, int]
    expected: dict[str, int]
    traps: dict[str, int]


@dataclass
class Step:
    stage: str
    on: date | None = None  # an anchor: fixed date
    housing_kind: str = ""
    housing_commune: str = ""
    landlord: str = ""
    reason: str = ""


@dataclass
class PathwayPlan:
    id: str
    household: str
    structure: str
    commune: str
    opened_on: date
    dalo: bool = False
    steps: list[Step] = field(default_factory=list)
    situations: list[tuple[str, date]] = field(default_factory=list)
    contacts: list[tuple[date, str]] = field(default_factory=list)


def _gz_rows(name: str):
    with gzip.open(DATA_DIR / name, mode="rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _weighted(rng: random.Random, weights: dict):
    # A plain walk: faster than random.choices for the few keys of these tables.
    point = rng.random() * sum(weights.values())
    for value, weight in weights.items():
        point -= weight
        if point < 0:
            return value
    return value


def _day_in_year(rng: random.Random, year: int) -> date:
    first = date(year, 1, 1)
    return first + timedelta(days=rng.randrange((date(year + 1, 1, 1) - first).days))


class Geography:
    """The communes the dataset draws from: the most populated of each PACA département."""

    def __init__(self):
        by_dep = defaultdict(list)
        for row in _gz_rows("communes.csv.gz"):
            if row["region"] == "93" and row["population"]:
                by_dep[row["departement"]].append((int(row["population"]), row["code"]))
        self.communes = {}
        for dep, rows in by_dep.items():
            rows.sort(reverse=True)
            # Weight by the square root of the population: the big cities lead without emptying the rest.
            self.communes[dep] = {code: population**0.5 for population, code in rows[:15]}

    def commune(self, rng: random.Random, dep: str, *, arrondissement_share: float = 0.7) -> str:
        code = _weighted(rng, self.communes[dep])
        if code == MARSEILLE and rng.random() < arrondissement_share:
            return rng.choice(MARSEILLE_ARRONDISSEMENTS)
        return code

    def near(self, rng: random.Random, dep: str, commune: str) -> str:
        """A dwelling commune for a pathway followed in `commune`: often the same, else in its département."""
        return commune if rng.random() < 0.6 else self.commune(rng, dep)


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.geo = Geography()
        self.structures: list[dict] = []
        self.siao: dict[str, str] = {}
        self.associations: dict[str, list[str]] = defaultdict(list)
        self.bailleurs: dict[str, list[str]] = defaultdict(list)
        self.ccas: dict[str, str] = {}
        self.sites: list[dict] = []
        self.households: list[dict] = []
        self.pathways: list[PathwayPlan] = []
        self.measures: list[dict] = []
        self.traps: Counter = Counter()
        self.ruptures: list[tuple[str, str, str, date]] = []  # (household, dep, commune, date)

    # Structures and sites ----------------------------------------------------------------------

    def make_structures(self):
        deps = list(PACA_DEPARTEMENTS) + list(OUTSIDE_STRUCTURE_COMMUNES)
        for dep in deps:
            seat = PREFECTURES.get(dep) or OUTSIDE_STRUCTURE_COMMUNES[dep]
            self._structure(f"SIAO{dep}", f"SIAO {dep}", "siao", seat)
            self.siao[dep] = f"SIAO{dep}"
            self._structure(f"CCAS{seat}", f"CCAS {seat}", "ccas", seat)
            self.ccas[dep] = f"CCAS{seat}"
            count = 5 if dep == "13" else 3 if dep in ("06", "83", "84") else 1
            for n in range(count):
                sid = f"ASSO{dep}-{n + 1}"
                self._structure(sid, ASSOCIATION_NAMES[n].format(dep), "association", seat)
                self.associations[dep].append(sid)
            for n in range(3 if dep in PACA_DEPARTEMENTS else 1):
                sid = f"BAIL{dep}-{n + 1}"
                self._structure(sid, BAILLEUR_NAMES[n].format(dep), "bailleur_social", seat)
                self.bailleurs[dep].append(sid)
        # Names that say where the structure is, without the code only.
        names = {row["code"]: row["name"] for row in _gz_rows("departements.csv.gz")}
        for structure in self.structures:
            dep = structure["id"].removeprefix("SIAO").removeprefix("CCAS")[:2]
            if structure["kind"] == "siao":
                structure["name"] = f"SIAO {names[dep]}"
            elif structure["kind"] == "ccas":
                structure["name"] = f"CCAS {self._commune_name(structure['commune'])}"
        self._structure("DDETS13", "DDETS des Bouches-du-Rhône", "etat", MARSEILLE)
        self._structure("CD06", "Conseil départemental des Alpes-Maritimes", "conseil_departemental", "06088")

    def _commune_name(self, code: str) -> str:
        if not hasattr(self, "_commune_names"):
            wanted = set(PREFECTURES.values()) | set(OUTSIDE_STRUCTURE_COMMUNES.values())
            self._commune_names = {r["code"]: r["name"] for r in _gz_rows("communes.csv.gz") if r["code"] in wanted}
        return self._commune_names[code]

    def _structure(self, sid: str, name: str, kind: str, commune: str):
        self.structures.append({"id": sid, "name": name, "kind": kind, "commune": commune})

    def _sizes(self, total: int, low: int, high: int) -> list[int]:
        """Random site sizes in [low, high] adding up to exactly `total` (the last one takes the rest)."""
        sizes = []
        while total > 0:
            size = min(self.rng.randint(low, high), total)
            sizes.append(size)
            total -= size
        return sizes

    def _site(self, *, kind: str, dep: str, places: int, opened_on: date, closed_on: date | None = None, commune=""):
        structure = self.rng.choice(
            self.bailleurs[dep] if kind == "residence_sociale" else self.associations[dep] or [self.siao[dep]]
        )
        if not commune:
            commune = self.geo.commune(self.rng, dep, arrondissement_share=0.5) if dep in PACA_DEPARTEMENTS else ""
            commune = commune or self.rng.choice(OUTSIDE_COMMUNES[dep])
        self.sites.append(
            {
                "id": f"SITE{len(self.sites) + 1:04d}",
                "structure": structure,
                "kind": kind,
                "commune": commune,
                "places": places,
                "opened_on": opened_on,
                "closed_on": closed_on,
            }
        )

    def _period_day(self) -> date:
        return _day_in_year(self.rng, _weighted(self.rng, YEAR_WEIGHTS))

    def make_sites(self):
        rng = self.rng
        # Created in the period, in PACA: exactly the published places.
        for total, kinds, low, high in (
            (PUBLISHED["places_iml_creees"], {"iml_sous_location": 65, "iml_mandat_gestion": 35}, 2, 24),
            (PUBLISHED["places_pensions_famille_creees"], {"pension_famille": 75, "residence_accueil": 25}, 12, 28),
        ):
            for size in self._sizes(total, low, high):
                opened_on = self._period_day()
                closed_on = None
                if rng.random() < 0.06:
                    # Closed since: still created in the period.
                    closed_on = min(opened_on + timedelta(days=rng.randint(200, 1500)), HORIZON)
                    self.traps["site_created_then_closed"] += 1
                self._site(
                    kind=_weighted(rng, kinds),
                    dep=_weighted(rng, PACA_DEPARTEMENTS),
                    places=size,
                    opened_on=opened_on,
                    closed_on=closed_on,
                )
        for kind, dep, places, opened_on in (
            ("iml_sous_location", "13", 9, PERIOD_START),
            ("pension_famille", "06", 20, PERIOD_END),
        ):
            self._site(kind=kind, dep=dep, places=places, opened_on=opened_on)
        for arrondissement in ("13201", "13203", "13215"):
            # The arrondissement code stands for Marseille: these count.
            self._site(kind="iml_sous_location", dep="13", places=1, opened_on=date(2019, 3, 1), commune=arrondissement)
            self.traps["site_arrondissement_code"] += 1
        # The extra places of the boundary and arrondissement sites are taken back from the first sites.
        self._rebalance()

        # Traps: opened before or after the period, or outside the région; other kinds of site.
        for _ in range(90):
            kind = _weighted(
                rng, {"iml_sous_location": 50, "iml_mandat_gestion": 25, "pension_famille": 20, "residence_accueil": 5}
            )
            year = rng.choice([2010, 2012, 2014, 2015, 2016, 2017, 2017, 2017, 2023, 2023, 2024])
            opened_on = _day_in_year(rng, year)
            if opened_on > HORIZON:
                opened_on = date(2024, 3, 1)
            closed_on = date(2020, 6, 30) if year < 2017 and rng.random() < 0.2 else None
            self._site(
                kind=kind,
                dep=_weighted(rng, PACA_DEPARTEMENTS),
                places=rng.randint(3, 25),
                opened_on=opened_on,
                closed_on=closed_on,
            )
            self.traps["site_opened_outside_period"] += 1
        for opened_on, kind in ((date(2017, 12, 31), "iml_sous_location"), (date(2023, 1, 1), "pension_famille")):
            self._site(kind=kind, dep="13", places=15, opened_on=opened_on)
            self.traps["site_opened_outside_period"] += 1
        for _ in range(40):
            kind = _weighted(
                rng, {"iml_sous_location": 50, "iml_mandat_gestion": 25, "pension_famille": 20, "residence_accueil": 5}
            )
            self._site(
                kind=kind,
                dep=rng.choice(list(OUTSIDE_COMMUNES)),
                places=rng.randint(3, 25),
                opened_on=self._period_day(),
            )
            self.traps["site_outside_region"] += 1
        for _ in range(80):
            self._site(
                kind=_weighted(rng, SITE_KINDS_OTHER),
                dep=_weighted(rng, PACA_DEPARTEMENTS),
                places=rng.randint(8, 80),
                opened_on=_day_in_year(rng, rng.randint(2005, 2023)),
            )
            self.traps["site_other_kind"] += 1

    def _rebalance(self):
        """Make the created places of PACA add up to the published totals again after fixed sites were added."""
        for kinds, target in (
            (("iml_sous_location", "iml_mandat_gestion"), PUBLISHED["places_iml_creees"]),
            (("pension_famille", "residence_accueil"), PUBLISHED["places_pensions_famille_creees"]),
        ):
            sites = [s for s in self.sites if s["kind"] in kinds]
            excess = sum(s["places"] for s in sites) - target
            for site in sites:
                if excess <= 0:
                    break
                taken = min(site["places"] - 1, excess)
                site["places"] -= taken
                excess -= taken

    # Households and pathways -------------------------------------------------------------------

    def household(self, opened_on: date) -> str:
        rng = self.rng
        composition = _weighted(
            rng,
            {
                "personne_seule": 55,
                "famille_monoparentale": 22,
                "couple_avec_enfants": 12,
                "couple_sans_enfant": 8,
                "autre": 3,
            },
        )
        adults, children = {
            "personne_seule": (1, 0),
            "couple_sans_enfant": (2, 0),
            "famille_monoparentale": (1, rng.randint(1, 4)),
            "couple_avec_enfants": (2, rng.randint(1, 5)),
            "autre": (rng.randint(2, 3), rng.randint(0, 2)),
        }[composition]
        hid = f"M{len(self.households) + 1:06d}"
        self.households.append(
            {
                "id": hid,
                "composition": composition,
                "adults": adults,
                "children": children,
                "created_on": opened_on,
                "confidential": rng.random() < 0.03,
                "last_name": rng.choice(LAST_NAMES),
                "first_name": rng.choice(FIRST_NAMES),
            }
        )
        return hid

    def new_pathway(self, *, dep: str, opened_on: date, commune: str = "", household: str = "") -> PathwayPlan:
        rng = self.rng
        if not commune:
            commune = self.geo.commune(rng, dep) if dep in PACA_DEPARTEMENTS else rng.choice(OUTSIDE_COMMUNES[dep])
        structure = _weighted(
            rng,
            {
                self.siao[dep]: 30,
                self.ccas[dep]: 15,
                **{a: 55 / len(self.associations[dep]) for a in self.associations[dep]},
            },
        )
        plan = PathwayPlan(
            id=f"P{len(self.pathways) + 1:06d}",
            household=household or self.household(opened_on),
            structure=structure,
            commune=commune,
            opened_on=opened_on,
            dalo=rng.random() < 0.08,
        )
        self.pathways.append(plan)
        return plan

    def route(self, *, social: bool, start: str | None = None) -> list[Step]:
        """Pre-housing stages from an initial stage to the one before the lease (`attribue` for social
        housing, `proposition` otherwise), with the usual detours."""
        rng = self.rng
        start = start or _weighted(rng, {Stage.REPERAGE: 50, Stage.DEMANDE: 42, Stage.EVALUATION: 5, Stage.ORIENTE: 3})
        stages = [start]
        if start == Stage.REPERAGE and rng.random() < 0.15:
            stages.append(Stage.ORIENTE)  # direct access
        elif start in (Stage.REPERAGE, Stage.DEMANDE, Stage.EVALUATION):
            if start == Stage.REPERAGE:
                stages.append(Stage.DEMANDE)
            if start != Stage.EVALUATION:
                stages.append(Stage.EVALUATION)
            if rng.random() < 0.1:
                stages += [Stage.DEMANDE, Stage.EVALUATION]  # file incomplete
            stages.append(Stage.ATTENTE_ORIENTATION)
            if rng.random() < 0.08:
                stages += [Stage.EVALUATION, Stage.ATTENTE_ORIENTATION]  # more information asked
            stages.append(Stage.ORIENTE)
        steps = [Step(s) for s in stages]
        if rng.random() < 0.08:
            steps += [Step(Stage.ATTENTE_ORIENTATION), Step(Stage.ORIENTE)]  # orientation refused
        steps.append(Step(Stage.PROPOSITION))
        if rng.random() < 0.12:
            steps += [Step(Stage.ORIENTE), Step(Stage.PROPOSITION)]  # proposal withdrawn
        if not social:
            return steps
        steps.append(Step(Stage.CALEOL))
        if rng.random() < 0.15:
            steps += [
                Step(Stage.ORIENTE, reason=rng.choice(NON_ATTRIBUTION_REASONS)),
                Step(Stage.PROPOSITION),
                Step(Stage.CALEOL),
            ]
        steps.append(Step(Stage.ATTRIBUE))
        if rng.random() < 0.06:
            steps += [
                Step(Stage.ORIENTE, reason=rng.choice(REFUSAL_REASONS)),
                Step(Stage.PROPOSITION),
                Step(Stage.CALEOL),
                Step(Stage.ATTRIBUE),
            ]
        return steps

    def after_move_in(self, plan: PathwayPlan, dep: str) -> list[Step]:
        rng = self.rng
        steps = [Step(Stage.ENTREE)]
        if rng.random() < 0.75:
            steps.append(Step(Stage.MAINTIEN))
        ending = _weighted(
            rng,
            {
                Stage.SORTIE_LOGEE: 45,
                Stage.RUPTURE: 9,
                Stage.PERDU_DE_VUE: 3,
                Stage.HORS_TERRITOIRE: 2,
                Stage.DECES: 1,
                "": 40,
            },
        )
        if ending:
            steps.append(Step(ending))
        return steps

    def lease(self, *, kind: str, dwelling: str, dep: str, on: date | None = None) -> Step:
        landlord = ""
        if kind == HousingKind.PARC_SOCIAL:
            landlord = self.rng.choice(self.bailleurs[dep])
        elif kind in (HousingKind.IML_SOUS_LOCATION, HousingKind.IML_MANDAT_GESTION, HousingKind.PENSION_FAMILLE):
            landlord = self.rng.choice(self.associations[dep])
        return Step(Stage.BAIL_SIGNE, on=on, housing_kind=kind, housing_commune=dwelling, landlord=landlord)

    def date_steps(self, plan: PathwayPlan) -> list[tuple[Step, date]]:
        """Give every step a date: anchored steps keep theirs, steps between anchors are spread between
        them, steps after the last anchor follow at realistic intervals; nothing goes past HORIZON."""
        rng = self.rng
        steps = plan.steps
        steps[0].on = plan.opened_on
        anchors = [i for i, s in enumerate(steps) if s.on]
        dated: list[date | None] = [s.on for s in steps]
        for left, right in zip(anchors, anchors[1:], strict=False):
            span = (steps[right].on - steps[left].on).days
            inner = sorted(rng.randint(0, span) for _ in range(right - left - 1))
            for offset, i in zip(inner, range(left + 1, right), strict=True):
                dated[i] = steps[left].on + timedelta(days=offset)
        gaps = {
            Stage.ENTREE: (0, 45),
            Stage.MAINTIEN: (0, 60),
            Stage.SORTIE_LOGEE: (120, 900),
            Stage.RUPTURE: (60, 700),
            Stage.PERDU_DE_VUE: (90, 400),
            Stage.HORS_TERRITOIRE: (30, 500),
            Stage.DECES: (30, 700),
        }
        result = []
        for i, step in enumerate(steps):
            if dated[i] is None:
                low, high = gaps.get(step.stage, (3, 90))
                dated[i] = result[-1][1] + timedelta(days=rng.randint(low, high))
            if dated[i] > HORIZON:
                break
            result.append((step, dated[i]))
        return result

    def situations(
        self, plan: PathwayPlan, *, at: date, group: str, on_the_day: bool = False, later_group: str = ""
    ) -> None:
        """A situation history whose situation at `at` is in `group`: sometimes a previous situation of
        another group; `on_the_day` makes the last change fall on `at` itself; `later_group` adds a
        change after `at`."""
        rng = self.rng
        first = plan.opened_on - timedelta(days=rng.randint(0, 400) if rng.random() < 0.5 else 0)
        first = min(first, at)
        kinds = []
        if on_the_day or (rng.random() < 0.5 and (at - first).days >= 2):
            prior = _weighted(rng, SITUATIONS_BY_GROUP[_weighted(rng, PRIOR_GROUPS[group])])
            if on_the_day:
                kinds.append((prior, min(first, at - timedelta(days=1))))
                kinds.append((_weighted(rng, SITUATIONS_BY_GROUP[group]), at))
            else:
                kinds.append((prior, first))
                kinds.append(
                    (
                        _weighted(rng, SITUATIONS_BY_GROUP[group]),
                        first + timedelta(days=rng.randint(1, (at - first).days)),
                    )
                )
        else:
            kinds.append((_weighted(rng, SITUATIONS_BY_GROUP[group]), first))
        if later_group:
            later = at + timedelta(days=rng.randint(1, 40))
            if later <= HORIZON:
                kinds.append((_weighted(rng, SITUATIONS_BY_GROUP[later_group]), later))
        plan.situations = kinds

    # Scenarios ---------------------------------------------------------------------------------

    def leased_pathway(
        self,
        *,
        lease_on: date,
        group: str | None,
        dep: str,
        kind: str = HousingKind.PARC_SOCIAL,
        pathway_dep: str = "",
        dwelling_dep: str = "",
        on_the_day: bool = False,
        later_group: str = "",
        cancelled_before: bool = False,
        cancelled_after: date | None = None,
        closed_after_lease: str = "",
        unknown_situation: str = "",
    ) -> PathwayPlan:
        """A pathway whose (last) lease is signed on `lease_on`, with the situation group `group` then."""
        rng = self.rng
        pathway_dep = pathway_dep or dep
        dwelling_dep = dwelling_dep or dep
        span = int(rng.lognormvariate(5.6, 0.6))  # median about 270 days from opening to lease
        opened_on = lease_on - timedelta(days=min(span, 1500))
        if cancelled_before:
            first_lease = lease_on - timedelta(days=rng.randint(40, 160))
            opened_on = min(opened_on, first_lease - timedelta(days=rng.randint(60, 300)))
        plan = self.new_pathway(dep=pathway_dep, opened_on=opened_on)
        if dwelling_dep == pathway_dep and dep in PACA_DEPARTEMENTS:
            dwelling = self.geo.near(rng, dep, plan.commune)
        elif dwelling_dep in PACA_DEPARTEMENTS:
            dwelling = self.geo.commune(rng, dwelling_dep)
        else:
            dwelling = rng.choice(OUTSIDE_COMMUNES[dwelling_dep])
        social = kind == HousingKind.PARC_SOCIAL
        steps = self.route(social=social)
        if cancelled_before:
            # A first social lease, cancelled, then a new attribution and the lease that counts.
            steps += [
                self.lease(
                    kind=kind,
                    dwelling=self.geo.near(rng, dep, dwelling) if dep in PACA_DEPARTEMENTS else dwelling,
                    dep=dwelling_dep,
                    on=first_lease,
                ),
                Step(Stage.ORIENTE, reason=rng.choice(CANCELLATION_REASONS)),
                Step(Stage.PROPOSITION),
                Step(Stage.CALEOL),
                Step(Stage.ATTRIBUE),
            ]
        steps.append(self.lease(kind=kind, dwelling=dwelling, dep=dwelling_dep, on=lease_on))
        if cancelled_after:
            steps.append(Step(Stage.ORIENTE, on=cancelled_after, reason=rng.choice(CANCELLATION_REASONS)))
            steps += [Step(Stage.PROPOSITION)] if rng.random() < 0.5 else [Step(Stage.RENONCIATION)]
        elif closed_after_lease:
            steps.append(Step(closed_after_lease))
        elif lease_on + timedelta(days=45) > HORIZON:
            pass  # signed lately: the move-in is still to come
        else:
            steps += self.after_move_in(plan, dep)
        plan.steps = steps
        if unknown_situation == "after":
            plan.situations = [
                (_weighted(rng, SITUATIONS_BY_GROUP["hebergement"]), lease_on + timedelta(days=rng.randint(1, 30)))
            ]
        elif not unknown_situation:
            self.situations(plan, at=lease_on, group=group, on_the_day=on_the_day, later_group=later_group)
        return plan

    def open_pathway(self, *, dep: str, opened_on: date, household: str = "", commune: str = "") -> PathwayPlan:
        """A pathway without lease: still in a pre-housing stage, or closed before housing, or reopened."""
        rng = self.rng
        plan = self.new_pathway(dep=dep, opened_on=opened_on, household=household, commune=commune)
        steps = self.route(social=rng.random() < 0.7)
        cut = rng.randint(1, len(steps))
        steps = steps[:cut]
        ending = _weighted(
            rng,
            {
                "": 45,
                Stage.PERDU_DE_VUE: 22,
                Stage.RENONCIATION: 12,
                Stage.HORS_TERRITOIRE: 8,
                Stage.DECES: 2,
                "reopened": 11,
            },
        )
        if ending == "reopened":
            steps += [Step(_weighted(rng, {Stage.PERDU_DE_VUE: 70, Stage.RENONCIATION: 30})), Step(Stage.DEMANDE)]
            steps += [Step(s) for s in (Stage.EVALUATION, Stage.ATTENTE_ORIENTATION)[: rng.randint(0, 2)]]
        elif ending:
            steps.append(Step(ending))
        plan.steps = steps
        group = _weighted(
            rng, {"sans_abri": 35, "hebergement": 40, "tiers": 12, "logement_precaire": 8, "asile": 3, "institution": 2}
        )
        self.situations(plan, at=opened_on, group=group)
        return plan

    def plant(self):
        rng = self.rng
        counted = [
            g
            for g, n in (
                ("hebergement", PUBLISHED["attributions_sortants_hebergement"]),
                ("sans_abri", PUBLISHED["attributions_sans_abri"]),
            )
            for _ in range(n)
        ]
        rng.shuffle(counted)
        # Variants of counted attributions, each testing one rule; the rest are ordinary.
        variants = (
            ["on_the_day"] * 70
            + ["later_change"] * 80
            + ["cancelled_before"] * 90
            + ["closed_after_lease"] * 25
            + ["pathway_outside"] * 30
            + ["first_day", "first_day", "last_day", "last_day"]
        )
        for i, group in enumerate(counted):
            variant = variants[i] if i < len(variants) else ""
            dep = _weighted(rng, PACA_DEPARTEMENTS)
            lease_on = {"first_day": PERIOD_START, "last_day": PERIOD_END}.get(variant) or self._period_day()
            options = {}
            if variant == "on_the_day":
                options["on_the_day"] = True
            elif variant == "later_change":
                options["later_group"] = (
                    "hebergement" if group == "sans_abri" else _weighted(rng, {"sans_abri": 50, "tiers": 50})
                )
            elif variant == "cancelled_before":
                options["cancelled_before"] = True
                if lease_on < date(2018, 7, 1):
                    lease_on = date(2018, 7, 1) + timedelta(days=rng.randint(0, 300))
            elif variant == "closed_after_lease":
                options["closed_after_lease"] = _weighted(
                    rng, {Stage.PERDU_DE_VUE: 50, Stage.DECES: 20, Stage.HORS_TERRITOIRE: 30}
                )
            elif variant == "pathway_outside":
                options["pathway_dep"] = rng.choice(["30", "26"])
                options["dwelling_dep"] = "84" if options["pathway_dep"] == "30" else "05"
            if variant:
                self.traps[f"counted_{variant}"] += 1
            self.leased_pathway(lease_on=lease_on, group=group, dep=dep, **options)

        def traps(name: str, count: int, make):
            for _ in range(count):
                make()
                self.traps[name] += 1

        paca = lambda: _weighted(rng, PACA_DEPARTEMENTS)  # noqa: E731
        counted_group = lambda: _weighted(rng, COUNTED_GROUPS)  # noqa: E731
        traps(
            "other_year_2017",
            640,
            lambda: self.leased_pathway(lease_on=_day_in_year(rng, 2017), group=counted_group(), dep=paca()),
        )
        traps(
            "other_year_2023",
            700,
            lambda: self.leased_pathway(lease_on=_day_in_year(rng, 2023), group=counted_group(), dep=paca()),
        )
        for day in (date(2017, 12, 31), date(2023, 1, 1)):
            traps(
                "other_year_boundary",
                3,
                lambda day=day: self.leased_pathway(lease_on=day, group=counted_group(), dep="13"),
            )
        traps(
            "dwelling_outside_region",
            60,
            lambda: self.leased_pathway(
                lease_on=self._period_day(),
                group=counted_group(),
                dep="84",
                dwelling_dep=rng.choice(["30", "34", "26"]),
            ),
        )
        traps(
            "other_region",
            350,
            lambda: self.leased_pathway(
                lease_on=self._period_day(), group=counted_group(), dep=rng.choice(list(OUTSIDE_COMMUNES))
            ),
        )
        traps(
            "asylum_at_lease", 160, lambda: self.leased_pathway(lease_on=self._period_day(), group="asile", dep=paca())
        )
        traps(
            "asylum_at_lease_sheltered_after",
            20,
            lambda: self.leased_pathway(
                lease_on=self._period_day(), group="asile", dep=paca(), later_group="hebergement"
            ),
        )
        traps("cancelled_lease", 110, lambda: self._cancelled(later=False))
        traps("cancelled_lease_in_2023", 12, lambda: self._cancelled(later=True))
        traps(
            "other_group",
            1000,
            lambda: self.leased_pathway(lease_on=self._period_day(), group=_weighted(rng, OTHER_GROUPS), dep=paca()),
        )
        traps(
            "other_group_changed_after_lease",
            40,
            lambda: self.leased_pathway(
                lease_on=self._period_day(), group=_weighted(rng, OTHER_GROUPS), dep=paca(), later_group=counted_group()
            ),
        )
        traps(
            "unknown_situation_none",
            30,
            lambda: self.leased_pathway(lease_on=self._period_day(), group=None, dep=paca(), unknown_situation="none"),
        )
        traps(
            "unknown_situation_after",
            30,
            lambda: self.leased_pathway(lease_on=self._period_day(), group=None, dep=paca(), unknown_situation="after"),
        )
        for kind, count in OTHER_HOUSING_KINDS.items():
            traps(
                f"other_housing_{kind}",
                count,
                lambda kind=kind: self.leased_pathway(
                    lease_on=self._period_day(), group=counted_group(), dep=paca(), kind=kind
                ),
            )
            traps(
                f"other_housing_{kind}_other_year",
                count // 5,
                lambda kind=kind: self.leased_pathway(
                    lease_on=_day_in_year(rng, rng.choice([2017, 2023, 2024])),
                    group=counted_group(),
                    dep=paca(),
                    kind=kind,
                ),
            )

        traps(
            "lease_awaiting_move_in",
            40,
            lambda: self.leased_pathway(
                lease_on=HORIZON - timedelta(days=rng.randint(0, 40)),
                group=counted_group(),
                dep=paca(),
                kind=_weighted(
                    rng, {HousingKind.PARC_SOCIAL: 70, HousingKind.IML_SOUS_LOCATION: 20, HousingKind.PARC_PRIVE: 10}
                ),
            ),
        )

        # Pathways that never reach a lease, opened over the whole span, mostly in PACA.
        for _ in range(3400):
            dep = paca() if rng.random() < 0.95 else rng.choice(list(OUTSIDE_COMMUNES))
            opened_on = date(2016, 1, 1) + timedelta(days=rng.randint(0, (HORIZON - date(2016, 1, 1)).days))
            self.open_pathway(dep=dep, opened_on=opened_on)

    def _cancelled(self, *, later: bool):
        """A social lease in the period, in PACA, cancelled: by an `oriente` dated in 2023 for `later`."""
        rng = self.rng
        if later:
            lease_on = date(2022, 12, 1) + timedelta(days=rng.randint(0, 30))
            cancelled = date(2023, 1, 2) + timedelta(days=rng.randint(0, 40))
        else:
            lease_on = self._period_day()
            cancelled = lease_on + timedelta(days=rng.randint(0, 30))
        self.leased_pathway(
            lease_on=lease_on,
            group=_weighted(rng, COUNTED_GROUPS),
            dep=_weighted(rng, PACA_DEPARTEMENTS),
            cancelled_after=min(cancelled, HORIZON),
        )

    def finish(self):
        """Date the steps, check them with the stage machine, add contacts, measures and the pathways
        reopened after a rupture."""
        pending = list(self.pathways)
        while pending:
            reopened = []
            for plan in pending:
                self._finish_one(plan)
            for household, dep, commune, day in self.ruptures:
                if self.rng.random() < 0.4:
                    opened_on = day + timedelta(days=self.rng.randint(0, 60))
                    if opened_on <= HORIZON:
                        reopened.append(
                            self.open_pathway(dep=dep, opened_on=opened_on, household=household, commune=commune)
                        )
            self.ruptures = []
            pending = reopened

    def _finish_one(self, plan: PathwayPlan):
        rng = self.rng
        dated = self.date_steps(plan)
        previous: tuple[Step, date] | None = None
        for step, on in dated:
            errors = check_transition(
                previous_stage=previous[0].stage if previous else None,
                previous_date=previous[1] if previous else None,
                to_stage=step.stage,
                on=on,
                today=HORIZON,
                opened_on=plan.opened_on,
                housing_kind=step.housing_kind,
                has_housing_commune=bool(step.housing_commune),
                reason=step.reason,
                initial_stages=IMPORT_INITIAL_STAGES,
            )
            if errors:
                raise PlanError(f"{plan.id} {step.stage} {on}: {errors}")
            step.on = on
            previous = (step, on)
        plan.steps = [step for step, _ in dated]
        days = [s for _, s in plan.situations]
        if len(days) != len(set(days)):
            raise PlanError(f"{plan.id}: two situations start on the same day")
        dep = plan.commune[:2]
        last = plan.steps[-1]
        if last.stage == Stage.RUPTURE and dep in PACA_DEPARTEMENTS:
            self.ruptures.append((plan.household, dep, plan.commune, last.on))
        # Contacts between the opening and a little after the latest transition.
        until = min(last.on + timedelta(days=30), HORIZON)
        span = (until - plan.opened_on).days
        plan.contacts = sorted(
            (
                plan.opened_on + timedelta(days=rng.randint(0, span)),
                _weighted(rng, {"entretien": 45, "telephone": 35, "visite": 12, "courrier": 5, "autre": 3}),
            )
            for _ in range(rng.randint(0, 4))
        )
        dep_key = dep if dep in self.associations else "13"
        if rng.random() < 0.45:
            lease = next((s for s in plan.steps if s.stage == Stage.BAIL_SIGNE), None)
            if lease and rng.random() < 0.6:
                kind = _weighted(rng, {"asll": 35, "accompagnement_lda": 30, "gla": 15, "avdl_hors_dalo": 20})
                started_on = lease.on
            else:
                kind = (
                    "avdl_dalo"
                    if plan.dalo
                    else _weighted(
                        rng,
                        {
                            "avdl_hors_dalo": 40,
                            "asg": 30,
                            "diagnostic_social_financier": 15,
                            "un_chez_soi_dabord": 5,
                            "fsl_aide": 10,
                        },
                    )
                )
                started_on = plan.opened_on + timedelta(days=rng.randint(0, 60))
            started_on = min(started_on, HORIZON)
            ended_on = started_on + timedelta(days=rng.randint(90, 730))
            self.measures.append(
                {
                    "id": f"MS{len(self.measures) + 1:06d}",
                    "pathway": plan.id,
                    "kind": kind,
                    "provider": rng.choice(self.associations[dep_key]),
                    "started_on": started_on,
                    "ended_on": ended_on if ended_on <= HORIZON and rng.random() < 0.7 else None,
                }
            )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write(folder: Path, name: str, columns: list[str], rows: list) -> int:
    with open(folder / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return len(rows)


def generate(seed: int = DEFAULT_SEED) -> Generator:
    """The whole dataset in memory."""
    generator = Generator(seed)
    generator.make_structures()
    generator.make_sites()
    generator.plant()
    generator.finish()
    return generator


def write_files(generator: Generator, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    pathways = generator.pathways
    rows = {
        "structures.csv": _write(folder, "structures.csv", ["id", "name", "kind", "commune"], generator.structures),
        "sites.csv": _write(
            folder,
            "sites.csv",
            ["id", "structure", "kind", "commune", "places", "opened_on", "closed_on"],
            generator.sites,
        ),
        "households.csv": _write(
            folder,
            "households.csv",
            ["id", "composition", "adults", "children", "created_on", "confidential", "last_name", "first_name"],
            generator.households,
        ),
        "pathways.csv": _write(
            folder,
            "pathways.csv",
            ["id", "household", "structure", "commune", "opened_on", "dalo"],
            [
                {
                    "id": p.id,
                    "household": p.household,
                    "structure": p.structure,
                    "commune": p.commune,
                    "opened_on": p.opened_on,
                    "dalo": p.dalo,
                }
                for p in pathways
            ],
        ),
        "situations.csv": _write(
            folder,
            "situations.csv",
            ["pathway", "situation", "since"],
            [
                {"pathway": p.id, "situation": kind, "since": since}
                for p in pathways
                for kind, since in sorted(p.situations, key=lambda s: s[1])
            ],
        ),
        "transitions.csv": _write(
            folder,
            "transitions.csv",
            ["pathway", "stage", "date", "housing_kind", "housing_commune", "landlord", "reason"],
            [
                {
                    "pathway": p.id,
                    "stage": s.stage,
                    "date": s.on,
                    "housing_kind": s.housing_kind,
                    "housing_commune": s.housing_commune,
                    "landlord": s.landlord,
                    "reason": s.reason,
                }
                for p in pathways
                for s in p.steps
            ],
        ),
        "contacts.csv": _write(
            folder,
            "contacts.csv",
            ["pathway", "date", "kind"],
            [{"pathway": p.id, "date": day, "kind": kind} for p in pathways for day, kind in p.contacts],
        ),
        "measures.csv": _write(
            folder, "measures.csv", ["id", "pathway", "kind", "provider", "started_on", "ended_on"], generator.measures
        ),
        "labels.csv": _write(
            folder,
            "labels.csv",
            ["territory", "label", "started_on", "ended_on"],
            [
                {"territory": t, "label": "mise_en_oeuvre_acceleree", "started_on": s, "ended_on": e}
                for t, s, e in LABELS
            ],
        ),
    }
    return rows


def write_reference_dataset(folder, seed: int = DEFAULT_SEED) -> Summary:
    """Write the reference exchange folder into `folder` (created if needed) and say what was planted."""
    generator = generate(seed)
    rows = write_files(generator, Path(folder))
    traps = Counter(generator.traps)
    traps["label_other_region"] = 2
    traps["label_ended_before_period"] = 1
    traps["label_started_after_period"] = 1
    traps["label_renewed_same_territory"] = 1
    return Summary(
        folder=Path(folder), seed=seed, rows=rows, expected=dict(PUBLISHED), traps=dict(sorted(traps.items()))
    )
