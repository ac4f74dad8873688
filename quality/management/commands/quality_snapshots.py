import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quality.daily import snapshot_day
from quality.snapshots import computed_month_ends, snapshot_month_ends
from quality.trend import month_ends


class Command(BaseCommand):
    help = (
        "Calcule les instantanés mensuels de la qualité des données (page « Qualité des données », évolution "
        "sur 12 mois) des fins de mois qui n'en ont pas encore, parmi les N derniers mois ; avec --today, "
        "calcule aussi les chiffres du jour (vérifications et score par structure)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12, help="Nombre de fins de mois passées (12 par défaut).")
        parser.add_argument(
            "--recompute", action="store_true", help="Recalculer aussi les fins de mois déjà calculées."
        )
        parser.add_argument(
            "--today",
            action="store_true",
            help="Calculer aussi les chiffres du jour, maintenant (ceux du jour déjà calculés sont remplacés).",
        )

    def handle(self, *args, months, recompute, today=False, **options):
        if not 1 <= months <= 120:
            raise CommandError("Le nombre de mois doit être compris entre 1 et 120.")
        self._months(months, recompute=recompute)
        if today:
            started = time.monotonic()
            day = timezone.localdate()
            written = snapshot_day(day)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Chiffres du {day.strftime('%d/%m/%Y')} calculés en {time.monotonic() - started:.1f} s "
                    f"({written} ligne(s))."
                )
            )

    def _months(self, months: int, *, recompute: bool) -> None:
        days = month_ends(timezone.localdate(), months)
        todo = days if recompute else [day for day in days if day not in computed_month_ends(days)]
        if not todo:
            self.stdout.write(f"Les {months} dernières fins de mois sont déjà calculées : rien n'a été modifié.")
            return
        started = time.monotonic()
        written = snapshot_month_ends(todo)
        for day in todo:
            self.stdout.write(f"  {day.isoformat()} : {written[day]} ligne(s)")
        self.stdout.write(
            self.style.SUCCESS(f"{len(todo)} fin(s) de mois calculée(s) en {time.monotonic() - started:.1f} s.")
        )
