"""Deadline rules and the working calendar: read by every official, changed by the system administrator."""
from django.contrib import admin

from access import policy
from access.admin import PolicyModelAdmin

from .models import CalendarOverride, DeadlineRule


class ReferenceDataAdmin(PolicyModelAdmin):
    """The law's data: viewed by staff, changed by the system administrator only."""

    def may_change(self, request, obj=None) -> bool:
        return policy.is_system_admin(request.user)

    def scope(self, request, queryset):
        return queryset


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
