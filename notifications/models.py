"""Escalations to supervisors, recorded by the SLA sweep.

Delivery (email, SMS) comes later; rows are written now, in the sweep's
transaction, so that no escalation is lost. The unique constraint lets
racing sweeps insert with ON CONFLICT DO NOTHING.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Escalation(models.Model):
    class Reason(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline due soon")
        OVERDUE = "overdue", _("Deadline passed")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="escalations")
    unit = models.ForeignKey("organisation.Unit", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    deadline_type = models.CharField(_("deadline"), max_length=20)
    due = models.DateField(_("due"))
    created_at = models.DateTimeField(_("created at"), db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "recipient", "reason", "deadline_type", "due"], name="unique_escalation"
            )
        ]
        indexes = [models.Index(fields=["recipient", "delivered_at"])]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.case_id} → {self.recipient}"
