"""Deadline rules and the working calendar: read by every official, changed by the system administrator."""
from django.contrib import admin

from access import policy
from access.admin import PolicyModelAdmin

from . import changes
from .models import CalendarOverride, CalendarYear, DeadlineRule


class ReferenceDataAdmin(PolicyModelAdmin):
    """The law's data: viewed by staff, changed by the system administrator only.

    A change is attributed to the administrator who made it: the stored due
    dates it moves are recomputed with an event naming them (``cases.recompute``).
    """

    def may_change(self, request, obj=None) -> bool:
        return policy.is_system_admin(request.user)

    def scope(self, request, queryset):
        return queryset

    def save_model(self, request, obj, form, change):
        with changes.acting(request.user):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with changes.acting(request.user):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with changes.acting(request.user):
            super().delete_queryset(request, queryset)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ReferenceDataAdmin):
    list_display = ("code", "kind", "deadline_type", "round", "complexity", "remote", "multi_site", "length",
                    "day_count", "max_extensions", "effective_from", "effective_to", "legal_source")
    list_filter = ("kind", "deadline_type", "day_count", "round", "complexity", "remote", "multi_site",
                   "effective_from")
    search_fields = ("code", "legal_source", "note")
    ordering = ("kind", "deadline_type", "code", "effective_from")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ReferenceDataAdmin):
    list_display = ("date", "kind", "description", "assumed", "source")
    list_filter = ("kind", "assumed")
    search_fields = ("description", "source")
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(ReferenceDataAdmin):
    list_display = ("year", "confirmed", "source")
    list_filter = ("confirmed",)
    search_fields = ("source", "note")
