from django.contrib import admin

from .models import AuditEvent, AuditTimestamp


class ReadOnlyAdmin(admin.ModelAdmin):
    """The admin of rows that are never added, changed or deleted by hand (append-only records)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "occurred_at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id"]


@admin.register(AuditTimestamp)
class AuditTimestampAdmin(ReadOnlyAdmin):
    list_display = ["seq", "authority_time", "tsa_url", "head_hash"]
    exclude = ["token"]  # DER bytes: `audit_verify` reads them, not people
