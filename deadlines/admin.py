from django.contrib import admin

from .models import CalendarOverride, DeadlineRule


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "deadline_type", "round", "complexity", "remote", "multi_site", "length",
                    "day_count", "max_extensions", "effective_from", "effective_to", "legal_source")
    list_filter = ("kind", "deadline_type", "day_count", "round", "complexity", "remote", "multi_site",
                   "effective_from")
    search_fields = ("code", "legal_source", "note")
    ordering = ("kind", "deadline_type", "code", "effective_from")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "description", "assumed", "source")
    list_filter = ("kind", "assumed")
    search_fields = ("description", "source")
    date_hierarchy = "date"
