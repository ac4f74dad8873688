"""Writes of the bilans: request a run, compute it (from the Celery task), publish it, set targets."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from project import background
from project.db_router import reading_from_replica
from reports import idlist, perms
from reports.catalogue import CATALOGUE
from reports.enums import PLAN_YEARS, PeriodKind, RunStatus
from reports.indicators.breakdown import compute_cells, run_cells
from reports.models import BilanFigure, BilanRun, FinishedRunError, Target, run_timeout_minutes
from territories.territory import Territory

logger = logging.getLogger(__name__)


def period_bounds(kind: str, *, year: int | None = None, start: date | None = None, end: date | None = None):
    """(start, end) of a period kind: a calendar year, one of the plans, or the given dates."""
    if kind == PeriodKind.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    if kind in PLAN_YEARS:
        first, last = PLAN_YEARS[kind]
        return date(first, 1, 1), date(last, 12, 31)
    return start, end


def catalogue_version() -> str:
    """A short fingerprint of the catalogue's codes and versions: two runs with the same one were
    computed by the same definitions."""
    text = ",".join(f"{code}@{indicator.version}" for code, indicator in sorted(CATALOGUE.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class ComputedFigure:
    indicator_code: str
    scope: str
    year: int | None
    territory_code: str  # a territory key: "region:93", "departement:13" ...
    territory_name: str
    value: int | float | None
    record_ids: list[int]

    @property
    def cases(self) -> int:
        return len(self.record_ids)


def bilan_compute(
    *,
    territory: Territory,
    start: date,
    end: date,
    on_step: Callable[[int, int], None] | None = None,
) -> list[ComputedFigure]:
    """Every indicator for the whole period, each calendar year of it and each sub-territory, from the same
    definitions as the `bilan` command (so the figures are the command's), grouped where the indicator's
    figure can be (reports/indicators/breakdown.py). `on_step(done, total)` is called after each indicator
    (the progress bar and the worker's heartbeat)."""
    cells = run_cells(territory, start, end)
    results = {}
    for done, (code, indicator) in enumerate(CATALOGUE.items(), start=1):
        for cell, result in compute_cells(indicator, cells).items():
            results[cell, code] = result
        if on_step:
            on_step(done, len(CATALOGUE))
    return [
        ComputedFigure(
            code,
            cell.scope,
            cell.year,
            cell.territory.key,
            cell.territory.name,
            results[cell, code].value,
            results[cell, code].record_ids,
        )
        for cell in cells
        for code in CATALOGUE
    ]


def bilan_run_request(
    *, territory: Territory, start: date, end: date, by, period_kind: str = PeriodKind.CUSTOM
) -> BilanRun:
    """Create a pending run and schedule its computation once the request's transaction commits."""
    from reports.tasks import bilan_run_task

    if not perms.can_request_bilan(by, territory):
        raise PermissionDenied("Vous ne pouvez pas demander un bilan de ce territoire.")
    if end < start:
        raise ValidationError("La date de fin précède la date de début.")
    run = BilanRun.objects.create(
        territory_kind=territory.kind,
        territory_code=territory.code,
        territory_name=territory.name,
        start=start,
        end=end,
        period_kind=period_kind,
        requested_by=by,
        catalogue_version=catalogue_version(),
    )
    # The row is the outbox: created unsent in this transaction, sent once it commits, sent again by
    # runs_sweep while the broker is down (project/background.py).
    background.send_on_commit(bilan_run_task, run)
    return run


def _gave_up() -> str:
    return (
        f"Le calcul a été interrompu {background.max_attempts()} fois (arrêt du service de tâches) : "
        "il est abandonné. Demandez un nouveau bilan."
    )


def bilan_run_execute(*, run_id: int) -> BilanRun:
    """Compute a pending run and store its figures and records; on any error the run is failed with
    a French message. A finished run is refused; a run another worker is computing (fresh heartbeat: a
    redelivered task) is left alone; a run whose worker stopped beating is taken over."""
    run = background.take(
        BilanRun,
        run_id,
        finished_error=FinishedRunError("Un bilan terminé ne change plus : demandez un nouveau bilan."),
        gave_up_error=_gave_up(),
    )
    if run is None:
        return BilanRun.objects.get(pk=run_id)
    attempt = run.attempts
    heartbeat = background.Heartbeat(BilanRun, run_id, attempt)

    def progress(done: int, total: int) -> None:
        # Committed at once (outside the write transaction) so the polling page sees it.
        heartbeat(steps_done=done, steps_total=total)

    try:
        # Read from the streaming replica when there is a usable one (project/db_router.py).
        with heartbeat, reading_from_replica(f"Bilan run {run_id}") as database:
            figures = bilan_compute(territory=run.territory, start=run.start, end=run.end, on_step=progress)
        logger.info("Bilan run %s computed on the %s database", run_id, database)
        with transaction.atomic():
            if not background.owns(BilanRun, run_id, attempt):
                raise background.Superseded(f"BilanRun {run_id} was taken over")
            figures_store(run=run, figures=figures)
            run.status = RunStatus.DONE
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
    except background.Superseded:
        logger.warning("Bilan run %s: attempt %s superseded, its result is dropped", run_id, attempt)
    except Exception:
        logger.exception("Bilan run %s failed", run_id)
        message = "Le calcul du bilan a échoué à cause d'une erreur inattendue, signalée à l'équipe technique."
        BilanRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, attempts=attempt).update(
            status=RunStatus.FAILED, error=message, finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


def figures_store(*, run: BilanRun, figures: list[ComputedFigure]) -> None:
    rows = []
    for computed in figures:
        indicator = CATALOGUE[computed.indicator_code]
        is_decimal = indicator.kind in ("percent", "median")
        value = computed.value
        rows.append(
            BilanFigure(
                run=run,
                indicator_code=computed.indicator_code,
                indicator_version=indicator.version,
                record_model=indicator.record_model,
                scope=computed.scope,
                year=computed.year,
                territory_code=computed.territory_code,
                territory_name=computed.territory_name,
                count_value=None if is_decimal else value,
                decimal_value=Decimal(str(value)) if is_decimal and value is not None else None,
                cases=computed.cases,
                record_ids=idlist.encode(computed.record_ids),
            )
        )
    # One insert for the whole run: each figure carries its records as one blob (reports/idlist.py).
    BilanFigure.objects.bulk_create(rows)


def bilan_run_publish(*, run: BilanRun, by) -> BilanRun:
    """Make a done run visible to the observers of its territory."""
    if not perms.can_publish_bilan(by, run):
        raise PermissionDenied("Vous ne pouvez pas publier ce bilan.")
    if run.status != RunStatus.DONE:
        raise ValidationError("Seul un bilan terminé peut être publié.")
    if run.is_published:
        raise ValidationError("Ce bilan est déjà publié.")
    run.published_at = timezone.now()
    run.published_by = by
    run.save(update_fields=["published_at", "published_by"])
    return run


def runs_sweep(runs=None, *, resend: bool = True) -> int:
    """Settle the runs nobody works on (project/background.py sweep): too long, interrupted, never
    started; send again the unsent ones. `runs`: a list page sweeps only the runs its reader sees."""
    from reports.tasks import bilan_run_task

    minutes, hours = run_timeout_minutes(), background.pending_max_hours()
    return background.sweep(
        BilanRun.objects.all() if runs is None else runs,
        task=bilan_run_task,
        created_field="requested_at",
        timeout_minutes=minutes,
        timed_out_error=f"Le calcul n'a pas abouti en {minutes} minutes : il a été interrompu. Demandez un nouveau bilan.",
        gave_up_error=_gave_up(),
        never_started_error=(
            f"Le calcul n'a pas pu démarrer en {hours} heures : le service de tâches est resté indisponible. "
            "Demandez un nouveau bilan."
        ),
        resend=resend,
    )


def target_set(*, territory: Territory, indicator_code: str, start: date, end: date, value: Decimal, by) -> Target:
    """Set (or change) the target of an indicator for a territory and a period."""
    if not perms.can_request_bilan(by, territory):
        raise PermissionDenied("Vous ne pouvez pas fixer de cible pour ce territoire.")
    if indicator_code not in CATALOGUE:
        raise ValidationError(f"Indicateur inconnu : « {indicator_code} ».")
    if end < start:
        raise ValidationError("La date de fin précède la date de début.")
    if value <= 0:
        raise ValidationError("La cible doit être un nombre positif.")
    target, _ = Target.objects.update_or_create(
        territory_kind=territory.kind,
        territory_code=territory.code,
        indicator_code=indicator_code,
        start=start,
        end=end,
        defaults={"territory_name": territory.name, "value": value, "set_by": by, "set_at": timezone.now()},
    )
    return target
