from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "territories", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    filter_horizontal = ["structures", "groups", "user_permissions"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Rôle et périmètre", {"fields": ("role", "structures", "territories")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Rôle et périmètre", {"fields": ("role", "structures", "territories")}),
    )
