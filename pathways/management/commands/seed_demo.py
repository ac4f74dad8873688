import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pathways.demo import PASSWORD, DemoError, seed_demo
from pathways.stages import STAGE_LABELS


class Command(BaseCommand):
    help = (
        "Crée des données de démonstration pour Provence-Alpes-Côte d'Azur (structures, sites, labels, "
        "comptes, ménages et parcours). Sans effet si elles sont déjà présentes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=300, help="Nombre de ménages (300 par défaut).")
        parser.add_argument("--seed", type=int, default=2026, help="Graine du tirage : même graine, mêmes données.")
        parser.add_argument("--dry-run", action="store_true", help="Dire ce qui serait créé sans rien écrire.")
        parser.add_argument(
            "--with-reference",
            action="store_true",
            help="D'abord importer le jeu de référence PACA 2018-2022 et publier son bilan (seed_reference_bilan).",
        )

    def handle(self, *args, households, seed, dry_run, with_reference=False, **options):
        if not 1 <= households <= 5000:
            raise CommandError("Le nombre de ménages doit être compris entre 1 et 5000.")
        if with_reference and not dry_run:
            # Before the demo: its own 2018-2022 sites and pathways would be counted in the reference bilan.
            call_command("seed_reference_bilan", stdout=self.stdout, stderr=self.stderr)
        started = time.monotonic()
        try:
            report = seed_demo(households=households, seed=seed, dry_run=dry_run)
        except DemoError as error:
            raise CommandError(str(error)) from None
        if report.already_loaded:
            self.stdout.write(
                f"Les données de démonstration sont déjà présentes ({report.households} ménages, "
                f"{report.pathways} parcours) : rien n'a été modifié."
            )
            # A month passed since: its snapshot of the quality trend; a day passed: its figures (nothing
            # when none is missing).
            self._quality_snapshots(missing_only=True)
            return
        self.stdout.write(
            f"{report.structures} structures, {report.sites} sites ({report.places} places), "
            f"{report.labels} labels, {report.households} ménages, {report.pathways} parcours."
        )
        for stage, count in report.stages.items():
            self.stdout.write(f"  {STAGE_LABELS[stage]} : {count}")
        if report.accounts:
            self.stdout.write(f"Comptes créés (mot de passe « {PASSWORD} ») : {', '.join(report.accounts)}.")
        verb = "Simulation terminée (rien n'a été écrit)" if dry_run else "Données de démonstration créées"
        self.stdout.write(self.style.SUCCESS(f"{verb} en {time.monotonic() - started:.1f} s."))
        if not dry_run:
            self._quality_snapshots()

    def _quality_snapshots(self, *, missing_only: bool = False) -> None:
        """The 12 monthly snapshots of the data-quality trend (quality/snapshots.py) and today's figures
        (quality/daily.py), that the monthly and nightly tasks would have left: the page « Qualité des
        données » shows the stored figures of the demo at once."""
        from quality.models import QualityDay
        from quality.snapshots import computed_month_ends
        from quality.trend import month_ends

        today = timezone.localdate()
        days = month_ends(today)
        stored_today = QualityDay.objects.filter(day=today, structure_id=QualityDay.MARK).exists()
        if missing_only and len(computed_month_ends(days)) == len(days) and stored_today:
            return
        call_command("quality_snapshots", months=len(days), today=True, stdout=self.stdout, stderr=self.stderr)
