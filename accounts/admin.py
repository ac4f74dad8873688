from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.forms import AdminLoginForm
from accounts.models import LoginLock, TotpDevice, User

# The admin sign-in obeys the same lock as the sign-in page, with the same French message.
admin.site.login_form = AdminLoginForm

SCOPE_FIELDSET = (
    "Rôle et périmètre",
    {
        "fields": ("role", "structures", "territories"),
        "description": "Un référent a une ou plusieurs structures ; la coordination, l'administration et "
        "l'observation ont un territoire (codes vérifiés à l'enregistrement).",
    },
)
# Only a superuser may grant admin rights: an administrator manages roles and scopes, not privileges.
PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "scope", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "territories"]
    filter_horizontal = ["structures", "groups", "user_permissions"]
    fieldsets = (*BaseUserAdmin.fieldsets, SCOPE_FIELDSET)
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, SCOPE_FIELDSET)

    @admin.display(description="périmètre")
    def scope(self, user):
        if user.territories:
            return user.territories
        return ", ".join(s.name for s in user.structures.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("structures")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            readonly = (*readonly, *PRIVILEGE_FIELDS)
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    """Deleting a row unlocks the name at once."""

    list_display = ["username", "failures", "last_failure_at", "locked_until"]
    search_fields = ["username"]
    readonly_fields = ["username", "failures", "last_failure_at", "locked_until"]

    def has_add_permission(self, request):
        return False


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """Deleting a row resets the person's second factor: they enrol a new app at their next sign-in. Only
    superusers see or reset them (administrators hold the accounts permissions through their group), and
    the secret is never shown."""

    list_display = ["user", "confirmed_at", "failures"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "confirmed_at", "failures"]
    readonly_fields = fields
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
