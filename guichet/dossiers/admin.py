from django.contrib import admin

from .models import Dossier, TransitionLog


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["number", "procedure", "applicant", "state", "submitted_at", "due_at", "group"]
    list_filter = ["state", "procedure"]
    search_fields = ["number", "applicant__email"]
    raw_id_fields = ["applicant", "version", "group"]
    readonly_fields = ["state", "number", "version_notice"]


@admin.register(TransitionLog)
class TransitionLogAdmin(admin.ModelAdmin):
    list_display = ["dossier", "transition", "from_state", "to_state", "actor", "actor_role", "at"]
    list_filter = ["transition", "actor_role"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
