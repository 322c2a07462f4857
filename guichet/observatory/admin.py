from django.contrib import admin

from .models import (
    AggregationRun,
    ChannelVolume,
    DigitalProject,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    PanoramaEdition,
    ProgrammeEntry,
    ProjectRecord,
)


@admin.register(ProgrammeEntry)
class ProgrammeEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "phase", "procedure"]
    list_filter = ["phase"]
    search_fields = ["title"]
    raw_id_fields = ["procedure"]


@admin.register(ChannelVolume)
class ChannelVolumeAdmin(admin.ModelAdmin):
    list_display = ["entry", "channel", "month", "count"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organisation", "computation"]


@admin.register(IndicatorGoal)
class IndicatorGoalAdmin(admin.ModelAdmin):
    list_display = ["indicator", "zone", "initial_value", "target_value", "target_date"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "zone", "date", "value", "computed"]


@admin.register(AggregationRun)
class AggregationRunAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "trigger", "status", "entries", "finished_at"]
    readonly_fields = [field.name for field in AggregationRun._meta.fields]


class ViewOnlyAdmin(admin.ModelAdmin):
    """The panorama is written through its audited services (its steering screens) only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DigitalProject)
class DigitalProjectAdmin(ViewOnlyAdmin):
    list_display = ["name", "ministry_code", "organisation", "phase", "listed"]
    list_filter = ["phase", "listed"]
    search_fields = ["name"]


@admin.register(PanoramaEdition)
class PanoramaEditionAdmin(ViewOnlyAdmin):
    list_display = ["title", "organisation", "published_on", "status"]


@admin.register(ProjectRecord)
class ProjectRecordAdmin(ViewOnlyAdmin):
    list_display = ["name", "edition", "phase", "cost_current_meur"]
    list_filter = ["edition"]
