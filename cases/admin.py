"""Django admin for cases: a window onto the records, not a way around the services.

Cases are read-only here: every change is a legal act with its own service
and event (``status`` is a protected FSM field), events are append-only, and
cases are taken in through the intake service. What a user sees is decided by
``access.policy`` (see ``access.admin``): the cases of their units and the
units below them, the declared filters and nothing else, a search over the
tracking code only. A denouncer's identity is shown only to the officers
``cases.identity`` allows, and every opening of a protected case here is
logged, granted or refused — a refusal included, when the case is outside the
user's scope and the answer is a 404.
"""
from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from access import policy
from access.admin import PolicyModelAdmin, ReadOnlyInline, ReadOnlyPolicyModelAdmin

from .identity import content_for, is_protected, may_see_identity, redacted_content
from .models import Attachment, Case, CaseEvent, IdentityAccess, Petitioner, Topic


def identity_hidden(request, case) -> bool:
    """A protected case's text and payloads are redacted for those §5 does not name."""
    return case is not None and is_protected(case) and not may_see_identity(user=request.user, case=case)


def people_hidden(request, case) -> bool:
    """The petitioners are shown to those the policy lets see them (an administrator is no officer of any case)."""
    return case is not None and not may_see_identity(user=request.user, case=case)


@admin.display(description=_("payload"))
def payload_protected(obj):
    return _("[protected]")


class PetitionerInline(ReadOnlyInline, admin.TabularInline):
    model = Petitioner
    fields = ["full_name", "id_number", "phone", "address", "is_representative", "has_signed", "withdrawn_on"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline, admin.TabularInline):
    model = Attachment
    fields = ["file", "description", "is_original", "uploaded_at"]
    readonly_fields = fields


class CaseEventInline(ReadOnlyInline, admin.TabularInline):
    model = CaseEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "legal_basis", "payload"]
    ordering = ["at", "pk"]

    def get_fields(self, request, obj=None):
        """A protected case's payloads (reasons, findings, minutes) are free text: hidden with the identity."""
        if identity_hidden(request, obj):
            return [payload_protected if f == "payload" else f for f in self.fields]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(Case)
class CaseAdmin(ReadOnlyPolicyModelAdmin):
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
        ("topic", admin.RelatedOnlyFieldListFilter),
    ]
    # The tracking code only, from its start: never the text or the people (see get_search_results).
    search_fields = ["^tracking_code"]
    date_hierarchy = "received_at"
    list_select_related = ["competent_unit"]
    inlines = [PetitionerInline, AttachmentInline, CaseEventInline]
    fieldsets = [
        (None, {"fields": ["tracking_code", "kind", "channel", "received_at", "receiving_unit", "competent_unit", "topic"]}),
        (_("Content"), {"fields": ["content", "respondent_number", "respondent_date", "respondent_issuer", "respondent_act",
                                   "knew_on", "force_majeure_days", "force_majeure_ground", "force_majeure_note",
                                   "accused"]}),
        (
            _("Lifecycle"),
            {
                "fields": [
                    "status",
                    "status_reason",
                    "refusal_ground",
                    "round",
                    "previous_round",
                    "is_escalated",
                    "complexity",
                    "complexity_grounds",
                    "complexity_criteria",
                    "handler",
                    "accepted_on",
                    "decided_on",
                    "closed_on",
                    "dialogue_held",
                    "extensions",
                    "extension_days",
                    "suspensions",
                    "notice_sent_on",
                    "termination_number",
                    "terminated_on",
                    "lapse_on",
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
                    "appeal_due",
                    "final_on",
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

    @admin.display(description=_("content (identities removed)"))
    def redacted_content(self, obj):
        return redacted_content(obj)

    def may_view(self, request) -> bool:
        return policy.is_staff_member(request.user)

    def scope(self, request, queryset):
        return queryset.filter(policy.case_q(request.user))

    def get_search_results(self, request, queryset, search_term):
        """The tracking code, normalised, from its start; nothing else is ever searched."""
        code = "".join(ch for ch in search_term if ch.isalnum()).upper()
        if not code:
            return queryset, False
        return queryset.filter(tracking_code__startswith=code), False

    @admin.display(description=_("previous round"))
    def previous_round_outside_scope(self, obj):
        return _("a case outside your units")

    @admin.display(description=_("duplicate of"))
    def duplicate_of_outside_scope(self, obj):
        return _("a case outside your units")

    def get_fieldsets(self, request, obj=None):
        swap = {}
        if identity_hidden(request, obj):
            swap["content"] = "redacted_content"
        for name in ("previous_round", "duplicate_of"):
            related = getattr(obj, name, None) if obj is not None else None
            if related is not None and not policy.may_view_case(request.user, related):
                swap[name] = f"{name}_outside_scope"  # its tracking code is half a citizen's credential
        if not swap:
            return self.fieldsets
        return [(title, {**opts, "fields": [swap.get(f, f) for f in opts["fields"]]}) for title, opts in self.fieldsets]

    def get_readonly_fields(self, request, obj=None):
        return [f for _title, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if people_hidden(request, obj):
            # The petitioners, and the documents that carry their names and signatures.
            inlines = [i for i in inlines if not isinstance(i, (PetitionerInline, AttachmentInline))]
        return inlines

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Every opening of a protected case is logged, granted or refused — out of scope too (then a 404)."""
        try:
            case = Case.objects.filter(pk=int(object_id)).first()
        except (TypeError, ValueError):
            case = None
        if case is None:
            raise Http404
        if is_protected(case):
            content_for(user=request.user, case=case, purpose="admin")  # writes the IdentityAccess row
        if not self.get_queryset(request).filter(pk=case.pk).exists():
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyPolicyModelAdmin):
    list_display = ["at", "case", "action", "from_status", "to_status", "actor", "legal_basis"]
    list_filter = ["action", "to_status"]
    search_fields = ["=case__tracking_code"]  # never the payload
    list_select_related = ["case", "actor"]
    date_hierarchy = "at"
    fields = ["case", "at", "action", "from_status", "to_status", "actor", "legal_basis", "payload"]

    def scope(self, request, queryset):
        return queryset.filter(policy.case_q(request.user, prefix="case__"))

    def get_fields(self, request, obj=None):
        if obj is not None and identity_hidden(request, obj.case):
            return [payload_protected if f == "payload" else f for f in self.fields]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(IdentityAccess)
class IdentityAccessAdmin(ReadOnlyPolicyModelAdmin):
    """Who opened which protected case, and whether it was shown: for the heads in scope and the system administrator."""

    list_display = ["at", "case", "user", "purpose", "granted"]
    list_filter = ["granted", "purpose"]
    search_fields = ["=case__tracking_code"]
    list_select_related = ["case", "user"]
    date_hierarchy = "at"

    def may_view(self, request) -> bool:
        return policy.may_audit_identities(request.user)

    def scope(self, request, queryset):
        return queryset.filter(policy.identity_audit_q(request.user))


@admin.register(Topic)
class TopicAdmin(PolicyModelAdmin):
    """Reference data: viewed by staff, changed by the system administrator."""

    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]

    def may_change(self, request, obj=None) -> bool:
        return policy.is_system_admin(request.user)

    def scope(self, request, queryset):
        return queryset
