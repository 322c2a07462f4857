from django.contrib import admin

from guichet.core.admin import ReadOnlyAdmin

from .models import Dossier, TransitionLog


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["number", "procedure", "applicant", "state", "submitted_at", "due_at", "group"]
    list_filter = ["state", "procedure"]
    search_fields = ["number", "applicant__email"]
    raw_id_fields = ["applicant", "version", "group"]
    readonly_fields = ["state", "number", "version_notice"]


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "transition", "from_state", "to_state", "actor", "actor_role", "at"]
    list_filter = ["transition", "actor_role"]
