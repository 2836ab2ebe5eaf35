from django.contrib import admin

from shared_apps.core.admin_sites import company_admin_site

from .models import AIAuditEntry


@admin.register(AIAuditEntry, site=company_admin_site)
class AIAuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is evidence."""

    list_display = ["created_at", "user", "kind", "provider", "dry_run", "request"]
    list_filter = ["kind", "provider", "dry_run", "created_at"]
    search_fields = ["request", "reply"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
