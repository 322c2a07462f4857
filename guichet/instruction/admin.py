from django.contrib import admin

from .models import ExpertInvitation


@admin.register(ExpertInvitation)
class ExpertInvitationAdmin(admin.ModelAdmin):
    list_display = ["dossier", "expert", "invited_by", "confidential", "revoked_at"]
    raw_id_fields = ["dossier", "expert", "invited_by"]
