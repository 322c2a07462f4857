from django.contrib import admin

from guichet.core.admin import ReadOnlyAdmin

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


# The panorama's rows below are written through its audited services (its steering screens) only.
@admin.register(DigitalProject)
class DigitalProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "ministry_code", "organisation", "phase", "listed"]
    list_filter = ["phase", "listed"]
    search_fields = ["name"]


@admin.register(PanoramaEdition)
class PanoramaEditionAdmin(ReadOnlyAdmin):
    list_display = ["title", "organisation", "published_on", "status"]


@admin.register(ProjectRecord)
class ProjectRecordAdmin(ReadOnlyAdmin):
    list_display = ["name", "edition", "phase", "cost_current_meur"]
    list_filter = ["edition"]
