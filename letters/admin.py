"""Letter settings of units (the system administrator's) and the issued letters (read-only, in scope)."""
from django.contrib import admin

from access import policy
from access.admin import PolicyModelAdmin, ReadOnlyPolicyModelAdmin

from .models import Letter, RegisterCounter, UnitLetterSettings


@admin.register(UnitLetterSettings)
class UnitLetterSettingsAdmin(PolicyModelAdmin):
    list_display = ["unit", "symbol", "signer_title", "series_per_type"]

    def may_view(self, request) -> bool:
        return bool(policy.organisation_unit_ids(request.user))

    def may_add(self, request) -> bool:
        return policy.is_system_admin(request.user)

    def may_change(self, request, obj=None) -> bool:
        return policy.is_system_admin(request.user)

    def scope(self, request, queryset):
        return queryset.filter(unit_id__in=sorted(policy.organisation_unit_ids(request.user)))


@admin.register(RegisterCounter)
class RegisterCounterAdmin(ReadOnlyPolicyModelAdmin):
    list_display = ["unit", "year", "series", "last_number"]

    def scope(self, request, queryset):
        return queryset.filter(unit_id__in=sorted(policy.organisation_unit_ids(request.user)))


@admin.register(Letter)
class LetterAdmin(ReadOnlyPolicyModelAdmin):
    list_display = ["reference", "letter_type", "audience", "unit", "issued_on", "case"]
    list_filter = ["letter_type", "year"]

    def scope(self, request, queryset):
        return queryset.filter(policy.case_q(request.user, prefix="case__")).select_related("unit", "case")
