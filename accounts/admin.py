"""Accounts in the Django admin (docs/roles.md).

An administrator manages the accounts of their own territory only (accounts/perms.py), never their own role
or scope, and never anyone's password: an account is created without one and its holder chooses it through
an invitation link (accounts/invitations.py). `is_staff` and the groups follow from the role
(User.save). Superusers may do everything, except set passwords through the add form too."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import Role
from accounts.forms import AdminLoginForm
from accounts.invitations import invitation_send
from accounts.lockout import client_ip
from accounts.models import Invitation, User
from accounts.perms import administrator_scope, can_manage_account, manageable_account_ids, structure_ids_within
from accounts.second_factor import devices_reset, recovery_codes_left
from accounts.services import account_audit, account_snapshot
from audit.enums import Action
from reports.perms import territory_within
from territories.models import Structure
from territories.territory import TerritoryError, parse_territory

# The admin sign-in obeys the same lock as the sign-in page, with the same French message.
admin.site.login_form = AdminLoginForm

# django-otp's own device pages would show the secret keys: the reset is an action on the account instead.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

NOT_DELETABLE = "Un compte qui a saisi des données ne peut pas être supprimé : désactivez-le."
# Apps whose rows record what an account did: such an account stays, deactivated (h6 makes them PROTECT).
RECORD_APPS = {"pathways", "reports", "territories"}

SCOPE_FIELDSET = (
    "Rôle et périmètre",
    {
        "fields": ("role", "structures", "territories"),
        "description": "Un référent a une ou plusieurs structures ; la coordination, l'administration et "
        "l'observation ont un territoire (codes vérifiés à l'enregistrement). Vous ne gérez que les comptes "
        "de votre territoire.",
    },
)
IDENTITY_FIELDSET = ("Identité", {"fields": ("username", "first_name", "last_name", "email")})


def account_has_records(user) -> bool:
    # include_hidden: most of these foreign keys have related_name="+".
    for relation in User._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue
        model = relation.related_model
        if model._meta.app_label not in RECORD_APPS:
            continue
        if model._default_manager.filter(**{relation.field.name: user}).exists():
            return True
    return False


class ScopeFormMixin:
    """Refuses, in French, a scope outside the territory of the administrator who saves the account."""

    admin_user = None

    def _post_clean(self):
        # After the model's own checks (User.clean), so that a scope refused here is not also "missing".
        super()._post_clean()
        admin_user = self.admin_user
        if admin_user is None or admin_user.is_superuser or "role" not in self.fields:
            return  # a superuser; or their own account, whose role and scope are read-only
        cleaned = self.cleaned_data
        role = cleaned.get("role")
        if not role:
            if "role" not in self.errors:
                self.add_error("role", "Indiquez le rôle du compte.")
            return
        scope = administrator_scope(admin_user)
        if scope is None:
            self.add_error(None, "Votre compte n'a pas de territoire : il ne peut gérer aucun compte.")
            return
        if role == Role.CASEWORKER:
            structures = cleaned.get("structures") or []
            outside = [s for s in structures if s.pk not in structure_ids_within(scope)]
            if outside:
                names = ", ".join(s.name for s in outside)
                self.add_error("structures", f"Ces structures ne sont pas dans votre territoire ({scope}) : {names}.")
            elif not structures and "structures" not in self.errors:
                self.add_error("structures", "Un référent a au moins une structure de votre territoire.")
            return
        if "territories" in self.errors:
            return
        for code in (cleaned.get("territories") or "").split():
            try:
                territory = parse_territory(code)
            except TerritoryError:
                continue  # User.clean() names the error
            if not territory_within(territory, scope):
                self.add_error(
                    "territories",
                    f"Le territoire « {code} » n'est pas dans votre territoire ({scope}) : vous ne gérez que "
                    "les comptes de votre territoire.",
                )


class AccountAddForm(ScopeFormMixin, forms.ModelForm):
    """No password: the account's holder chooses it with the invitation sent on saving."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "structures", "territories")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = "L'invitation à choisir un mot de passe part à cette adresse."

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class AccountChangeForm(ScopeFormMixin, forms.ModelForm):
    """An administrator's form: no password field at all."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "structures", "territories", "is_active")


class SuperuserAccountChangeForm(ScopeFormMixin, UserChangeForm):
    """A superuser's: the password hash, read-only, links to Django's page that sets a new one."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = AccountChangeForm
    add_form = AccountAddForm
    list_display = ["username", "first_name", "last_name", "role", "scope", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email", "territories"]
    filter_horizontal = ["structures"]
    add_fieldsets = (IDENTITY_FIELDSET, SCOPE_FIELDSET)
    actions = ["resend_invitation", "deactivate", "reset_second_factor"]

    @admin.display(description="périmètre")
    def scope(self, user):
        if user.territories:
            return user.territories
        return ", ".join(s.name for s in user.structures.all()) or "—"

    @admin.display(description="second facteur")
    def second_factor(self, user):
        device = TOTPDevice.objects.filter(user=user).first()
        if device is None or not device.confirmed:
            return "non activé (activé à la prochaine connexion si le compte en a besoin)"
        return f"activé ; {recovery_codes_left(user)} code(s) de secours restant(s)"

    # Which fields -----------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        status = ("Statut", {"fields": ("is_active", "second_factor", "last_login", "date_joined")})
        if request.user.is_superuser:
            # The ProConnect link: cleared, the next ProConnect sign-in links the account again by its email.
            privileges = ("Superutilisateur", {"fields": ("is_superuser", "password", "oidc_sub")})
            return (IDENTITY_FIELDSET, SCOPE_FIELDSET, status, privileges)
        return (IDENTITY_FIELDSET, SCOPE_FIELDSET, status)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["second_factor", "last_login", "date_joined"]
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            # An administrator never changes their own role or scope (nor deactivates themselves).
            readonly += ["role", "structures", "territories", "is_active"]
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and request.user.is_superuser:
            kwargs["form"] = SuperuserAccountChangeForm
        form = super().get_form(request, obj, **kwargs)
        form.admin_user = request.user
        if "is_active" in form.base_fields:
            form.base_fields["is_active"].help_text = (
                "Décochez pour fermer le compte : ses sessions se terminent. " + NOT_DELETABLE
            )
        return form

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "structures" and not request.user.is_superuser:
            scope = administrator_scope(request.user)
            queryset = Structure.objects.filter(scope.commune_q("commune")) if scope else Structure.objects.none()
            kwargs["queryset"] = queryset.order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Which accounts ---------------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("structures")
        ids = manageable_account_ids(request.user)
        return queryset if ids is None else queryset.filter(pk__in=ids)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not can_manage_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted: only a superuser deletes one, and never one that recorded
        # anything (the rows it wrote keep naming it).
        if not request.user.is_superuser:
            return False
        if obj is not None and account_has_records(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one account at a time, with the check above
        if not request.user.is_superuser:
            actions.pop("reset_second_factor", None)
        return actions

    def user_change_password(self, request, id, form_url=""):
        # Nobody sets another person's password, except a superuser; everyone changes their own from the
        # admin's "changer de mot de passe" page, or resets it through "mot de passe oublié".
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.user.is_superuser and account_has_records(obj):
            messages.info(request, NOT_DELETABLE)
        return super().change_view(request, object_id, form_url, extra_context)

    # Saving, audited ------------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            request._account_before = account_snapshot(User.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        ip_address = client_ip(request)
        if change:
            account_audit(
                by=request.user,
                user=user,
                action=Action.UPDATE,
                before=request._account_before,
                detail="compte modifié",
                ip_address=ip_address,
            )
            return
        account_audit(
            by=request.user, user=user, action=Action.CREATE, before={}, detail="compte créé", ip_address=ip_address
        )
        self._invite(request, user)

    def _invite(self, request, user) -> bool:
        try:
            invitation_send(
                user=user, by=request.user, base_url=request.build_absolute_uri("/"), ip_address=client_ip(request)
            )
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
            return False
        self.message_user(request, f"Invitation envoyée à {user.email} pour le compte « {user.username} ».")
        return True

    @admin.action(description="Renvoyer l'invitation (nouveau lien, l'ancien ne sert plus)")
    def resend_invitation(self, request, queryset):
        for user in queryset:
            if user.has_usable_password():
                self.message_user(
                    request,
                    f"« {user.username} » a déjà choisi son mot de passe : pas d'invitation (il peut utiliser "
                    "« Mot de passe oublié ? »).",
                    messages.WARNING,
                )
                continue
            self._invite(request, user)

    @admin.action(description="Désactiver les comptes sélectionnés")
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            before = account_snapshot(user)
            user.is_active = False
            user.save(update_fields=["is_active"])
            account_audit(
                by=request.user,
                user=user,
                action=Action.UPDATE,
                before=before,
                detail="compte désactivé",
                ip_address=client_ip(request),
            )
        self.message_user(request, "Comptes désactivés : leurs sessions sont terminées.")

    @admin.action(description="Réinitialiser le second facteur (application et codes de secours)")
    def reset_second_factor(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied
        for user in queryset:
            devices_reset(user=user, by=request.user, ip_address=client_ip(request))
        self.message_user(
            request,
            "Second facteur réinitialisé : ces comptes enregistreront une application à leur prochaine connexion.",
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only trace of the invitations sent (the token itself is never kept)."""

    list_display = ["user", "created_at", "created_by", "expires_at", "used_at", "state"]
    list_select_related = ["user", "created_by"]
    fields = ["user", "created_at", "created_by", "expires_at", "used_at"]
    readonly_fields = fields

    @admin.display(description="état")
    def state(self, invitation):
        if invitation.used_at:
            return "utilisée"
        return "expirée" if invitation.expires_at <= timezone.now() else "en attente"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = manageable_account_ids(request.user)
        return queryset if ids is None else queryset.filter(user_id__in=ids)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
