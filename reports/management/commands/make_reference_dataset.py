import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.reference_dataset import DEFAULT_SEED, write_reference_dataset


class Command(BaseCommand):
    help = (
        "Écrit un jeu de données de référence synthétique (format d'échange) pour Provence-Alpes-Côte d'Azur, "
        "dont le bilan region:93 du 01/01/2018 au 31/12/2022 donne les chiffres publiés par la DREETS."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Dossier à créer (ou dossier vide) où écrire les fichiers CSV.")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Graine du tirage aléatoire (par défaut {DEFAULT_SEED})."
        )

    def handle(self, *args, folder, seed=DEFAULT_SEED, **options):
        target = Path(folder)
        if target.exists() and not target.is_dir():
            raise CommandError(f"« {target} » existe et n'est pas un dossier.")
        # Never mix these files with an existing folder: an import would take both for one dataset.
        if target.is_dir() and any(target.iterdir()):
            raise CommandError(f"Le dossier « {target} » n'est pas vide : indiquez un dossier vide ou nouveau.")
        started = time.monotonic()
        summary = write_reference_dataset(target, seed=seed)
        for name, count in summary.rows.items():
            self.stdout.write(f"{name} : {count} ligne(s)")
        self.stdout.write("Chiffres attendus (region:93, 2018-01-01 au 2022-12-31) :")
        for code, value in summary.expected.items():
            self.stdout.write(f"  {code} : {value}")
        self.stdout.write("Pièges posés (enregistrements à ne pas compter ou cas limites) :")
        for name, count in summary.traps.items():
            self.stdout.write(f"  {name} : {count}")
        self.stdout.write(
            self.style.SUCCESS(f"Jeu de référence écrit dans {target} en {time.monotonic() - started:.1f} s.")
        )
