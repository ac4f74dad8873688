import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from reports.reference_bilan import DemoAlreadyLoaded, reference_bilan_seed


class Command(BaseCommand):
    help = (
        "Importe le jeu de référence PACA 2018-2022, calcule et publie le bilan de la région pour la démo "
        "(rien si ce bilan est déjà publié). À lancer avant seed_demo, sur une base sans démo."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            result = reference_bilan_seed()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        except DemoAlreadyLoaded as error:
            # Not an error for `make run`: the casework demo still works, without the reference bilan.
            self.stderr.write(str(error))
            return
        if not result.created:
            self.stdout.write(f"Bilan de référence déjà publié (bilan n° {result.run.pk}) : rien à faire.")
            return
        for name, count in result.imported.items():
            self.stdout.write(f"{name} : {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Bilan de référence {result.run} calculé et publié (n° {result.run.pk}) "
                f"en {time.monotonic() - started:.1f} s."
            )
        )
