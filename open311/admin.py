"""Open311 services and keys: the system administrator's, like the other reference data (access.admin)."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from access import policy
from access.admin import PolicyModelAdmin

from .models import Open311ApiKey, Open311Service


class SystemAdminOnly(PolicyModelAdmin):
    def may_view(self, request) -> bool:
        return policy.is_system_admin(request.user)

    def may_change(self, request, obj=None) -> bool:
        return policy.is_system_admin(request.user)

    def scope(self, request, queryset):
        return queryset


@admin.register(Open311Service)
class Open311ServiceAdmin(SystemAdminOnly):
    list_display = ["service_code", "name", "kind", "group", "topic", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["service_code", "name"]
    raw_id_fields = ["topic"]


@admin.register(Open311ApiKey)
class Open311ApiKeyAdmin(SystemAdminOnly):
    """A new key is shown once, in the message after saving; only its hash is kept."""

    list_display = ["name", "unit", "key_prefix", "active", "created_at"]
    list_filter = ["active"]
    fields = ["name", "unit", "active", "key_prefix"]
    readonly_fields = ["key_prefix"]
    raw_id_fields = ["unit"]

    def may_delete(self, request, obj=None) -> bool:
        return False  # deactivate instead: requests keep their key

    def save_model(self, request, obj, form, change):
        key = obj.set_new_key() if not change else None
        super().save_model(request, obj, form, change)
        if key:
            messages.warning(request, _("The new API key (shown only now): %(key)s") % {"key": key})
