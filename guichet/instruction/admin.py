from django.contrib import admin

from .models import ExpertInvitation, InstructorGroup, InstructorMembership, TransitionLog


class MembershipInline(admin.TabularInline):
    model = InstructorMembership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(InstructorGroup)
class InstructorGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "procedure", "is_default"]
    list_filter = ["procedure"]
    inlines = [MembershipInline]


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


@admin.register(ExpertInvitation)
class ExpertInvitationAdmin(admin.ModelAdmin):
    list_display = ["dossier", "expert", "invited_by", "confidential", "revoked_at"]
    raw_id_fields = ["dossier", "expert", "invited_by"]
