from django.contrib import admin

from .models import InstructorGroup, InstructorMembership, Procedure, ProcedureVersion


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "published_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["title", "slug"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "published_at", "published_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = InstructorMembership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(InstructorGroup)
class InstructorGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "procedure", "is_default"]
    list_filter = ["procedure"]
    inlines = [MembershipInline]
