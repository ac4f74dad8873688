"""The published PACA 2018-2022 bilan of the demo: the reference dataset (reports/reference_dataset.py)
imported through the exchange format, then computed and published like any bilan, so that `make run`'s
administrator finds what the product is for next to the small casework demo.

The reference records carry the exchange's own ids ("SIAO13", "SITE0001"...) and the demo's carry
"demo:" ones: the two never match each other on import."""

import tempfile
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F

from audit.enums import Action
from audit.services import audit_record
from pathways.demo import demo_administrator, demo_loaded
from pathways.exchange.importer import import_exchange
from pathways.exchange.reading import read_source
from reports import services
from reports.enums import PeriodKind, RunStatus
from reports.models import BilanRun
from reports.reference_dataset import write_reference_dataset
from territories.territory import parse_territory

TERRITORY = "region:93"
START, END = date(2018, 1, 1), date(2022, 12, 31)


@dataclass
class ReferenceBilan:
    run: BilanRun
    created: bool
    imported: dict[str, int]


def reference_run() -> BilanRun | None:
    """The région's computed 2018-2022 bilan, the published one first."""
    territory = parse_territory(TERRITORY)
    runs = BilanRun.objects.filter(
        territory_kind=territory.kind, territory_code=territory.code, start=START, end=END, status=RunStatus.DONE
    )
    return runs.order_by(F("published_at").asc(nulls_last=True), "pk").first()


class DemoAlreadyLoaded(Exception):
    """The casework demo is there already: its sites, places and pathways of 2018-2022 in the région would
    be counted with the reference ones (5,588 IML places instead of 4,146)."""


def reference_bilan_seed() -> ReferenceBilan:
    """Import the reference dataset, compute the région's 2018-2022 bilan and publish it, before the
    casework demo is written (its figures are stored: the demo written afterwards does not change them).
    Nothing if it is already published (idempotent); only the publication if an attempt stopped before."""
    by = demo_administrator()
    if run := reference_run():
        if not run.is_published:
            services.bilan_run_publish(run=run, by=by)
            return ReferenceBilan(run=run, created=True, imported={})
        return ReferenceBilan(run=run, created=False, imported={})
    if demo_loaded():
        raise DemoAlreadyLoaded(
            "Les données de démonstration sont déjà là : elles fausseraient le bilan de référence, qui n'est "
            "pas calculé. Repartez d'une base vide (make clean, puis make run) pour l'avoir."
        )
    with tempfile.TemporaryDirectory(prefix="parcours-reference-") as folder:
        write_reference_dataset(folder)
        report = import_exchange(
            read_source(folder),
            before_commit=lambda report: audit_record(
                user=None, action=Action.IMPORT, target="exchange", detail="jeu de référence PACA 2018-2022 (démo)"
            ),
        )
    if report.errors:
        raise ImproperlyConfigured(f"Le jeu de référence n'a pas pu être importé : {report.errors.total} erreur(s).")
    run = services.bilan_run_request(
        territory=parse_territory(TERRITORY), start=START, end=END, by=by, period_kind=PeriodKind.PLAN_2018_2022
    )
    # Without a broker the request computed it on commit; with one, computed here so that the command ends
    # with the bilan ready (a worker that takes it afterwards leaves a finished run alone).
    run.refresh_from_db()
    if run.status == RunStatus.PENDING:
        run = services.bilan_run_execute(run_id=run.pk)
    if run.status != RunStatus.DONE:
        raise ImproperlyConfigured(f"Le calcul du bilan de référence a échoué : {run.error}")
    services.bilan_run_publish(run=run, by=by)
    return ReferenceBilan(run=run, created=True, imported=dict(report.counts))
