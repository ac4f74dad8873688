"""Bilan runs: one row per requested bilan, its figures in typed columns with the ids of the records behind each.

A finished run never changes (a new request makes a new run), so a published bilan stays what it was
even when the catalogue or the data move on.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from project.background import BackgroundJobMixin
from reports import idlist
from reports.catalogue import CATALOGUE
from reports.enums import FINISHED_STATUSES, FigureScope, PeriodKind, RunStatus
from territories.territory import Territory

DEFAULT_RUN_TIMEOUT_MINUTES = 30


class FinishedRunError(Exception):
    """A change to a finished run (French message)."""


def within_q(scope: Territory, *, kind_field: str = "territory_kind", code_field: str = "territory_code") -> Q:
    """Rows whose territory (kind and code columns) is `scope` or lies inside it: the départements of a
    région, the EPCI holding one of its communes, its communes."""
    from territories.models import Departement

    if scope.kind == "france":
        return Q()
    communes = scope.communes()
    condition = Q(**{kind_field: scope.kind, code_field: scope.code})
    if scope.kind != "commune":
        condition |= Q(**{kind_field: "commune", f"{code_field}__in": communes.values("code")})
    if scope.kind == "region":
        departements = Departement.objects.filter(region_id=scope.code).values("code")
        condition |= Q(**{kind_field: "departement", f"{code_field}__in": departements})
    if scope.kind in ("region", "departement"):
        condition |= Q(**{kind_field: "epci", f"{code_field}__in": communes.exclude(epci=None).values("epci")})
    return condition


def meeting_q(scope: Territory, *, kind_field: str = "territory_kind", code_field: str = "territory_code") -> Q:
    """Rows whose territory shares a commune with `scope`: inside it (within_q), or holding a part of
    it (France, its région, its département(s), an EPCI with one of its communes)."""
    if scope.kind == "france":
        return Q()
    communes = scope.communes()
    return (
        within_q(scope, kind_field=kind_field, code_field=code_field)
        | Q(**{kind_field: "france"})
        | Q(**{kind_field: "region", f"{code_field}__in": communes.values("region")})
        | Q(**{kind_field: "departement", f"{code_field}__in": communes.values("departement")})
        | Q(**{kind_field: "epci", f"{code_field}__in": communes.exclude(epci=None).values("epci")})
    )


def user_scope(user) -> Territory | None:
    """The one territory of an administrator or an observer (France for a superuser)."""
    from territories.territory import FRANCE

    if user.is_superuser:
        return FRANCE
    territories = user.scope_territories
    return territories[0] if territories else None


def run_timeout_minutes() -> int:
    return getattr(settings, "BILAN_RUN_TIMEOUT_MINUTES", DEFAULT_RUN_TIMEOUT_MINUTES)


class BilanRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Administrators: every run of their territory; observers: its published runs (roles.md);
        coordinators: the finished runs of the territories that meet theirs."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_coordinator and not user.is_superuser:
            # Coordinators steer their territory: they read the finished runs of every territory that
            # meets it (docs/bilans.md), whose drill-down lists only the records of their scope.
            condition = Q(pk__in=[])
            for territory in user.scope_territories:
                condition |= meeting_q(territory)
            return self.filter(condition, status=RunStatus.DONE)
        scope = user_scope(user)
        if scope is None or not (user.is_superuser or user.is_administrator or user.is_observer):
            return self.none()
        runs = self.filter(within_q(scope))
        if user.is_observer and not user.is_superuser:
            runs = runs.filter(status=RunStatus.DONE, published_at__isnull=False)
        return runs


class BilanRun(BackgroundJobMixin, models.Model):
    territory_kind = models.CharField("type de territoire", max_length=20)
    territory_code = models.CharField("code du territoire", max_length=20, blank=True)
    territory_name = models.CharField("territoire", max_length=200)
    start = models.DateField("début")
    end = models.DateField("fin")
    period_kind = models.CharField("période", max_length=20, choices=PeriodKind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="demandé par"
    )
    requested_at = models.DateTimeField("demandé le", default=timezone.now)
    status = models.CharField("état", max_length=20, choices=RunStatus.choices, default=RunStatus.PENDING)
    error = models.TextField("erreur", blank=True)
    started_at = models.DateTimeField("calcul commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("calcul terminé le", null=True, blank=True)
    # Progress while running: bilans computed (whole period, each year, each sub-territory) of the total.
    steps_done = models.PositiveIntegerField("étapes calculées", default=0)
    steps_total = models.PositiveIntegerField("étapes à calculer", default=0)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="publié par",
    )
    catalogue_version = models.CharField("version du catalogue", max_length=64, blank=True)
    # Background lifecycle (project/background.py): when the task reached the broker (empty: not yet, the
    # beat task sends it again), the worker's last sign of life, and how many workers took the run.
    sent_at = models.DateTimeField("transmis au service de tâches le", null=True, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)

    objects = BilanRunQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["territory_kind", "territory_code", "requested_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="bilan_run_period_in_order"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status=RunStatus.DONE), name="bilan_run_published_done"
            ),
        ]

    def __str__(self):
        return f"Bilan {self.territory_name} du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        # Only publication touches a finished run; its figures and status are final. Read from the
        # database, not from this instance, which may be stale.
        changed = set(kwargs.get("update_fields") or ())
        publishing = changed and changed <= {"published_at", "published_by"}
        finished = BilanRun.objects.filter(pk=self.pk, status__in=FINISHED_STATUSES)
        if self.pk and not publishing and finished.exists():
            raise FinishedRunError("Un bilan terminé ne change plus : demandez un nouveau bilan.")
        super().save(*args, **kwargs)

    @property
    def territory(self) -> Territory:
        return Territory(self.territory_kind, self.territory_code, self.territory_name)

    @property
    def territory_key(self) -> str:
        return self.territory.key

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def progress_percent(self) -> int:
        if not self.steps_total:
            return 0
        return round(100 * self.steps_done / self.steps_total)


class BilanFigure(models.Model):
    """One indicator's figure for the whole period, one year of it, or one sub-territory."""

    run = models.ForeignKey(BilanRun, on_delete=models.CASCADE, related_name="figures")
    indicator_code = models.CharField("indicateur", max_length=60)
    indicator_version = models.PositiveSmallIntegerField("version de l'indicateur", default=1)
    record_model = models.CharField("modèle des enregistrements", max_length=60)
    scope = models.CharField("portée", max_length=20, choices=FigureScope.choices)
    year = models.PositiveSmallIntegerField("année", null=True, blank=True)
    territory_code = models.CharField("code du territoire", max_length=40)
    territory_name = models.CharField("territoire", max_length=200)
    count_value = models.BigIntegerField("valeur (compte)", null=True, blank=True)
    decimal_value = models.DecimalField("valeur (taux, médiane)", max_digits=12, decimal_places=1, null=True)
    # Size of the population behind the figure (its records): a percentage or a median computed on fewer
    # than 5 cases is hidden when published (indicators.md, Publication).
    cases = models.PositiveIntegerField("nombre de cas", default=0)
    # The ids of the records behind the figure (rows of `record_model`, several models hence no foreign
    # key), as they were when the run was computed: reports.idlist.encode, one blob rather than a row
    # per record (a million-pathway bilan has millions of them).
    record_ids = models.BinaryField("identifiants des enregistrements", default=b"", editable=False)

    class Meta:
        verbose_name = "chiffre d'un bilan"
        verbose_name_plural = "chiffres d'un bilan"
        ordering = ["run", "indicator_code", "scope", "year", "territory_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "indicator_code", "scope", "year", "territory_code"],
                name="bilan_figure_unique",
            ),
            models.CheckConstraint(
                condition=Q(count_value__isnull=True) | Q(decimal_value__isnull=True), name="bilan_figure_one_value"
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(scope=FigureScope.YEAR), name="bilan_figure_year_only_by_year"
            ),
        ]

    def __str__(self):
        """'Taux de maintien dans le logement à 12 mois, année 2021 : 85,3 %', as the admin lists it."""
        # Imported here: the exports' tables import the indicators, which import the models.
        from reports.exports.tables import EMPTY, format_number

        indicator = CATALOGUE.get(self.indicator_code)
        label = indicator.label if indicator else self.indicator_code
        if self.scope == FigureScope.YEAR:
            where = f"année {self.year}"
        elif self.scope == FigureScope.SUB_TERRITORY:
            where = self.territory_name
        else:
            where = "période entière"
        value = self.value
        if value is None:
            text = EMPTY
        else:
            text = format_number(value)
            if indicator and indicator.unit == "%":
                text += "\u00a0%"
        return f"{label}, {where} : {text}"

    @property
    def value(self) -> int | Decimal | None:
        return self.count_value if self.count_value is not None else self.decimal_value

    def record_id_list(self) -> list[int]:
        """The sorted ids of the records behind the figure."""
        return idlist.decode(self.record_ids)


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Targets of the administrator's or the observer's territory."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user_scope(user)
        if scope is None or not (user.is_superuser or user.is_administrator or user.is_observer):
            return self.none()
        return self.filter(within_q(scope))


class Target(models.Model):
    """A goal set by an administrator for one indicator, territory and period, shown with the progress
    of the bilans of that same territory and period."""

    territory_kind = models.CharField("type de territoire", max_length=20)
    territory_code = models.CharField("code du territoire", max_length=20, blank=True)
    territory_name = models.CharField("territoire", max_length=200)
    indicator_code = models.CharField("indicateur", max_length=60)
    start = models.DateField("début")
    end = models.DateField("fin")
    value = models.DecimalField("cible", max_digits=12, decimal_places=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="fixée par"
    )
    set_at = models.DateTimeField("fixée le", default=timezone.now)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "cible"
        ordering = ["territory_kind", "territory_code", "indicator_code", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory_kind", "territory_code", "indicator_code", "start", "end"], name="target_unique"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="target_period_in_order"),
            models.CheckConstraint(condition=Q(value__gt=0), name="target_value_positive"),
        ]

    def __str__(self):
        return f"Cible {self.indicator_code} — {self.territory_name} : {self.value}"

    @property
    def territory(self) -> Territory:
        return Territory(self.territory_kind, self.territory_code, self.territory_name)
