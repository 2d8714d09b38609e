"""The outbox, the message templates and the parties' contacts in the admin, answering to the policy.

* Notifications: the system administrator only (dead letters are found here
  and sent again with the "re-send" action). Addresses and rendered texts
  are never shown: the plain-data context says what a message was about.
* Message templates: read by staff, edited by the system administrator, with
  a preview rendered in the sandbox from sample data.
* Contacts: a case's e-mail/phone for a party, for the officers who may see
  that case's identities (``policy.identity_q``).
"""
from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access import policy
from access.admin import PolicyModelAdmin
from cases.models import Case

from . import delivery, templating
from .models import Contact, MessageTemplate, Notification

PREVIEW_CONTEXT = {
    "tracking_code": "KN-2026-000123", "kind": "Khiếu nại", "unit": "UBND xã Mẫu", "date": "01/07/2026",
    "legal_basis": "LKN Art 27", "resolution_due": "31/07/2026", "days": 30, "decision_number": "12/QĐ-UBND",
    "reason": "…", "to_body": "UBND tỉnh", "place": "Trụ sở UBND xã", "dialogue_at": "10/07/2026 08:00",
    "content": "…", "total": 3, "items": [{"unit": "UBND xã Mẫu", "count": 3, "reason": "overdue"}],
}


@admin.register(Notification)
class NotificationAdmin(PolicyModelAdmin):
    list_display = ("created_at", "template_key", "channel", "audience", "state", "attempts", "not_before", "sent_at",
                    "case")
    list_filter = ("state", "channel", "audience")
    date_hierarchy = "created_at"
    fields = ("delivery_key", "template_key", "language", "channel", "audience", "recipient", "case", "context_shown",
              "state", "attempts", "last_error", "created_at", "not_before", "sent_at", "read_at")
    readonly_fields = fields
    actions = ["resend"]

    def may_view(self, request) -> bool:
        return policy.is_system_admin(request.user)

    def scope(self, request, queryset):
        return queryset if policy.is_system_admin(request.user) else queryset.none()

    @admin.display(description=_("context"))
    def context_shown(self, obj):
        """A protected case's messages may quote free text about the denouncer: not for the administrator."""
        if obj.case_id and policy.is_identity_protected(obj.case):
            return _("[protected]")
        return obj.context

    def has_resend_permission(self, request) -> bool:
        return policy.is_system_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Re-send the selected notifications"), permissions=["resend"])
    def resend(self, request, queryset):
        count = delivery.resend(queryset, now=timezone.now())
        self.message_user(request, ngettext("%(n)d notification queued again.", "%(n)d notifications queued again.",
                                            count) % {"n": count}, messages.SUCCESS)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["key", "language", "subject", "body", "sms"]

    def clean(self):
        cleaned = super().clean()
        for name in ("subject", "body", "sms"):
            try:
                templating.check(cleaned.get(name) or "")
            except ValueError as exc:
                self.add_error(name, str(exc))
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(PolicyModelAdmin):
    form = MessageTemplateForm
    list_display = ("key", "language", "subject")
    list_filter = ("language",)
    readonly_fields = ("preview",)

    def may_change(self, request, obj=None) -> bool:
        return policy.is_system_admin(request.user)

    def scope(self, request, queryset):
        return queryset

    @admin.display(description=_("preview (sample data)"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        parts = []
        for label, source in ((_("subject"), obj.subject), (_("body"), obj.body), (_("SMS text"), obj.sms)):
            try:
                text = templating.render(source, PREVIEW_CONTEXT, autoescape=False)
            except ValueError as exc:
                text = str(exc)
            parts.append((label, text))
        return format_html_join("", "<p><strong>{}</strong></p><pre>{}</pre>",
                                parts)


@admin.register(Contact)
class ContactAdmin(PolicyModelAdmin):
    list_display = ("case", "audience")
    list_filter = ("audience",)
    fields = ("case", "audience", "email", "phone")
    raw_id_fields = ("case",)

    def may_view(self, request) -> bool:
        return policy.is_staff_member(request.user)

    def may_change(self, request, obj=None) -> bool:
        return policy.is_staff_member(request.user) and (obj is None or self.scope(request, Contact.objects)
                                                         .filter(pk=obj.pk).exists())

    def scope(self, request, queryset):
        return queryset.filter(policy.identity_q(request.user, prefix="case__"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":  # only cases whose parties the user may see
            kwargs["queryset"] = Case.objects.filter(policy.identity_q(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
