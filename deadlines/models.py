"""Statutory timers and the working calendar, as data with effective dates.

Laws change (reference §0): a rule row is chosen by the date of the event
that starts its clock, never by today's date.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint (khiếu nại)")
    DENUNCIATION = "denunciation", _("Denunciation (tố cáo)")
    RECOMMENDATION = "recommendation", _("Recommendation (kiến nghị)")
    FEEDBACK = "feedback", _("Feedback (phản ánh)")


class Complexity(models.TextChoices):
    SIMPLE = "simple", _("Simple")
    COMPLEX = "complex", _("Complex")
    ESPECIALLY_COMPLEX = "especially_complex", _("Especially complex")


class DeadlineType(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance decision")
    RESOLUTION = "resolution", _("Resolution")
    NOTICE = "notice", _("Notice to the parties")
    FORWARD = "forward", _("Forwarding")
    REPORT_BACK = "report_back", _("Report back to the forwarder")
    OTHER = "other", _("Other")


class DayCount(models.TextChoices):
    WORKING = "working", _("Working days")
    CALENDAR = "calendar", _("Calendar days")


class StartEvent(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ACCEPTANCE = "acceptance", _("Acceptance")
    DECISION = "decision", _("Decision")
    REQUEST = "request", _("Request")


class DeadlineRule(models.Model):
    """One statutory timer row of reference §3 (K*, T*, C*, P*, X*).

    ``None`` in a selector column (round, complexity, remote, multi_site)
    means "any". The most specific matching row in force on the start
    event's date wins.
    """

    code = models.CharField(_("timer code"), max_length=10, help_text=_("Row of reference §3, e.g. K2, T4."))
    deadline_type = models.CharField(_("deadline"), max_length=20, choices=DeadlineType.choices)
    kind = models.CharField(_("case kind"), max_length=20, choices=CaseKind.choices)
    round = models.PositiveSmallIntegerField(_("round"), null=True, blank=True)
    complexity = models.CharField(_("complexity"), max_length=20, choices=Complexity.choices, null=True, blank=True)
    remote = models.BooleanField(_("remote"), null=True, blank=True)
    multi_site = models.BooleanField(_("checks at several places"), null=True, blank=True)
    start_event = models.CharField(_("starts at"), max_length=20, choices=StartEvent.choices)
    length = models.PositiveSmallIntegerField(_("length"))
    day_count = models.CharField(_("counted in"), max_length=10, choices=DayCount.choices)
    max_extensions = models.PositiveSmallIntegerField(_("extensions allowed"), default=0)
    extension_length = models.PositiveSmallIntegerField(_("days per extension"), default=0)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True, help_text=_("Last day the rule applies."))
    legal_source = models.CharField(_("legal source"), max_length=255)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["kind", "deadline_type", "code", "effective_from"]
        indexes = [models.Index(fields=["kind", "deadline_type", "effective_from"])]

    def __str__(self):
        return f"{self.code} {self.get_kind_display()} · {self.get_deadline_type_display()} · {self.length} {self.get_day_count_display()}"


class CalendarOverride(models.Model):
    """An exception to Mon–Fri + public holidays: a swap day off or a make-up working Saturday."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Extra day off")
        WORKING_DAY = "working_day", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=255)
    source = models.CharField(_("source"), max_length=255, blank=True)
    assumed = models.BooleanField(_("assumed, not yet confirmed"), default=False)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}: {self.description}"


class CalendarYear(models.Model):
    """Whether a year's government holiday schedule is confirmed (reference §7, §9(10)).

    A count that runs through a year with no confirmed row is flagged
    ``assumed_years`` in its basis: the package's and our overrides' days for
    that year are a forecast, not a published decision.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    confirmed = models.BooleanField(_("schedule confirmed"), default=False)
    source = models.CharField(_("source"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}"


class CalendarDay(models.Model):
    """The working calendar materialised for the database to count over (``deadlines.workdays``).

    ``working_index`` is the number of working days from the first stored day
    up to and including this one, so the working days in (a, b] are
    ``index(b) − index(a)``. Derived data: rebuilt from the calendar whenever
    an override or a year changes, and at migrate.
    """

    day = models.DateField(primary_key=True)
    is_working = models.BooleanField()
    working_index = models.IntegerField()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]
        # "the n-th working day after d": the working day whose index is index(d) + n
        indexes = [models.Index(fields=["working_index"], name="calendar_day_working_idx",
                                condition=models.Q(is_working=True))]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} #{self.working_index}{'' if self.is_working else ' off'}"
