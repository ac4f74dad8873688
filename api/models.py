"""API tokens: issued by an administrator to a structure or a territory (docs/api.md).

Only a SHA-256 digest of the token is stored, with its first characters (`prefix`) to find the row; the
token itself is shown once, at issue. Each token acts through its own technical account (`actor`), which
the case records and the audit log name ("recorded by", "who read"): an inactive account without a role,
a password or a structure in the database, so that it can never sign in nor appear among a structure's
caseworkers or a territory's coordinators; api/authentication.py gives it, for the request only, the role
and scope of its token (a structure's caseworker, a territory's coordinator)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from api.enums import TokenKind
from territories.territory import Territory, TerritoryError, parse_territory


class ApiActor(User):
    """The technical account of one token, as a request sees it. Never saved from a request: its role
    and scope live in memory only (api/authentication.py)."""

    class Meta:
        proxy = True
        verbose_name = "compte technique d'API"

    def save(self, *args, **kwargs):
        raise RuntimeError("The technical account of an API token is written by api/services.py only.")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    name = models.CharField("nom", max_length=100, help_text="Le logiciel ou le service qui l'utilise.")
    kind = models.CharField("portée", max_length=20, choices=TokenKind.choices)
    structure = models.ForeignKey(
        "territories.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name="structure",
    )
    territory_code = models.CharField("territoire", max_length=40, blank=True)
    territory_name = models.CharField("nom du territoire", max_length=200, blank=True)
    prefix = models.CharField("début du jeton", max_length=16, unique=True)
    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True)
    actor = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token", verbose_name="compte technique"
    )
    created_at = models.DateTimeField("émis le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="émis par"
    )
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="révoqué par",
    )
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=TokenKind.STRUCTURE) & Q(structure__isnull=False) & Q(territory_code=""))
                | (Q(kind=TokenKind.TERRITORY) & Q(structure__isnull=True) & ~Q(territory_code="")),
                name="api_token_one_scope",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def territory(self) -> Territory | None:
        if not self.territory_code:
            return None
        try:
            return parse_territory(self.territory_code)
        except TerritoryError:
            return None

    @property
    def scope_label(self) -> str:
        if self.kind == TokenKind.STRUCTURE:
            return str(self.structure)
        return self.territory_name or self.territory_code

    @property
    def role(self) -> str:
        return Role.CASEWORKER if self.kind == TokenKind.STRUCTURE else Role.COORDINATOR

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return "Révoqué"
        if self.expires_at <= timezone.now():
            return "Expiré"
        return "Actif"
