"""The periodic work of the « À traiter » list, for a cron when no Celery beat runs:

manage.py notifications stalled   # daily: items for pathways that became « bloqué »
manage.py notifications digest    # weekly: the digest of each person who chose it
manage.py notifications sweep     # every few minutes: items opened, jobs failed without signal, unsent emails
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications import emails, stalled, sweep


class Command(BaseCommand):
    help = "Détection des parcours bloqués, récapitulatif hebdomadaire, balayage des notifications."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["stalled", "digest", "sweep"])
        parser.add_argument(
            "--dry-run", action="store_true", help="Dire ce qui serait fait, sans rien écrire ni envoyer."
        )

    def handle(self, *args, action, dry_run, **options):
        if action == "stalled":
            outcome = stalled.stalled_detect(on=timezone.localdate(), dry_run=dry_run)
            verb = "seraient créés" if dry_run else "créés"
            self.stdout.write(
                f"{outcome.stalled} parcours bloqués ; {outcome.made} élément(s) « bloqué » {verb} ; "
                f"{outcome.cleared} élément(s) de parcours repartis {'seraient ' if dry_run else ''}retirés."
            )
        elif action == "digest":
            sent, failed = emails.send_digests(dry_run=dry_run)
            verb = "seraient envoyés" if dry_run else "envoyés"
            self.stdout.write(f"{sent} récapitulatif(s) {verb}.")
            if failed:
                self.stderr.write(f"Échec de l'envoi pour {len(failed)} personne(s) : voir le journal.")
        else:
            if dry_run:
                self.stdout.write("Le balayage écrit ce qu'il trouve : --dry-run ne s'applique pas, rien n'a été fait.")
                return
            outcome = sweep.notifications_sweep()
            self.stdout.write(
                f"{outcome.settled} élément(s) ouverts retirés, {outcome.jobs} élément(s) d'imports ou de bilans "
                f"créés, {outcome.resent} courriel(s) renvoyés au service de tâches, {outcome.purged} élément(s) traités "
                f"depuis plus de {sweep.CLEARED_RETENTION_DAYS} jours supprimés."
            )
