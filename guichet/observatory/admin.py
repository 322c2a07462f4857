from django.contrib import admin

from .models import AggregationRun, ChannelVolume, Indicator, IndicatorGoal, IndicatorValue, ProgrammeEntry


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
