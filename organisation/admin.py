"""The admin of people, units and memberships: the one place rights are given, so the most guarded.

* Users, groups, units and memberships are changed by the system
  administrator only (``access.policy.is_system_admin``), and nobody changes
  their own account or memberships — the change view of one's own row is
  read-only and ``save_model``/``save_formset`` refuse it again.
* ``is_superuser``, ``groups`` and ``user_permissions`` are read-only for
  everybody: the admin's permissions come from the policy, not from them, and
  superuser status is given only with ``manage.py createsuperuser`` or the
  shell (it opens the admin and nothing more).
* Users are deactivated, never deleted (the audit trails name them); units
  are closed with ``valid_to``, never deleted.
* Every membership change goes through ``organisation.services`` and is
  recorded in ``MembershipChange``, which heads of the unit and the units
  above it see here, read-only.
* Heads and administrators of lower units see the units and memberships of
  their own subtree, read-only.
"""
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import policy
from access.admin import PolicyAdminMixin, PolicyModelAdmin, ReadOnlyPolicyModelAdmin

from . import selectors, services
from .models import Membership, MembershipChange, Unit

User = get_user_model()

SELF_CHANGE_REFUSED = gettext_lazy("Nobody can change their own memberships.")


def _own(request, user) -> bool:
    return request is not None and user is not None and getattr(user, "pk", user) == request.user.pk


def _check_membership_values(cleaned, *, request, instance) -> None:
    """What the service would refuse, said on the form instead of as an error page."""
    user = cleaned.get("user") or (instance.user if instance.user_id else None)
    if _own(request, user):
        raise ValidationError(SELF_CHANGE_REFUSED)
    valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError(_("A membership cannot end before it starts."))
    unit = cleaned.get("unit") or (instance.unit if instance.unit_id else None)
    role = cleaned.get("role")
    if user is not None and unit is not None and role and Membership.objects.filter(
        user=user, unit=unit, role=role
    ).exclude(pk=instance.pk).exists():
        raise ValidationError(_("This person already holds that role in that unit."))


# --- users and groups ------------------------------------------------------------------

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(PolicyAdminMixin, DjangoUserAdmin):
    """Accounts: the system administrator's, never one's own; rights are not set here."""

    readonly_fields = ["is_superuser", "groups", "user_permissions", "last_login", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    actions = None

    def may_view(self, request) -> bool:
        return policy.is_system_admin(request.user)

    def may_add(self, request) -> bool:
        return policy.is_system_admin(request.user)

    def may_change(self, request, obj=None) -> bool:
        if obj is None:
            return policy.is_system_admin(request.user)
        return policy.may_change_account(request.user, obj)

    def may_delete(self, request, obj=None) -> bool:
        return False  # deactivate instead: cases, events and looks name their users

    def scope(self, request, queryset):
        return queryset if policy.is_system_admin(request.user) else queryset.none()

    def save_model(self, request, obj, form, change):
        if change and not policy.may_change_account(request.user, obj):
            raise PermissionDenied
        if not change and not policy.is_system_admin(request.user):
            raise PermissionDenied
        # Superuser status never comes from this form, whatever was posted.
        obj.is_superuser = User.objects.filter(pk=obj.pk).values_list("is_superuser", flat=True).first() or False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if "groups" in form.cleaned_data or "user_permissions" in form.cleaned_data:
            raise PermissionDenied
        super().save_related(request, form, formsets, change)


@admin.register(Group)
class GroupAdmin(PolicyAdminMixin, DjangoGroupAdmin):
    """Groups give nothing in this admin (the policy decides); kept for the system administrator only."""

    def may_view(self, request) -> bool:
        return policy.is_system_admin(request.user)

    def may_change(self, request, obj=None) -> bool:
        return policy.is_system_admin(request.user)

    def scope(self, request, queryset):
        return queryset if policy.is_system_admin(request.user) else queryset.none()


# --- units and memberships ---------------------------------------------------------------

class MembershipForm(forms.ModelForm):
    request = None  # set by the admin that builds the form class

    class Meta:
        model = Membership
        fields = ["user", "unit", "role", "valid_from", "valid_to"]

    def clean(self):
        cleaned = super().clean()
        if self.has_changed() or self.instance.pk is None:
            _check_membership_values(cleaned, request=self.request, instance=self.instance)
        return cleaned


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    request = None

    def clean(self):
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            deleting = self.can_delete and self._should_delete_form(form)
            if not (deleting or form.has_changed()):
                continue
            user = form.cleaned_data.get("user") or (form.instance.user if form.instance.user_id else None)
            if _own(self.request, user):
                raise ValidationError(SELF_CHANGE_REFUSED)


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "valid_from", "valid_to"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def has_view_permission(self, request, obj=None):
        return bool(policy.organisation_unit_ids(request.user))

    def has_add_permission(self, request, obj=None):
        return policy.is_system_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return policy.is_system_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return policy.is_system_admin(request.user)


@admin.register(Unit)
class UnitAdmin(PolicyModelAdmin):
    """The unit tree and its validity dates: changed by the system administrator, viewed by heads in their subtree."""

    list_display = ["name", "code", "level", "parent", "is_remote", "compiles_reports", "valid_from", "valid_to"]
    list_filter = ["level", "is_remote", "compiles_reports"]
    search_fields = ["name", "code"]
    inlines = [MembershipInline]
    actions = None

    def may_view(self, request) -> bool:
        return bool(policy.organisation_unit_ids(request.user))

    def may_change(self, request, obj=None) -> bool:
        return policy.is_system_admin(request.user)

    def may_delete(self, request, obj=None) -> bool:
        return False  # a unit is closed with its valid_to date: its cases and records stay with it

    def scope(self, request, queryset):
        return queryset.filter(pk__in=sorted(policy.organisation_unit_ids(request.user)))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = selectors.units_in_view(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not policy.is_system_admin(request.user):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Memberships added, changed or removed in the unit page go through the services too."""
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.membership_revoke(actor=request.user, membership=membership)
        for membership, _changed in formset.changed_objects:
            services.membership_change(actor=request.user, membership=membership, role=membership.role,
                                       valid_from=membership.valid_from, valid_to=membership.valid_to)
        for membership in formset.new_objects:
            created = services.membership_grant(actor=request.user, user=membership.user, unit=membership.unit,
                                                role=membership.role, valid_from=membership.valid_from,
                                                valid_to=membership.valid_to)
            membership.pk = created.pk
            membership._state.adding = False


@admin.register(Membership)
class MembershipAdmin(PolicyModelAdmin):
    """Who holds which role where. Granted, changed and revoked through ``organisation.services`` only."""

    form = MembershipForm
    list_display = ["user", "unit", "role", "valid_from", "valid_to"]
    list_filter = ["role", ("unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def may_view(self, request) -> bool:
        return bool(policy.organisation_unit_ids(request.user))

    def may_add(self, request) -> bool:
        return policy.is_system_admin(request.user)

    def may_change(self, request, obj=None) -> bool:
        if obj is None:
            return policy.is_system_admin(request.user)
        return policy.may_change_account(request.user, obj.user_id)

    def scope(self, request, queryset):
        return queryset.filter(unit_id__in=sorted(policy.organisation_unit_ids(request.user)))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = selectors.units_in_view(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            services.membership_change(actor=request.user, membership=obj, unit=obj.unit, role=obj.role,
                                       valid_from=obj.valid_from, valid_to=obj.valid_to)
            return
        created = services.membership_grant(actor=request.user, user=obj.user, unit=obj.unit, role=obj.role,
                                            valid_from=obj.valid_from, valid_to=obj.valid_to)
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.membership_revoke(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_revoke(actor=request.user, membership=membership)


@admin.register(MembershipChange)
class MembershipChangeAdmin(ReadOnlyPolicyModelAdmin):
    """The record of every grant, change and revocation, for the heads of the unit concerned and above."""

    list_display = ["at", "action", "user", "unit", "role", "actor", "old", "new"]
    list_filter = ["action", "role", ("unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username"]
    date_hierarchy = "at"
    list_select_related = ["user", "unit", "actor"]

    def may_view(self, request) -> bool:
        return bool(policy.membership_log_unit_ids(request.user))

    def scope(self, request, queryset):
        return selectors.membership_changes(user=request.user)
