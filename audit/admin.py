from django.contrib import admin
from django.utils.html import format_html, format_html_join

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only and only superusers may consult it."""

    list_display = ["at", "username", "action", "target", "target_id", "household_id", "shown_count", "detail"]
    list_filter = ["action", "target"]
    search_fields = ["username", "detail"]
    date_hierarchy = "at"
    show_full_result_count = False
    fields = [
        "at",
        "username",
        "user",
        "ip_address",
        "action",
        "target",
        "target_id",
        "household_id",
        "detail",
        "shown_ids",
        "change_lines",
    ]
    readonly_fields = fields

    @admin.display(description="dossiers affichés")
    def shown_count(self, event):
        return len(event.object_ids) or ""

    @admin.display(description="identifiants affichés")
    def shown_ids(self, event):
        return ", ".join(str(pk) for pk in event.object_ids) or "—"

    @admin.display(description="modifications (avant → après)")
    def change_lines(self, event):
        if not event.changes:
            return "—"
        rows = ((field, _shown(values[0]), _shown(values[1])) for field, values in sorted(event.changes.items()))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} : {} → {}</li>", rows))

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _shown(value) -> str:
    return "—" if value in (None, "") else str(value)
