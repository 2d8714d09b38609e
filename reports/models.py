"""Report runs (computed in the request or by a Celery worker), signed-off snapshots and reminders.

A run holds the report's JSON (``reports.figures.build_report``) and its xlsx, PDF and CSV, so a
large roll-up is computed once and downloaded as many times as needed. A snapshot is what a unit's
head signed for a reporting period: the exact figures and the moment they were generated, so that a
later regeneration can show what changed and why (reference §6; issue 9 "Reproducibility").
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import Unit


class ReportRun(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    rollup = models.BooleanField(_("with the units below"), default=False)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    label = models.CharField(_("period"), max_length=40, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    in_background = models.BooleanField(default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.CharField(max_length=255, blank=True)
    result = models.JSONField(_("figures"), null=True, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    xlsx = models.BinaryField(null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    csv = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(date_from__lte=models.F("date_to")), name="report_run_window"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_run_progress"),
        ]

    def __str__(self):
        return f"{self.unit} {self.label or f'{self.date_from}–{self.date_to}'}"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class ReportSnapshot(models.Model):
    """A unit's report for one reporting period (``H1-2026``…), signed off by its head. Never changed:
    a regeneration is compared against it instead."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="report_snapshots")
    period = models.CharField(_("period"), max_length=20)
    rollup = models.BooleanField(_("with the units below"), default=False)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    result = models.JSONField(_("figures"))
    generated_at = models.DateTimeField(_("generated at"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField(_("signed at"))
    deadline = models.DateField(_("submission deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("signed report")
        verbose_name_plural = _("signed reports")
        ordering = ["-signed_at"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="one_signed_report_per_period")]

    def __str__(self):
        return f"{self.unit} {self.period}"

    @property
    def is_late(self) -> bool:
        from deadlines import clock

        return self.deadline is not None and clock.legal_date(self.signed_at) > self.deadline


class ReportReminder(models.Model):
    """An in-app reminder to a unit's head that its report for a period is not signed yet
    (at most one per head, unit, period and day: the beat task may run any number of times)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_reminders")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=20)
    day = models.DateField(_("day"))
    deadline = models.DateField(_("submission deadline"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        ordering = ["-day", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "period", "day"], name="one_report_reminder_a_day"),
        ]

    def __str__(self):
        return f"{self.user} {self.unit} {self.period} {self.day}"
