"""Escalations to supervisors, recorded by the SLA sweep, and reports of single cases to the head.

One row per supervisor, unit and reason for each sweep that found newly
alerted cases: a digest ("12 cases of Xã A became overdue") with the case
ids, the form in which a head can act on it and in which email and SMS will
deliver it (a later issue). The per-case record is the case's own
``sla_due_soon`` / ``sla_overdue`` event, written in the same transaction,
so nothing is lost. Only events the sweep actually inserted feed a digest,
so racing sweeps cannot escalate a case twice.

A row with ``case`` set reports one case to one head (a mass petition received,
TT 07/2014 Art 27): at most one per head, case and reason.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Escalation(models.Model):
    class Reason(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline due soon")
        OVERDUE = "overdue", _("Deadline passed")
        MASS_PETITION = "mass_petition", _("Mass petition received")

    unit = models.ForeignKey("organisation.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="escalations", db_index=False
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(_("created at"))
    case_count = models.PositiveIntegerField(_("cases"))
    case_ids = models.JSONField(_("case ids"), default=list)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             db_index=False)  # led by the partial unique constraint below
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "unit", "reason", "created_at"], name="unique_escalation",
                                    condition=models.Q(case__isnull=True)),
            models.UniqueConstraint(fields=["case", "recipient", "reason"], name="unique_case_report",
                                    condition=models.Q(case__isnull=False)),
        ]
        indexes = [models.Index(fields=["recipient", "delivered_at"])]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.case_count} · {self.unit_id} → {self.recipient}"
