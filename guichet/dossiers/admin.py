from django.contrib import admin

from .models import Dossier


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["number", "procedure", "applicant", "state", "submitted_at", "due_at", "group"]
    list_filter = ["state", "procedure"]
    search_fields = ["number", "applicant__email"]
    raw_id_fields = ["applicant", "version", "group"]
    readonly_fields = ["state", "number", "version_notice"]
