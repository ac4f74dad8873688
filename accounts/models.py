from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_otp.models import Device

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
    # ProConnect's `sub` for this account, kept at its first ProConnect sign-in (linked by its email):
    # later sign-ins match on it (accounts/oidc.py). Empty until then; cleared to link another identity.
    oidc_sub = models.CharField(
        "identifiant ProConnect",
        max_length=255,
        blank=True,
        default="",
        help_text="Renseigné à la première connexion par ProConnect. Le vider permet de relier une autre identité.",
    )

    class Meta:
        verbose_name = "utilisateur"
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_sub"], condition=~Q(oidc_sub=""), name="accounts_user_oidc_sub_unique"
            )
        ]

    def __str__(self):
        full = self.get_full_name()
        return full or self.username

    # What a change of ends the account's sessions (accounts/services.py): a session keeps no right that
    # the account lost.
    SESSION_FIELDS = ("role", "territories", "is_superuser", "is_active")

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._loaded = {name: getattr(user, name) for name in cls.SESSION_FIELDS if name in field_names}
        return user

    def save(self, *args, **kwargs):
        """`is_staff` and the groups follow from the role (roles.md): an administrator reaches the admin
        with the reference-data group, a superuser reaches it with every right, nobody else does."""
        from accounts.services import account_privileges_sync, account_sessions_end

        update_fields = kwargs.get("update_fields")
        self.is_staff = bool(self.is_superuser or self.role == Role.ADMINISTRATOR)
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        loaded = getattr(self, "_loaded", None)
        super().save(*args, **kwargs)
        if update_fields is None or "role" in update_fields or "is_superuser" in update_fields:
            account_privileges_sync(user=self)
        if loaded is not None and any(loaded.get(name, getattr(self, name)) != getattr(self, name) for name in loaded):
            account_sessions_end(user=self)
        self._loaded = {name: getattr(self, name) for name in self.SESSION_FIELDS}

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


class Invitation(models.Model):
    """A single-use link with which a new account's holder sets their password (accounts/invitations.py).
    Only a hash of the token is kept: the link itself is in the email alone."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations", verbose_name="compte")
    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True)
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="envoyée par"
    )
    expires_at = models.DateTimeField("expire le")
    used_at = models.DateTimeField("utilisée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation de {self.user.username}"


class IdentityProviderDevice(Device):
    """The second factor that the identity provider says it checked (ProConnect's amr/acr claims,
    accounts/oidc.py): put in the session at such a sign-in, it makes the session verified for django-otp
    as a code from the person's app would. It accepts no code of its own."""

    class Meta:
        verbose_name = "second facteur du fournisseur d'identité"

    def verify_token(self, token):
        return False
