"""Synthetic demo data for Provence-Alpes-Côte d'Azur (région 93), for `manage.py seed_demo`.

Reference data (structures, sites, labels, accounts) is written with the ORM; every household and pathway
write goes through pathways.services, so the demo obeys the same rules as the product. The same seed gives
the same data (one random.Random; "today" is only the upper bound of dates). Demo structures carry an
`external_id` starting with "demo:": when one exists the demo is considered loaded and nothing is written.
Names of people and organisations are fictitious.
"""

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.groups import reference_data_group
from accounts.models import User
from accounts.second_factor import device_set
from notifications.services import without_emails
from pathways import services
from pathways.enums import (
    CLOSED_STAGES,
    HOUSED_STAGES,
    PRE_HOUSING_STAGES,
    STALL_THRESHOLDS,
    Composition,
    ContactKind,
    HousingKind,
    MeasureKind,
    OrientationTarget,
    Relationship,
    SituationKind,
    Stage,
)
from pathways.models import Pathway
from territories.enums import LabelKind, SiteKind, StructureKind
from territories.models import Commune, Departement, Epci, Label, Region, Site, Structure
from territories.wording import of_place

MARKER = "demo:"
ADMINISTRATOR = {
    "username": "administration",
    "first_name": "Luc",
    "last_name": "Fabre",
    "role": Role.ADMINISTRATOR,
    "territories": "region:93",
    "is_staff": True,
}
PASSWORD = "demo-parcours-2026"
# The second factor of the `administration` and `admin` accounts: base32 of "Parcours demo 2FA!!!", to
# enter in an authenticator app (README.md).
TOTP_SECRET = "KBQXEY3POVZHGIDEMVWW6IBSIZASCIJB"
REGION = "93"
START = date(2018, 1, 8)


class DemoError(ImproperlyConfigured):
    """The database cannot receive the demo (French message)."""


@dataclass(frozen=True)
class DepartementProfile:
    of: str  # "des Bouches-du-Rhône": the département's name as a complement
    prefecture: str  # INSEE code of the commune hosting the SIAO and the DDETS
    weight: int  # share of the households
    area: str  # used in association names
    bailleurs: tuple[str, ...]


DEPARTEMENTS = {
    "04": DepartementProfile("des Alpes-de-Haute-Provence", "04070", 4, "Haute-Provence", ("Durance Habitat",)),
    "05": DepartementProfile("des Hautes-Alpes", "05061", 4, "Alpes du Sud", ("Gap Alpes Logis",)),
    "06": DepartementProfile("des Alpes-Maritimes", "06088", 22, "Côte d'Azur", ("Azur Logis", "Riviera Habitat")),
    "13": DepartementProfile(
        "des Bouches-du-Rhône",
        "13055",
        40,
        "Provence",
        ("Massalia Habitat", "Provence Logis", "Étang de Berre Habitat"),
    ),
    "83": DepartementProfile("du Var", "83137", 18, "Var", ("Toulon Rade Habitat", "Estérel Logis")),
    "84": DepartementProfile("de Vaucluse", "84007", 12, "Vaucluse", ("Ventoux Habitat", "Rhône Durance Logis")),
}
ASSOCIATIONS = ("Logis Solidaire", "Un Toit d'Abord", "Entraide Habitat")

# The five "mise en œuvre accélérée" territories of the reference bilan (domain.md).
EPCI_LABELS = (
    ("Métropole Nice Côte d'Azur", date(2018, 1, 1)),
    ("CA de Sophia Antipolis", date(2018, 1, 1)),
    ("Métropole d'Aix-Marseille-Provence", date(2021, 1, 1)),
    ("Métropole Toulon-Provence-Méditerranée", date(2021, 1, 1)),
)
COMMUNE_LABELS = (("84007", date(2021, 1, 1)),)

SITE_NAMES = ("Les Oliviers", "Le Mistral", "Les Lavandes", "La Calanque", "Les Tilleuls", "Le Belvédère")
SITE_NAMES += ("Les Cigales", "La Bastide", "Le Phare", "Les Platanes", "L'Estaque", "Le Lavoir")

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
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Blanc",
    "Guerin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Haddad",
    "Benali",
    "Belkacem",
    "Mansouri",
    "Diallo",
    "Traoré",
    "Camara",
    "Ndiaye",
    "Mendy",
    "Nguyen",
    "Tran",
    "Rossi",
    "Ferrari",
    "Lopez",
    "Fernandez",
    "Da Silva",
    "Pereira",
    "Kaya",
    "Yilmaz",
    "Petrov",
    "Popescu",
    "Ionescu",
    "Ouedraogo",
    "Cissé",
    "Bouzid",
    "Amrani",
    "Zerrouki",
    "Giraud",
    "Fabre",
]
FIRST_NAMES_F = [
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Sandrine",
    "Céline",
    "Aurélie",
    "Julie",
    "Laura",
    "Camille",
    "Sarah",
    "Inès",
    "Léa",
    "Emma",
    "Chloé",
    "Fatima",
    "Aïcha",
    "Samia",
    "Nadia",
    "Yasmine",
    "Mariama",
    "Aminata",
    "Linh",
    "Elena",
    "Ioana",
    "Ana",
    "Zeynep",
    "Océane",
    "Manon",
    "Élodie",
]
FIRST_NAMES_M = [
    "Jean",
    "Michel",
    "Philippe",
    "Alain",
    "Patrick",
    "Nicolas",
    "Christophe",
    "Stéphane",
    "Julien",
    "Kévin",
    "Thomas",
    "Lucas",
    "Hugo",
    "Louis",
    "Mohamed",
    "Karim",
    "Rachid",
    "Youssef",
    "Mamadou",
    "Moussa",
    "Ibrahima",
    "Minh",
    "Marco",
    "Luis",
    "Andrei",
    "Mehmet",
    "Sébastien",
    "Gaël",
    "Noé",
]

REFUSAL_REASONS = (
    "Logement refusé par le ménage : trop éloigné du lieu de travail.",
    "Logement refusé par le ménage : loyer résiduel trop élevé.",
    "Logement refusé par le ménage : inadapté à la mobilité réduite d'un membre.",
    "Logement refusé par le ménage : éloigné de l'école des enfants.",
)
CONTACT_NOTES = (
    "Point sur la demande de logement social et le renouvellement du numéro unique.",
    "Entretien avec le ménage : dossier complété (avis d'imposition, justificatifs de ressources).",
    "Appel au ménage pour préparer la visite du logement.",
    "Visite à domicile : installation dans le logement, ouverture des compteurs.",
    "Accompagnement à la CAF pour l'ouverture des droits APL.",
    "Point budget avec le ménage, plan d'apurement de la dette locative.",
    "Courrier de relance envoyé, sans réponse du ménage.",
)

# How the household lives when the pathway opens: (situation, weight); a follow-up situation may come later.
OPENING_SITUATIONS = (
    (SituationKind.RUE, 14),
    (SituationKind.HABITAT_FORTUNE, 4),
    (SituationKind.SQUAT, 4),
    (SituationKind.BIDONVILLE, 2),
    (SituationKind.ABRI_NUIT, 3),
    (SituationKind.CHU, 10),
    (SituationKind.HOTEL_115, 12),
    (SituationKind.CHRS, 12),
    (SituationKind.ALT, 3),
    (SituationKind.CENTRE_FEMMES_VIOLENCES, 3),
    (SituationKind.RHVS, 1),
    (SituationKind.DNA, 3),
    (SituationKind.RESIDENCE_SOCIALE, 3),
    (SituationKind.CHEZ_TIERS, 9),
    (SituationKind.SORTIE_PRISON, 2),
    (SituationKind.SORTIE_HOPITAL, 2),
    (SituationKind.SORTIE_ASE, 2),
    (SituationKind.MENACE_EXPULSION, 4),
    (SituationKind.VIOLENCES, 2),
    (SituationKind.CARAVANE, 1),
    (SituationKind.LOGEMENT_INDIGNE, 2),
    (SituationKind.SUROCCUPATION, 1),
)
# Where the 115 / SIAO moves people while they wait.
NEXT_SITUATIONS = {
    SituationKind.RUE: (SituationKind.ABRI_NUIT, SituationKind.HOTEL_115, SituationKind.CHU),
    SituationKind.HABITAT_FORTUNE: (SituationKind.HOTEL_115, SituationKind.CHU),
    SituationKind.SQUAT: (SituationKind.HOTEL_115, SituationKind.CHU),
    SituationKind.BIDONVILLE: (SituationKind.HOTEL_115,),
    SituationKind.ABRI_NUIT: (SituationKind.CHU, SituationKind.CHRS),
    SituationKind.CHU: (SituationKind.CHRS, SituationKind.ALT),
    SituationKind.HOTEL_115: (SituationKind.CHRS, SituationKind.CHU),
    SituationKind.CHEZ_TIERS: (SituationKind.RUE, SituationKind.HOTEL_115),
    SituationKind.MENACE_EXPULSION: (SituationKind.CHEZ_TIERS, SituationKind.HOTEL_115),
    SituationKind.SORTIE_PRISON: (SituationKind.CHRS, SituationKind.RUE),
}
VIOLENCE_SITUATIONS = (SituationKind.CENTRE_FEMMES_VIOLENCES, SituationKind.VIOLENCES)

# Final stage of each household's (first) pathway; the first households take each one once so that even a
# small demo shows every stage.
TARGETS = (
    (Stage.REPERAGE, 4),
    (Stage.DEMANDE, 8),
    (Stage.EVALUATION, 6),
    (Stage.ATTENTE_ORIENTATION, 6),
    (Stage.ORIENTE, 10),
    (Stage.PROPOSITION, 4),
    (Stage.CALEOL, 3),
    (Stage.ATTRIBUE, 3),
    (Stage.BAIL_SIGNE, 3),
    (Stage.ENTREE, 5),
    (Stage.MAINTIEN, 14),
    (Stage.SORTIE_LOGEE, 13),
    (Stage.PERDU_DE_VUE, 6),
    (Stage.RENONCIATION, 4),
    (Stage.HORS_TERRITOIRE, 3),
    (Stage.DECES, 1),
    (Stage.RUPTURE, 5),
)
DIRECT_HOUSING = (
    (HousingKind.PARC_PRIVE, 18),
    (HousingKind.IML_SOUS_LOCATION, 25),
    (HousingKind.IML_MANDAT_GESTION, 14),
    (HousingKind.PENSION_FAMILLE, 16),
    (HousingKind.RESIDENCE_ACCUEIL, 5),
    (HousingKind.RESIDENCE_SOCIALE, 12),
    (HousingKind.UN_CHEZ_SOI_DABORD, 10),
)
# Typical days spent before moving on to the next stage: (least, most).
DELAYS = {
    Stage.REPERAGE: (5, 60),
    Stage.DEMANDE: (5, 45),
    Stage.EVALUATION: (10, 40),
    Stage.ATTENTE_ORIENTATION: (7, 55),
    Stage.ORIENTE: (20, 170),
    Stage.PROPOSITION: (7, 45),
    Stage.CALEOL: (5, 40),
    Stage.ATTRIBUE: (5, 25),
    Stage.BAIL_SIGNE: (3, 25),
    Stage.ENTREE: (30, 120),
    Stage.MAINTIEN: (180, 720),
    Stage.PERDU_DE_VUE: (60, 300),
    Stage.RENONCIATION: (90, 400),
}


def weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class Report:
    households: int = 0
    pathways: int = 0
    structures: int = 0
    sites: int = 0
    places: int = 0
    place_units: int = 0  # the places of the places app (places/demo.py)
    labels: int = 0
    accounts: list[str] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)
    already_loaded: bool = False


@dataclass
class Dept:
    code: str
    profile: DepartementProfile
    departement: Departement
    communes: list[Commune]
    commune_weights: list[float]
    siao: Structure | None = None
    ddets: Structure | None = None
    ccas: list[Structure] = field(default_factory=list)
    associations: list[Structure] = field(default_factory=list)
    bailleurs: list[Structure] = field(default_factory=list)

    @property
    def casework_structures(self) -> list[Structure]:
        return [self.siao, *self.ccas, *self.associations]


def demo_loaded() -> bool:
    return Structure.objects.filter(external_id__startswith=MARKER).exists()


def demo_counts() -> Report:
    structures = Structure.objects.filter(external_id__startswith=MARKER)
    pathways = Pathway.objects.filter(referent_structure__in=structures)
    report = Report(
        structures=structures.count(),
        sites=Site.objects.filter(external_id__startswith=MARKER).count(),
        households=pathways.values("household").distinct().count(),
        pathways=pathways.count(),
        labels=Label.objects.count(),
        already_loaded=True,
    )
    for stage in pathways.values_list("stage", flat=True):
        report.stages[stage] = report.stages.get(stage, 0) + 1
    return report


def demo_administrator() -> User:
    """The demo's DREETS administrator, created ahead of the demo when the reference bilan is seeded first
    (reports/reference_bilan.py); the demo then finds it and completes it (group, second factor)."""
    user = User.objects.filter(username=ADMINISTRATOR["username"]).first()
    if user is None:
        user = User(**ADMINISTRATOR)
        user.set_password(PASSWORD)
        user.save()
    return user


def seed_demo(*, households: int = 300, seed: int = 2026, dry_run: bool = False) -> Report:
    """Write the demo, or nothing if it is already there (Report.already_loaded)."""
    if demo_loaded():
        return demo_counts()
    depts = _check_geography()
    # Items for the « À traiter » lists, but no email for years of played history.
    with transaction.atomic(), without_emails():
        report = DemoBuilder(random.Random(seed), depts, today=timezone.localdate()).build(households)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _check_geography() -> dict[str, Dept]:
    missing = "La géographie n'est pas chargée : lancez d'abord « python manage.py load_geography »."
    if not Region.objects.filter(code=REGION).exists():
        raise DemoError(missing)
    depts = {}
    for code, profile in DEPARTEMENTS.items():
        departement = Departement.objects.filter(code=code, region_id=REGION).first()
        communes = list(
            Commune.objects.filter(departement_id=code, population__isnull=False).order_by("-population", "code")[:8]
        )
        if departement is None or not any(c.code == profile.prefecture for c in communes):
            raise DemoError(missing)
        # Square roots soften Marseille's weight so that smaller towns get households too.
        weights = [c.population**0.5 for c in communes]
        depts[code] = Dept(code, profile, departement, communes, weights)
    for name, _ in EPCI_LABELS:
        if not Epci.objects.filter(name=name).exists():
            raise DemoError(f"EPCI « {name} » introuvable : rechargez la géographie (load_geography).")
    return depts


class DemoBuilder:
    def __init__(self, rng: random.Random, depts: dict[str, Dept], *, today: date):
        self.rng = rng
        self.depts = depts
        self.today = today
        self.report = Report()

    def build(self, households: int) -> Report:
        self._structures()
        self._sites()
        self._labels()
        self._accounts()
        codes = list(self.depts)
        weights = [self.depts[c].profile.weight for c in codes]
        targets = [t for t, _ in TARGETS]
        self.rng.shuffle(targets)
        for index in range(households):
            dept = self.depts[self.rng.choices(codes, weights=weights)[0]]
            target = targets[index] if index < len(targets) else weighted(self.rng, TARGETS)
            self._household(dept, target)
        # The sites' places and proposals (places app), once the queue exists: through its services.
        from places.demo import seed_places

        self.report.place_units = seed_places(
            rng=self.rng,
            sites=Site.objects.filter(external_id__startswith=MARKER).select_related("commune").order_by("pk"),
            pathways=Pathway.objects.filter(referent_structure__external_id__startswith=MARKER),
            today=self.today,
            by=self.coordination,
            stages=self.report.stages,
        )
        self.report.stages = dict(sorted(self.report.stages.items(), key=lambda item: Stage.values.index(item[0])))
        return self.report

    # Reference data ---------------------------------------------------------------------------------

    def _structure(self, key: str, name: str, kind: str, commune: Commune) -> Structure:
        self.report.structures += 1
        return Structure.objects.create(name=name, kind=kind, commune=commune, external_id=f"{MARKER}structure:{key}")

    def _structures(self):
        marseille = self.depts["13"].communes[0]
        self.dreets = self._structure("93:dreets", "DREETS Provence-Alpes-Côte d'Azur", StructureKind.ETAT, marseille)
        for code, dept in self.depts.items():
            p, main = dept.profile, next(c for c in dept.communes if c.code == dept.profile.prefecture)
            dept.siao = self._structure(f"{code}:siao", f"SIAO {p.of}", StructureKind.SIAO, main)
            dept.ddets = self._structure(f"{code}:ddets", f"DDETS {p.of}", StructureKind.ETAT, main)
            self._structure(f"{code}:cd", f"Conseil départemental {p.of}", StructureKind.CONSEIL_DEPARTEMENTAL, main)
            towns = [main] + [c for c in dept.communes if c != main][: 1 if p.weight > 10 else 0]
            for i, town in enumerate(towns):
                dept.ccas.append(
                    self._structure(f"{code}:ccas:{i}", f"CCAS {of_place(town.name)}", StructureKind.CCAS, town)
                )
            count = 3 if p.weight > 10 else 2
            for i, base in enumerate(ASSOCIATIONS[:count]):
                town = dept.communes[i % len(dept.communes)]
                dept.associations.append(
                    self._structure(f"{code}:asso:{i}", f"{base} {p.area}", StructureKind.ASSOCIATION, town)
                )
            for i, name in enumerate(p.bailleurs):
                dept.bailleurs.append(
                    self._structure(f"{code}:bailleur:{i}", name, StructureKind.BAILLEUR_SOCIAL, main)
                )
        self._structure("13:sante", "Équipe mobile psychiatrie précarité de Marseille", StructureKind.SANTE, marseille)

    def _sites(self):
        rng, rows, number = self.rng, [], itertools.count(1)
        for code, dept in self.depts.items():
            w = dept.profile.weight
            plan = [
                (SiteKind.IML_SOUS_LOCATION, max(3, round(w * 0.8)), (5, 40), START),
                (SiteKind.IML_MANDAT_GESTION, max(2, round(w * 0.4)), (5, 30), START),
                (SiteKind.PENSION_FAMILLE, max(2, round(w / 5)), (15, 28), START),
                (SiteKind.RESIDENCE_ACCUEIL, max(1, round(w / 12)), (15, 25), START),
                (SiteKind.CHRS, max(1, round(w / 10)), (30, 90), date(2005, 1, 1)),
                (SiteKind.CHU, max(1, round(w / 10)), (20, 70), date(2010, 1, 1)),
            ]
            for kind, count, (least, most), since in plan:
                for _ in range(count):
                    opened = since + timedelta(days=rng.randint(0, (self.today - since).days - 1))
                    if kind in (SiteKind.CHRS, SiteKind.CHU) and rng.random() < 0.6:
                        opened = START - timedelta(days=rng.randint(1, (START - since).days))
                    closed = None
                    if rng.random() < 0.06 and (self.today - opened).days > 400:
                        closed = opened + timedelta(days=rng.randint(365, (self.today - opened).days))
                    commune = rng.choices(dept.communes, weights=dept.commune_weights)[0]
                    named = kind not in (SiteKind.IML_SOUS_LOCATION, SiteKind.IML_MANDAT_GESTION)
                    name = f"{SiteKind(kind).label} {rng.choice(SITE_NAMES)}, {commune.name}" if named else ""
                    rows.append(
                        Site(
                            structure=rng.choice(dept.associations),
                            name=name,
                            kind=kind,
                            commune=commune,
                            places=rng.randint(least, most),
                            opened_on=opened,
                            closed_on=closed,
                            external_id=f"{MARKER}site:{code}:{next(number):04d}",
                        )
                    )
        Site.objects.bulk_create(rows)
        self.report.sites = len(rows)
        self.report.places = sum(s.places for s in rows)

    def _labels(self):
        for name, started in EPCI_LABELS:
            Label.objects.create(
                kind=LabelKind.MISE_EN_OEUVRE_ACCELEREE, epci=Epci.objects.get(name=name), started_on=started
            )
        for code, started in COMMUNE_LABELS:
            Label.objects.create(kind=LabelKind.MISE_EN_OEUVRE_ACCELEREE, commune_id=code, started_on=started)
        self.report.labels = len(EPCI_LABELS) + len(COMMUNE_LABELS)

    def _account(self, username: str, first: str, last: str, **fields) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, **fields)
            user.set_password(PASSWORD)
            user.save()
            self.report.accounts.append(username)
        return user

    def _accounts(self):
        marseille = self.depts["13"]
        self.referent = self._account(
            "referent", "Camille", "Roux", role=Role.CASEWORKER, email="referent@demo.invalid"
        )
        self.referent.structures.set([marseille.associations[0], marseille.ccas[0]])
        self.referent_structures = {s.pk for s in (marseille.associations[0], marseille.ccas[0])}
        self.coordination = self._account(
            "coordination", "Nadia", "Benali", role=Role.COORDINATOR, territories="departement:13"
        )
        fields = dict(ADMINISTRATOR)
        administration = self._account(
            fields.pop("username"), fields.pop("first_name"), fields.pop("last_name"), **fields
        )
        administration.groups.add(reference_data_group())
        self._account("observation", "Inès", "Girard", role=Role.OBSERVER, territories="region:93")
        admin = self._account("admin", "Admin", "Parcours", is_staff=True, is_superuser=True)
        for user in (administration, admin):
            device_set(user=user, secret=TOTP_SECRET)

    # Households and pathways -----------------------------------------------------------------------

    def _people(self, composition: str, adults: int, children: int, reference_year: int, on: date) -> list[dict]:
        # Adults are of age and children minors on the day the household is entered (pathways.composition):
        # the years are clamped, never drawn again, so the rest of the demo stays the same.
        adult_year = on.year - 19
        rng = self.rng
        last = rng.choice(LAST_NAMES)
        woman = (composition == Composition.FAMILLE_MONOPARENTALE and rng.random() < 0.85) or rng.random() < 0.4

        def born(year):
            return date(year, rng.randint(1, 12), rng.randint(1, 28))

        members = [
            {
                "last_name": last,
                "first_name": rng.choice(FIRST_NAMES_F if woman else FIRST_NAMES_M),
                "birth_date": born(min(reference_year, adult_year)),
                "relationship": Relationship.REFERENCE,
            }
        ]
        for _ in range(adults - 1):
            relationship = Relationship.CONJOINT if composition.startswith("couple") else Relationship.PARENT
            members.append(
                {
                    "last_name": last if rng.random() < 0.6 else rng.choice(LAST_NAMES),
                    "first_name": rng.choice(FIRST_NAMES_M if woman else FIRST_NAMES_F),
                    "birth_date": born(min(reference_year + rng.randint(-5, 5), adult_year)),
                    "relationship": relationship,
                }
            )
        for _ in range(children):
            year = min(on.year - 1, max(on.year - 17, reference_year + rng.randint(20, 38)))
            members.append(
                {
                    "last_name": last,
                    "first_name": rng.choice(FIRST_NAMES_F + FIRST_NAMES_M),
                    "birth_date": born(year),
                    "relationship": Relationship.ENFANT,
                }
            )
        return members

    def _household(self, dept: Dept, target: str):
        rng = self.rng
        composition = weighted(
            rng,
            (
                (Composition.PERSONNE_SEULE, 52),
                (Composition.FAMILLE_MONOPARENTALE, 20),
                (Composition.COUPLE_AVEC_ENFANTS, 13),
                (Composition.COUPLE_SANS_ENFANT, 10),
                (Composition.AUTRE, 5),
            ),
        )
        adults = {Composition.COUPLE_AVEC_ENFANTS: 2, Composition.COUPLE_SANS_ENFANT: 2}.get(composition, 1)
        if composition == Composition.AUTRE:
            adults = 2
        children = (
            rng.randint(1, 4)
            if composition in (Composition.FAMILLE_MONOPARENTALE, Composition.COUPLE_AVEC_ENFANTS)
            else 0
        )
        situation = weighted(rng, OPENING_SITUATIONS)
        if composition == Composition.FAMILLE_MONOPARENTALE and rng.random() < 0.2:
            situation = SituationKind.CENTRE_FEMMES_VIOLENCES
        confidential = rng.random() < (0.7 if situation in VIOLENCE_SITUATIONS else 0.02)
        plan = self._plan(target)
        opened_on, dates, stalled = self._schedule(plan, target)
        household = services.household_create(
            composition=composition,
            adults=adults,
            children=children,
            members=self._people(composition, adults, children, rng.randint(1958, 2004), opened_on),
            confidential=confidential,
            created_on=opened_on,
        )
        self.report.households += 1
        pathway = self._pathway(dept, household, plan, opened_on, dates, situation, stalled=stalled)
        if target == Stage.RUPTURE and rng.random() < 0.6:
            reopened_on = pathway.stage_on + timedelta(days=rng.randint(5, 90))
            if reopened_on < self.today:
                second = self._plan(rng.choice((Stage.DEMANDE, Stage.EVALUATION, Stage.ORIENTE, Stage.ENTREE)))
                second_dates = self._forward(second, reopened_on)
                self._pathway(
                    dept,
                    household,
                    second,
                    reopened_on,
                    second_dates,
                    SituationKind.RUE,
                    stalled=False,
                    after_rupture=True,
                )

    def _plan(self, target: str) -> list[tuple[str, dict]]:
        """The stages from the opening to `target`, with detours; each step (stage, transition fields)."""
        rng = self.rng
        direct_kind = weighted(rng, DIRECT_HOUSING) if rng.random() < 0.4 else None
        road = [Stage.REPERAGE, Stage.DEMANDE] if rng.random() < 0.35 else [Stage.DEMANDE]
        if rng.random() < 0.08:
            road = road[:1]  # direct access to an orientation (Un chez-soi d'abord, urgent cases)
        else:
            road += [Stage.EVALUATION, Stage.ATTENTE_ORIENTATION]
        road += [Stage.ORIENTE, Stage.PROPOSITION]
        road += [Stage.BAIL_SIGNE] if direct_kind else [Stage.CALEOL, Stage.ATTRIBUE, Stage.BAIL_SIGNE]
        road += [Stage.ENTREE, Stage.MAINTIEN]

        if target in PRE_HOUSING_STAGES or target in HOUSED_STAGES:
            if target not in road:  # e.g. `evaluation` on a direct-access road: draw another road
                return self._plan(target)
            road = road[: road.index(target) + 1]
        elif target == Stage.SORTIE_LOGEE:
            road = road[: road.index(Stage.ENTREE) + (1 if rng.random() < 0.25 else 2)] + [target]
        elif target == Stage.RUPTURE:
            road = road[: road.index(Stage.ENTREE) + (1 if rng.random() < 0.3 else 2)] + [target]
        else:
            last_possible = Stage.BAIL_SIGNE if target == Stage.RENONCIATION else Stage.MAINTIEN
            at = rng.randint(0, road.index(last_possible))
            road = road[: at + 1] + [target]

        steps: list[tuple[str, dict]] = []
        for stage in road:
            steps.append((stage, {}))
            steps += self._detour(stage, steps, is_last=stage == road[-1])
        return [self._fields(steps, i, direct_kind) for i in range(len(steps))]

    def _detour(self, stage: str, steps, *, is_last: bool) -> list[tuple[str, dict]]:
        """Steps that leave `stage` and come back to it (the back arrows of the stage machine)."""
        if is_last:
            return []
        rng, r = self.rng, self.rng.random()
        if stage == Stage.DEMANDE and r < 0.07:
            return [(rng.choice((Stage.PERDU_DE_VUE, Stage.RENONCIATION)), {}), (Stage.DEMANDE, {})]
        if stage == Stage.EVALUATION and r < 0.08:
            return [(Stage.DEMANDE, {}), (Stage.EVALUATION, {})]
        if stage == Stage.ATTENTE_ORIENTATION and r < 0.08:
            return [(Stage.EVALUATION, {}), (Stage.ATTENTE_ORIENTATION, {})]
        if stage == Stage.PROPOSITION and r < 0.06:
            return [(Stage.ORIENTE, {"reason": "Proposition retirée par le bailleur."}), (Stage.PROPOSITION, {})]
        if stage == Stage.CALEOL and r < 0.12:
            reason = "Non-attribution : candidature classée au rang 2, rang 1 accepté."
            return [(Stage.ORIENTE, {"reason": reason}), (Stage.PROPOSITION, {}), (Stage.CALEOL, {})]
        if stage == Stage.ATTRIBUE and r < 0.08:
            back = [(Stage.ORIENTE, {"reason": rng.choice(REFUSAL_REASONS)}), (Stage.PROPOSITION, {})]
            return back + [(Stage.CALEOL, {}), (Stage.ATTRIBUE, {})]
        if stage == Stage.BAIL_SIGNE and r < 0.07:
            # A cancelled lease: `bail_signe` followed by `oriente`, then a new proposal.
            previous = steps[-2][0]
            back = [(Stage.ORIENTE, {"reason": "Entrée annulée : logement non conforme à la visite."})]
            middle = [(Stage.CALEOL, {}), (Stage.ATTRIBUE, {})] if previous == Stage.ATTRIBUE else []
            return back + [(Stage.PROPOSITION, {}), *middle, (Stage.BAIL_SIGNE, {})]
        return []

    def _fields(self, steps, index: int, direct_kind: str | None) -> tuple[str, dict]:
        stage, fields = steps[index]
        fields = dict(fields)
        if stage == Stage.BAIL_SIGNE:
            previous = steps[index - 1][0]
            fields["housing_kind"] = HousingKind.PARC_SOCIAL if previous == Stage.ATTRIBUE else direct_kind
        elif stage == Stage.ORIENTE and index > 0 and steps[index - 1][0] != Stage.BAIL_SIGNE:
            if direct_kind == HousingKind.UN_CHEZ_SOI_DABORD:
                fields["orientation"] = OrientationTarget.UN_CHEZ_SOI_DABORD
            elif direct_kind in (HousingKind.PARC_PRIVE, None):
                fields["orientation"] = OrientationTarget.LOGEMENT_ORDINAIRE
            else:
                fields["orientation"] = OrientationTarget.LOGEMENT_ADAPTE
        return stage, fields

    def _delays(self, plan) -> list[int]:
        delays = [0]
        for (stage, _), (following, _) in itertools.pairwise(plan):
            least, most = DELAYS.get(stage, (5, 30))
            if following in CLOSED_STAGES and stage in PRE_HOUSING_STAGES:
                least, most = 30, 200
            delays.append(self.rng.randint(least, most))
        return delays

    def _forward(self, plan, opened_on: date) -> list[date]:
        """Dates from an opening, stopping the plan (by truncation of dates) at today."""
        dates, day = [], opened_on
        for delay in self._delays(plan):
            day = min(day + timedelta(days=delay), self.today)
            dates.append(day)
        return dates

    def _schedule(self, plan, target: str) -> tuple[date, list[date], bool]:
        """Place the plan in time: active pathways end recently (or long ago when stalled)."""
        rng, today = self.rng, self.today
        delays = self._delays(plan)
        total = sum(delays)
        stalled = False
        if target in PRE_HOUSING_STAGES:
            threshold = STALL_THRESHOLDS[target]
            stalled = rng.random() < 0.3
            back = threshold + rng.randint(15, 300) if stalled else rng.randint(0, int(threshold * 0.7))
            end = today - timedelta(days=back)
        elif target == Stage.ENTREE:
            end = today - timedelta(days=rng.randint(0, 100))
        elif target == Stage.MAINTIEN:
            end = today - timedelta(days=rng.randint(0, 600))
        else:
            latest = (today - START).days
            end = START + timedelta(days=rng.randint(min(total, latest), latest))
        opened_on = max(START, end - timedelta(days=total))
        dates, day = [], opened_on
        for delay in delays:
            day = min(day + timedelta(days=delay), end)
            dates.append(day)
        return opened_on, dates, stalled

    def _pathway(self, dept, household, plan, opened_on, dates, situation, *, stalled, after_rupture=False):
        rng = self.rng
        structures = dept.casework_structures
        if dept.code == "13":
            # Half of the Bouches-du-Rhône files are followed by the demo caseworker's two structures.
            mine = [s for s in structures if s.pk in self.referent_structures]
            structure = rng.choice(mine) if rng.random() < 0.5 else rng.choice(structures)
        else:
            structure = rng.choice(structures)
        mine = structure.pk in self.referent_structures
        by = self.referent if mine else None
        commune = rng.choices(dept.communes, weights=dept.commune_weights)[0]
        since = opened_on - timedelta(days=rng.randint(2, 20) if after_rupture else rng.randint(10, 900))
        pathway = services.pathway_open(
            household=household,
            structure=structure,
            commune=commune,
            opened_on=opened_on,
            by=by,
            stage=plan[0][0],
            dalo=rng.random() < 0.15,
            caseworker=self.referent if mine and rng.random() < 0.8 else None,
            situation=situation,
            situation_since=min(since, opened_on),
        )
        self.report.pathways += 1
        end = dates[-1]
        # Residential situations change while the household waits, not once it holds a lease.
        leases = [day for (stage, _), day in zip(plan, dates, strict=True) if stage == Stage.BAIL_SIGNE]
        self._situations(pathway, situation, opened_on, leases[0] if leases else end, by)
        housed_on, lease_kind = None, None
        for (stage, fields), day in zip(plan[1:], dates[1:], strict=True):
            if day > self.today:
                break
            fields = dict(fields)
            if stage == Stage.BAIL_SIGNE:
                lease_kind = fields["housing_kind"]
                fields["housing_commune"] = commune if rng.random() < 0.7 else rng.choice(dept.communes)
                if lease_kind == HousingKind.PARC_SOCIAL:
                    fields["landlord"] = rng.choice(dept.bailleurs)
                elif lease_kind in (HousingKind.IML_SOUS_LOCATION, HousingKind.IML_MANDAT_GESTION):
                    fields["landlord"] = rng.choice(dept.associations)
            recorder = by
            if stage == Stage.ORIENTE and dept.code == "13":
                recorder = self.coordination
            services.pathway_transition(pathway=pathway, to_stage=stage, on=day, by=recorder, **fields)
            if stage == Stage.ORIENTE and structure == dept.siao and rng.random() < 0.7:
                # The SIAO registers the demand, then an association takes the household on.
                structure = rng.choice(dept.associations)
                mine = structure.pk in self.referent_structures
                by = self.referent if mine else None
                services.pathway_assign(
                    pathway=pathway,
                    structure=structure,
                    caseworker=self.referent if mine else None,
                    by=recorder,
                    note="Orientation vers l'association qui assurera l'accompagnement.",
                )
            if stage == Stage.ENTREE:
                housed_on = day
        self._contacts(pathway, opened_on, end, by, stalled=stalled)
        self._measures(pathway, dept, opened_on, housed_on, lease_kind, situation, by)
        self.report.stages[pathway.stage] = self.report.stages.get(pathway.stage, 0) + 1
        return pathway

    def _situations(self, pathway, situation, opened_on, end, by):
        rng, current, day = self.rng, situation, opened_on
        for _ in range(rng.choice((0, 1, 1, 2))):
            following = NEXT_SITUATIONS.get(current)
            span = (end - day).days
            if not following or span < 10:
                return
            day += timedelta(days=rng.randint(5, max(5, min(span, 240))))
            if day > end:
                return
            current = rng.choice(following)
            services.situation_record(pathway=pathway, situation=current, since=day, by=by)

    def _contacts(self, pathway, opened_on, end, by, *, stalled):
        """Contacts every few weeks while the pathway is followed; none after a pathway stalls."""
        rng = self.rng
        last = end
        if pathway.stage not in CLOSED_STAGES and not stalled:
            last = self.today - timedelta(days=rng.randint(0, 25))
        day = opened_on + timedelta(days=rng.randint(7, 40))
        for _ in range(6):
            if day > last:
                return
            kind = weighted(
                rng,
                (
                    (ContactKind.ENTRETIEN, 5),
                    (ContactKind.TELEPHONE, 6),
                    (ContactKind.VISITE, 2),
                    (ContactKind.COURRIER, 1),
                ),
            )
            services.contact_record(pathway=pathway, on=day, kind=kind, note=rng.choice(CONTACT_NOTES), by=by)
            day += timedelta(days=rng.randint(25, 120))

    def _measures(self, pathway, dept, opened_on, housed_on, lease_kind, situation, by):
        rng, today = self.rng, self.today
        provider = rng.choice(dept.associations)
        wanted = []
        if pathway.dalo:
            wanted.append((MeasureKind.AVDL_DALO, opened_on + timedelta(days=rng.randint(10, 60)), 365))
        elif rng.random() < 0.2:
            wanted.append((MeasureKind.AVDL_HORS_DALO, opened_on + timedelta(days=rng.randint(10, 90)), 300))
        if situation == SituationKind.MENACE_EXPULSION:
            wanted.append((MeasureKind.DIAGNOSTIC_SOCIAL_FINANCIER, opened_on, 60))
        if housed_on:
            if lease_kind in (HousingKind.IML_SOUS_LOCATION, HousingKind.IML_MANDAT_GESTION):
                wanted.append((MeasureKind.GLA, housed_on, 540))
            if lease_kind == HousingKind.UN_CHEZ_SOI_DABORD:
                wanted.append((MeasureKind.UN_CHEZ_SOI_DABORD, housed_on, 900))
            elif rng.random() < 0.5:
                wanted.append((MeasureKind.ACCOMPAGNEMENT_LDA, housed_on, 365))
            if rng.random() < 0.4:
                wanted.append((MeasureKind.ASLL, housed_on + timedelta(days=rng.randint(0, 30)), 365))
            if rng.random() < 0.3:
                wanted.append((MeasureKind.FSL_AIDE, housed_on, 20))
        for kind, started_on, length in wanted:
            if started_on > today:
                continue
            measure = services.measure_open(pathway=pathway, kind=kind, started_on=started_on, provider=provider, by=by)
            ended_on = started_on + timedelta(days=rng.randint(length // 2, length))
            if ended_on <= today:
                services.measure_close(measure=measure, ended_on=ended_on, by=by)
