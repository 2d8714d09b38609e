"""The admin's side of the access policy: base classes every ModelAdmin of the project uses.

Django's model permissions (groups, user permissions, ``is_superuser``) play
no part here: ``is_staff`` only opens the door, then ``access.policy`` answers
who may see a model, which rows, and who may change them. On top of that:

* the list filters are the only questions a list answers: ``lookup_allowed``
  accepts exactly the query parameters the declared ``list_filter`` and
  ``date_hierarchy`` produce, so ``?content__icontains=…`` or
  ``?pin_hash__startswith=…`` is refused with a 400, never answered;
* a row outside the user's scope is a 404, the same as a row that does not
  exist, so the admin is no oracle over other units' ids.
"""
from django.contrib import admin
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.http import Http404

from . import policy

#: Years the date drill-down accepts: outside them Python's dates overflow (a 500 otherwise).
DATE_HIERARCHY_YEARS = range(1000, 9999)


class PolicyAdminMixin:
    """Permissions, scope and lookups from the policy. Subclasses say who may view and change, and the scope."""

    def may_view(self, request) -> bool:
        """Who sees this model in the admin at all (default: anyone holding a valid membership)."""
        return policy.is_staff_member(request.user)

    def may_change(self, request, obj=None) -> bool:
        """Who changes it (default: nobody — the records are changed by services)."""
        return False

    def may_add(self, request) -> bool:
        return self.may_change(request)

    def may_delete(self, request, obj=None) -> bool:
        return self.may_change(request, obj)

    def scope(self, request, queryset):
        """The rows the user may see (default: none)."""
        return queryset.none()

    # --- Django's hooks, all answered above -------------------------------------------

    def has_module_permission(self, request):
        return self.may_view(request) or self.may_change(request)

    def has_view_permission(self, request, obj=None):
        return self.may_view(request) or self.may_change(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return self.may_add(request)

    def has_change_permission(self, request, obj=None):
        return self.may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_delete(request, obj)

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """Out of scope or absent: the same 404, so ids of other units cannot be probed."""
        raise Http404

    # --- lookups -----------------------------------------------------------------------

    def allowed_lookups(self, request) -> set[str]:
        """The query parameters the declared filters and date drill-down produce, and nothing else."""
        allowed: set[str] = set()
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                allowed.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, (list, tuple)) else item
            if not isinstance(path, str):
                continue
            field = get_fields_from_path(self.model, path)[-1]
            allowed.add(f"{path}__isnull")
            if field.is_relation:
                allowed.add(f"{path}__{field.target_field.name}__exact")
            elif isinstance(field, models.DateField):
                allowed |= {f"{path}__gte", f"{path}__lt"}
            else:
                allowed |= {path, f"{path}__exact"}
        if self.date_hierarchy:
            allowed |= {f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day")}
        return allowed

    def lookup_allowed(self, lookup, value, request=None):
        """Only the declared filters: any other lookup is a question about data the list does not show.

        Refusing makes Django answer 400 (``DisallowedModelAdminLookup``).
        """
        if lookup not in self.allowed_lookups(request):
            return False
        if self.date_hierarchy and lookup == f"{self.date_hierarchy}__year":
            return str(value).isdigit() and int(value) in DATE_HIERARCHY_YEARS
        if self.date_hierarchy and lookup in (f"{self.date_hierarchy}__month", f"{self.date_hierarchy}__day"):
            return str(value).isdigit() and 1 <= int(value) <= 31
        return True


class PolicyModelAdmin(PolicyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyPolicyModelAdmin(PolicyModelAdmin):
    """A window onto append-only or service-owned records: never added, changed or deleted here."""

    actions = None

    def may_change(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline:
    """An inline that only shows rows, to whoever may view its parent."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site._registry.get(self.parent_model)
        return parent is not None and parent.has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
