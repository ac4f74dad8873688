"""Bilans in the Django admin: read-only (a finished run never changes; a new run is a new request)."""

from django.contrib import admin

from reports.models import BilanFigure, BilanRun, Target


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BilanFigureInline(admin.TabularInline):
    model = BilanFigure
    fields = ("indicator_code", "scope", "year", "territory_name", "count_value", "decimal_value", "cases")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BilanRun)
class BilanRunAdmin(ReadOnlyAdmin):
    list_display = ("territory_name", "start", "end", "status", "requested_by", "requested_at", "published_at")
    list_filter = ("status", "period_kind")
    search_fields = ("territory_name", "territory_code")
    list_select_related = ("requested_by",)
    inlines = [BilanFigureInline]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("territory_name", "indicator_code", "start", "end", "value", "set_by", "set_at")
    search_fields = ("territory_name", "indicator_code")

    def has_delete_permission(self, request, obj=None):
        # A target set by mistake can be removed; the bilans pages set and change them.
        return request.user.is_superuser
