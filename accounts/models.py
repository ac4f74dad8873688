from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from accounts.enums import SCOPE_KINDS, Role
from territories.territory import Territory, TerritoryError, parse_territory


class User(AbstractUser):
    role = models.CharField("rôle", max_length=20, choices=Role.choices, blank=True)
    structures = models.ManyToManyField(
        "territories.Structure",
        blank=True,
        related_name="members",
        verbose_name="structures",
        help_text="Pour un référent : les structures dont il suit les parcours.",
    )
    territories = models.CharField(
        "territoires",
        max_length=500,
        blank=True,
        help_text="Codes séparés par des espaces, par exemple « departement:13 epci:200054807 » "
        "(coordination), « region:93 » ou « france » (administration, observation).",
    )

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self):
        full = self.get_full_name()
        return full or self.username

    @cached_property
    def scope_territories(self) -> list[Territory]:
        result = []
        for code in self.territories.split():
            try:
                result.append(parse_territory(code))
            except TerritoryError:
                continue  # clean() refuses it on save; a stale code grants nothing
        return result

    def territory_q(self, path: str = "") -> Q:
        """Rows whose commune (through `path`) is in one of the user's territories; none without one."""
        territories = self.scope_territories
        if not territories:
            return Q(pk__in=[])
        condition = territories[0].commune_q(path)
        for territory in territories[1:]:
            condition |= territory.commune_q(path)
        return condition

    @cached_property
    def structure_ids(self) -> list[int]:
        return list(self.structures.values_list("pk", flat=True)) if self.pk else []

    @property
    def is_caseworker(self) -> bool:
        return self.role == Role.CASEWORKER

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_observer(self) -> bool:
        return self.role == Role.OBSERVER

    def clean(self):
        super().clean()
        allowed = SCOPE_KINDS.get(self.role, ())
        codes = self.territories.split()
        errors = []
        for code in codes:
            try:
                territory = parse_territory(code)
            except TerritoryError as error:
                errors.append(str(error))
                continue
            if territory.kind not in allowed:
                errors.append(f"Le territoire « {code} » ne convient pas au rôle {self.get_role_display()}.")
        if self.role in (Role.ADMINISTRATOR, Role.OBSERVER) and len(codes) > 1:
            errors.append("Ce rôle porte sur un seul territoire.")
        if self.role in (Role.COORDINATOR, Role.ADMINISTRATOR, Role.OBSERVER) and not codes:
            errors.append("Indiquez le territoire de ce rôle.")
        if errors:
            raise ValidationError({"territories": errors})


class LoginLock(models.Model):
    """Failed sign-ins of one user name (as typed, lower-cased) and, after too many, until when it is
    locked (roles.md). Unknown names are tracked too, so the answer does not reveal which accounts exist."""

    username = models.CharField("identifiant", max_length=150, unique=True)
    failures = models.PositiveSmallIntegerField("échecs consécutifs", default=0)
    last_failure_at = models.DateTimeField("dernier échec", null=True, blank=True)
    locked_until = models.DateTimeField("verrouillé jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "verrouillage de connexion"
        verbose_name_plural = "verrouillages de connexion"

    def __str__(self):
        return self.username


class TotpDevice(models.Model):
    """The authenticator app of one person (roles.md: administrators use a second factor). Unconfirmed
    until a first right code proves the app holds the secret; deleting the row makes the person enrol
    again at their next sign-in."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device", verbose_name="compte")
    secret = models.CharField("clé secrète (base32)", max_length=64)
    confirmed_at = models.DateTimeField("activé le", null=True, blank=True)
    # A code is good for one sign-in only: a code of this step or an earlier one is refused.
    last_used_step = models.BigIntegerField("dernier pas de temps utilisé", null=True, blank=True)
    # Not reset by a right password, so that signing in again does not give more guesses.
    failures = models.PositiveSmallIntegerField("codes erronés consécutifs", default=0)

    class Meta:
        verbose_name = "second facteur"
        verbose_name_plural = "seconds facteurs"

    def __str__(self):
        return f"Second facteur de {self.user.username}"
