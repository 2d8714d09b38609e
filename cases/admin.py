"""Django admin for cases: a window onto the records, not a way around the services.

Cases are read-only here: every change is a legal act with its own service
and event (``status`` is a protected FSM field), events are append-only, and
cases are taken in through the intake service. Staff see the cases of their
own units and the units below them.
A denouncer's identity is shown only to those ``cases.identity`` allows, and
every opening of a denunciation here is logged like any other look.
"""
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .identity import is_protected, may_see_identity, redacted_content
from .selectors import cases_in_scope
from .models import Attachment, Case, CaseEvent, IdentityAccess, Petitioner, Topic


class ReadOnlyMixin:
    """Append-only records: shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PetitionerInline(ReadOnlyMixin, admin.TabularInline):
    model = Petitioner
    extra = 0
    fields = ["full_name", "id_number", "phone", "address", "is_representative", "has_signed", "withdrawn_on"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["file", "description", "is_original", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


class CaseEventInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["at", "action", "from_status", "to_status", "actor", "legal_basis", "payload"]
    readonly_fields = fields
    ordering = ["at", "pk"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "tracking_code",
        "kind",
        "status",
        "sla_state",
        "acceptance_due",
        "resolution_due",
        "competent_unit",
        "received_at",
        "is_backlogged",
        "is_prolonged",
        "is_over_level",
        "is_mass",
        "is_duplicate",
    ]
    list_filter = [
        "status",
        "kind",
        "sla_state",
        "round",
        "complexity",
        "channel",
        "is_remote",
        "is_backlogged",
        "is_prolonged",
        "is_over_level",
        "is_mass",
        "is_duplicate",
        "topic",
    ]
    search_fields = ["tracking_code"]
    date_hierarchy = "received_at"
    list_select_related = ["competent_unit"]
    inlines = [PetitionerInline, AttachmentInline, CaseEventInline]
    fieldsets = [
        (None, {"fields": ["tracking_code", "kind", "channel", "received_at", "receiving_unit", "competent_unit", "topic"]}),
        (_("Content"), {"fields": ["content", "respondent_number", "respondent_date", "respondent_issuer", "respondent_act", "accused"]}),
        (
            _("Lifecycle"),
            {
                "fields": [
                    "status",
                    "status_reason",
                    "round",
                    "previous_round",
                    "complexity",
                    "complexity_grounds",
                    "handler",
                    "accepted_on",
                    "decided_on",
                    "closed_on",
                    "dialogue_held",
                    "extensions",
                    "suspensions",
                    "notice_sent_on",
                ]
            },
        ),
        (
            _("Deadlines and SLA"),
            {
                "fields": [
                    "acceptance_due",
                    "resolution_due",
                    "notice_due",
                    "sla_state",
                    "acceptance_sla",
                    "resolution_sla",
                    "notice_sla",
                    "deadline_basis",
                ]
            },
        ),
        (
            _("Flags"),
            {
                "fields": [
                    "is_signed",
                    "is_anonymous",
                    "is_remote",
                    "is_multi_site",
                    "is_backlogged",
                    "is_prolonged",
                    "is_over_level",
                    "is_mass",
                    "is_duplicate",
                    "is_refiled",
                    "duplicate_of",
                ]
            },
        ),
    ]

    def identity_hidden(self, request, obj) -> bool:
        return obj is not None and is_protected(obj) and not may_see_identity(user=request.user, case=obj)

    @admin.display(description=_("content (identities removed)"))
    def redacted_content(self, obj):
        return redacted_content(obj)

    def get_fieldsets(self, request, obj=None):
        if not self.identity_hidden(request, obj):
            return self.fieldsets
        swap = {"content": "redacted_content"}
        return [(title, {**opts, "fields": [swap.get(f, f) for f in opts["fields"]]}) for title, opts in self.fieldsets]

    def get_readonly_fields(self, request, obj=None):
        return [f for _title, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if self.identity_hidden(request, obj):
            inlines = [inline for inline in inlines if not isinstance(inline, PetitionerInline)]
        return inlines

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        if case is not None and is_protected(case):
            IdentityAccess.objects.create(case=case, user=request.user, at=timezone.now(), purpose="admin",
                                          granted=may_see_identity(user=request.user, case=case))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return cases_in_scope(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        """Read-only: every change to a case is a legal act with its own service and event."""
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "case", "action", "from_status", "to_status", "actor", "legal_basis"]
    list_filter = ["action", "to_status"]
    search_fields = ["case__tracking_code", "action"]
    list_select_related = ["case", "actor"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__in=cases_in_scope(user=request.user))


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
