"""Escalations to supervisors, recorded by the SLA sweep, and reports of single cases to the head.

One row per supervisor, unit and reason for each sweep that found newly
alerted cases: a digest ("12 cases of Xã A became overdue") with the case
ids, the form in which a head can act on it; ``digests.daily_digests`` mails
each person one digest a day over their new escalations (``delivered_at``). The per-case record is the case's own
``sla_due_soon`` / ``sla_overdue`` event, written in the same transaction,
so nothing is lost. Only events the sweep actually inserted feed a digest,
so racing sweeps cannot escalate a case twice.

A row with ``case`` set reports one case to one head (a mass petition received,
TT 07/2014 Art 27): at most one per head, case and reason.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import crypto


class Escalation(models.Model):
    class Reason(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline due soon")
        OVERDUE = "overdue", _("Deadline passed")
        MASS_PETITION = "mass_petition", _("Mass petition received")
        OVERDUE_ABOVE = "overdue_above", _("Still overdue in a unit below")

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


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    INAPP = "inapp", _("In-app")


class Audience(models.TextChoices):
    PETITIONER = "petitioner", _("Petitioner")
    ACCUSED = "accused", _("Accused")
    STAFF = "staff", _("Staff")


class Notification(models.Model):
    """One message to one recipient on one channel: the transactional outbox.

    Written in the transaction of the act that causes it (a rolled-back act
    leaves none); delivered by Celery after commit, or by the periodic
    ``deliver_pending`` task when the broker was down. ``delivery_key`` is
    unique, so the same event cannot queue the same message twice, and the
    delivery locks the row and checks ``state`` before sending, so a
    redelivered task sends nothing more. The text is rendered when the row
    is written, from plain data, so what is sent is what was checked.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead (delivery failed)")

    delivery_key = models.CharField(_("delivery key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications", db_index=False)
    # An e-mail address or phone number of someone outside the system, encrypted at rest like the petitioner's.
    address = crypto.EncryptedCharField(_("address"), max_length=254, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    template_key = models.CharField(_("template"), max_length=40)
    language = models.CharField(_("language"), max_length=5, default="vi")
    context = models.JSONField(_("context"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = crypto.EncryptedTextField(_("body"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    # Quiet hours and retry back-off: not delivered before this moment.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["not_before", "id"], name="notification_pending_idx",
                         condition=models.Q(state="pending")),
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.template_key} · {self.get_channel_display()} · {self.get_state_display()}"


class MessageTemplate(models.Model):
    """The text of one event's message in one language, edited in the admin.

    Rendered by ``notifications.templating`` in a sandbox: plain data only,
    autoescaped, no tags that load or include anything.
    """

    key = models.CharField(_("event"), max_length=40)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"), help_text=_("E-mail and in-app text"))
    sms = models.CharField(_("SMS text"), max_length=480, blank=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["key", "language"]
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="unique_message_template")]

    def __str__(self):
        return f"{self.key} ({self.language})"


class Contact(models.Model):
    """Where a party outside the system is written to: a petitioner's e-mail, the accused's e-mail or phone.

    Petitioners' phones come from the petitioner record; this adds what it
    does not hold. Encrypted at rest.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(_("party"), max_length=12,
                                choices=[(Audience.PETITIONER, Audience.PETITIONER.label),
                                         (Audience.ACCUSED, Audience.ACCUSED.label)])
    email = crypto.EncryptedCharField(_("e-mail"), max_length=254, blank=True)
    phone = crypto.EncryptedCharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.case_id} · {self.get_audience_display()}"
